"""Bring the Evidence requests sheet of a returned workbook back into the workspace.

Each row names its request by number; its status, received date and client note are compared
with the stored request. A dry run lists the changes and stores nothing; a sheet with any
problem (a bad status or date, an unknown request, a request of another assessment) is not
applied at all. Applying changes every request in one unit of work, each change journalled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import ReportError
from app.services.errors import UserError
from app.services.evidence_requests import RequestInfo, list_requests, update_request
from app.services.workspace import Workspace
from app.storage.journal import jsonable
from app.support.text import plural

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestChange:
    """What one row of the sheet changes in one request."""

    row: int
    request_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class RequestsImport:
    """What the sheet changes, the problems found, and whether it was applied."""

    file: Path
    assessment_id: int
    changes: tuple[RequestChange, ...]
    problems: tuple[str, ...]
    applied: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return dict(jsonable(asdict(self)))


def _changes(row: Any, stored: RequestInfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if row.status and row.status != stored.status:
        found["status"] = row.status
    if row.received_on and row.received_on != stored.received_on:
        found["received_on"] = row.received_on
    if row.note and row.note != stored.note:
        found["note"] = row.note
    return found


def read_returned_sheet(
    read: Callable[[Path], tuple[Sequence[Any], Sequence[Any]]], path: Path
) -> tuple[Sequence[Any], list[str]]:
    """Read one sheet of a returned workbook with ``read``; return its rows and problems as text.

    Raises:
        UserError: The file is not a workbook, or lacks the sheet or one of its columns.
    """
    try:
        rows, problems = read(Path(path))
    except ReportError as exc:
        raise UserError(str(exc)) from exc
    return rows, [str(p) for p in problems]


def plan_requests(workspace: Workspace, assessment_id: int, path: Path) -> RequestsImport:
    """Compare the sheet with the stored requests of an assessment (the dry run).

    Raises:
        UserError: The file is not a workbook or has no Evidence requests sheet.
    """
    from app.reports.xlsx_requests_import import read_requests_sheet  # reads with openpyxl

    rows, problems = read_returned_sheet(read_requests_sheet, path)
    stored = {r.id: r for r in list_requests(workspace, assessment_id)}
    changes: list[RequestChange] = []
    for row in rows:
        request = stored.get(row.number)
        if request is None:
            problems.append(
                f"sheet Evidence requests, row {row.row}, column Request #: request {row.number} "
                f"is not a request of assessment {assessment_id}"
            )
            continue
        found = _changes(row, request)
        if found:
            changes.append(RequestChange(row.row, row.number, found))
    return RequestsImport(Path(path), assessment_id, tuple(changes), tuple(problems), False)


def import_requests(
    workspace: Workspace, assessment_id: int, path: Path, *, dry_run: bool = False
) -> RequestsImport:
    """Compare the sheet with the stored requests and, unless a dry run, apply it whole.

    Raises:
        UserError: As :func:`plan_requests`, or a change the request service refuses.
    """
    plan = plan_requests(workspace, assessment_id, path)
    if dry_run or plan.problems or not plan.changes:
        return plan
    with workspace.unit_of_work() as uow:
        for change in plan.changes:
            update_request(uow, change.request_id, **change.changes)
        uow.record("requests.import", "assessment", assessment_id,
                   after={"file": plan.file.name, "changes": len(plan.changes)})  # fmt: skip
    logger.info(
        "applied %s from %s", plural(len(plan.changes), "evidence request change"), plan.file.name
    )
    return RequestsImport(plan.file, assessment_id, plan.changes, (), True)
