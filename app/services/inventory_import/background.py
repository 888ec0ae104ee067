"""Apply a checked import in a child process, and bring the identity findings up to date.

The dry-run plan the user looked at stays in the window. The child reads the same file with
the same options again (a plan is too large to send through a pipe without stalling the
window), makes sure the file is byte for byte the one that was checked, then applies it. The wizard
usually has a process that did the reading ahead (:mod:`.prepared`); this path serves when
none is ready.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.services.identity_analysis import FindingRefresh, refresh_identity_findings
from app.services.inventory_import.plan import (
    ImportFileError,
    ImportPlan,
    ImportResult,
    apply_plan,
    plan_import,
)
from app.services.progress import Cancelled, Progress, scaled
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


def import_and_refresh(
    ws: Workspace,
    plan: ImportPlan,
    *,
    valid_only: bool,
    delete_missing: bool,
    progress: Progress | None = None,
) -> tuple[ImportResult, FindingRefresh | None]:
    """Apply the plan, then bring the identity findings up to date (skipped when cancelled).

    Args:
        ws: The workspace.
        plan: The dry-run plan.
        valid_only: Apply the valid rows even though other rows have errors.
        delete_missing: Delete records the file covers but lacks.
        progress: Receives progress; cancelling before the import is written writes nothing.

    Returns:
        What the import did, and what the findings refresh changed (None when cancelled).
    """
    result = apply_plan(
        ws,
        plan,
        valid_only=valid_only,
        delete_missing=delete_missing,
        progress=scaled(progress, 0.0, 0.8),
    )
    try:
        refresh = refresh_identity_findings(ws, progress=scaled(progress, 0.8, 1.0))
    except Cancelled:
        logger.info("identity findings not refreshed: cancelled after the import")
        refresh = None
    return result, refresh


def changed_after_check(file_name: str) -> ImportFileError:
    """Return the refusal of a file that is not byte for byte the one its dry run checked."""
    return ImportFileError(f"{file_name} changed after it was checked; go back and check it again")


def import_checked_file(
    ws: Workspace,
    path: Path,
    checked_sha256: str,
    options: dict[str, Any],
    *,
    valid_only: bool,
    delete_missing: bool,
    progress: Progress | None = None,
) -> tuple[ImportResult, FindingRefresh | None]:
    """Read the file again, refuse it if it changed since its dry run, then import it.

    Args:
        ws: The workspace.
        path: The file of the dry run.
        checked_sha256: The SHA-256 the dry run recorded (``ImportPlan.file_sha256``).
        options: The dry run's reading options (``ImportPlan.options``).
        valid_only: Apply the valid rows even though other rows have errors.
        delete_missing: Delete records the file covers but lacks.
        progress: Receives progress; cancelling before the import is written writes nothing.

    Returns:
        What the import did, and what the findings refresh changed (None when cancelled).

    Raises:
        ImportFileError: The file changed or vanished since the dry run.
    """
    plan = plan_import(ws, Path(path), **options, progress=scaled(progress, 0.0, 0.25))
    if plan.file_sha256 != checked_sha256:
        raise changed_after_check(plan.file_name)
    return import_and_refresh(
        ws,
        plan,
        valid_only=valid_only,
        delete_missing=delete_missing,
        progress=scaled(progress, 0.25, 1.0),
    )
