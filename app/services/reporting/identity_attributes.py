"""The custom attributes of the identities a report lists (the workbook prints them as columns).

They are read through the inventory queries rather than the identity analysis, whose facts do not
carry them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from app.reports.viewmodels import IdentityView, attributes_text
from app.services.inventory_queries import get_identity
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


def with_identity_attributes(
    workspace: Workspace, views: Sequence[IdentityView]
) -> tuple[IdentityView, ...]:
    """Return the identity views, each with the custom attributes recorded for it."""
    return tuple(
        dataclasses.replace(
            view, attributes=attributes_text(get_identity(workspace, view.identity_id).attributes)
        )
        for view in views
    )
