"""Import inventory files into a workspace (issue 4): dry-run plans and all-or-nothing apply.

See :mod:`app.services.inventory_import.plan` for the use cases and
:mod:`app.services.inventory_import.store` for what an import writes (its bulk SQL lives in
:mod:`app.storage.repositories.inventory_bulk`).
"""

from __future__ import annotations

import logging

from app.ingest.pipeline import FORMATS as IMPORT_FORMATS
from app.services.inventory_import.plan import (
    ImportFileError,
    ImportPlan,
    ImportRejectedError,
    ImportResult,
    apply_plan,
    file_sha256,
    import_inventory,
    latest_runs,
    plan_import,
)
from app.services.inventory_import.store import snapshot_records

logger = logging.getLogger(__name__)

__all__ = [
    "IMPORT_FORMATS",
    "ImportPlan",
    "ImportFileError",
    "ImportRejectedError",
    "ImportResult",
    "apply_plan",
    "file_sha256",
    "import_inventory",
    "latest_runs",
    "plan_import",
    "snapshot_records",
]
