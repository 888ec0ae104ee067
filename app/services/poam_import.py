"""Read back the POA&M sheet the client updated: owner, due date, effort, response and status.

The assessment workbook's POA&M sheet goes to the client and comes back with who acts on each
finding, by when, how much work it is, the client's management response and the status (with
the justification and approver of an accepted risk). A dry run lists every change and every
problem and stores nothing; applying changes each finding through
:func:`app.services.findings.update_finding` in one unit of work, so every change is validated
and journalled, and the sheet is applied whole or not at all. A blank cell means "no change".
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.domain.enums import FindingStatus
from app.reports import xlsx_poam
from app.reports.errors import ReportError
from app.reports.xlsx_poam import POAM_SHEET, PoamRow, read_poam_workbook
from app.services.errors import UserError
from app.services.findings import FindingInfo, finding_row, infos, update_finding
from app.services.unit import writes
from app.storage import journal
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

#: The fields the sheet carries back, with the column each is read from.
COLUMNS: dict[str, str] = {
    "owner": xlsx_poam.H_OWNER, "due_date": xlsx_poam.H_DUE, "effort": xlsx_poam.H_EFFORT,
    "management_response": xlsx_poam.H_RESPONSE, "status": xlsx_poam.H_STATUS,
    "acceptance_justification": xlsx_poam.H_JUSTIFICATION, "accepted_by": xlsx_poam.H_APPROVER,
}  # fmt: skip
_FIELDS = tuple(COLUMNS)


@dataclass(frozen=True)
class PoamChange:
    """One field of one finding the sheet changes."""

    row: int
    finding_id: int
    field: str
    before: Any
    after: Any

    @property
    def column(self) -> str:
        """Return the sheet's column the change was read from."""
        return COLUMNS[self.field]


@dataclass(frozen=True)
class PoamImport:
    """What a POA&M sheet changes (and, unless a dry run, what was applied)."""

    file: Path
    assessment_id: int
    changes: tuple[PoamChange, ...]
    problems: tuple[str, ...]
    rows_read: int
    dry_run: bool
    applied: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return journal.jsonable(asdict(self))  # type: ignore[no-any-return]


def _stored(uow: UnitOfWork, row: PoamRow, assessment_id: int) -> FindingInfo | str:
    try:
        info = infos(uow, [finding_row(uow, row.finding_id)])[0]
    except UserError:
        return f"sheet {POAM_SHEET}, row {row.row}: no finding F-{row.finding_id} in the workspace"
    if info.assessment_id not in (None, assessment_id):
        return (
            f"sheet {POAM_SHEET}, row {row.row}: finding F-{row.finding_id} belongs to "
            f"assessment {info.assessment_id}, not {assessment_id}"
        )
    return info


def _compare(row: PoamRow, stored: FindingInfo) -> tuple[list[PoamChange], str | None]:
    changes = [
        PoamChange(row.row, stored.id, name, getattr(stored, name), getattr(row, name))
        for name in _FIELDS
        if getattr(row, name) is not None and getattr(row, name) != getattr(stored, name)
    ]
    after = {name: getattr(stored, name) for name in _FIELDS} | {c.field: c.after for c in changes}
    problem = None
    if (
        changes
        and after["status"] == FindingStatus.ACCEPTED
        and not (
            str(after["acceptance_justification"]).strip() and str(after["accepted_by"]).strip()
        )
    ):
        problem = (
            f"sheet {POAM_SHEET}, row {row.row}: a risk accepted needs the columns "
            "'Risk acceptance justification' and 'Risk accepted by' filled in"
        )
    return changes, problem


@writes
def import_poam(
    uow: UnitOfWork, assessment_id: int, path: Path, *, dry_run: bool = False
) -> PoamImport:
    """Compare a returned POA&M sheet with the findings and, unless ``dry_run``, apply it.

    Raises:
        UserError: The file is not a workbook with a POA&M sheet, or (when applying) the sheet
            has problems; nothing is stored then.
    """
    try:
        sheet = read_poam_workbook(Path(path))
    except ReportError as exc:
        raise UserError(str(exc)) from exc
    problems = [str(p) for p in sheet.problems]
    changes: list[PoamChange] = []
    for row in sheet.rows:
        stored = _stored(uow, row, assessment_id)
        if isinstance(stored, str):
            problems.append(stored)
            continue
        found, problem = _compare(row, stored)
        changes += found
        if problem:
            problems.append(problem)
    if not dry_run and problems:
        listed = "\n".join(f"  {p}" for p in problems)
        raise UserError(
            f"{plural(len(problems), 'problem')} in {Path(path).name}; nothing was changed:\n"
            f"{listed}"
        )
    if not dry_run:
        for finding_id in dict.fromkeys(c.finding_id for c in changes):
            fields = {c.field: c.after for c in changes if c.finding_id == finding_id}
            update_finding(uow, finding_id, **fields)
        uow.record("finding.poam-import", "assessment", assessment_id,
                   after={"file": Path(path).name, "changes": len(changes)})  # fmt: skip
    logger.info(
        "POA&M %s: %s, %s", path, plural(len(changes), "change"), plural(len(problems), "problem")
    )
    return PoamImport(
        Path(path), assessment_id, tuple(changes), tuple(problems), len(sheet.rows), dry_run,
        applied=not dry_run,
    )  # fmt: skip
