"""Bring the Review comments sheet of a returned internal workbook back into the workspace.

A resolution typed against an open comment (or its status set to resolved) closes it, in the
name of whoever imports the sheet; a row without a number is a new comment. A dry run lists
what would happen and stores nothing; a sheet with any problem (an unknown comment, a subject
that is not part of the assessment, a resolved comment set open again) is not applied at all.
Applying closes and adds every comment in one unit of work, each change journalled.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.services import review
from app.services.reporting.request_sheet import read_returned_sheet
from app.services.workspace import Workspace
from app.storage.journal import jsonable

logger = logging.getLogger(__name__)

_FINDING = re.compile(r"^F-?(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Resolution:
    """An open comment the sheet closes, and how."""

    row: int
    comment_id: int
    resolution: str


@dataclass(frozen=True)
class NewComment:
    """A comment the reviewer typed on a new row of the sheet."""

    row: int
    text: str
    question_id: str = ""
    finding_id: int | None = None

    @property
    def subject(self) -> str:
        """Return what the comment is about, as the sheet writes it."""
        if self.finding_id is not None:
            return f"F-{self.finding_id}"
        return self.question_id or "assessment"


@dataclass(frozen=True)
class ReviewImport:
    """What the sheet closes and adds, the problems found, and whether it was applied."""

    file: Path
    assessment_id: int
    resolutions: tuple[Resolution, ...]
    new_comments: tuple[NewComment, ...]
    problems: tuple[str, ...]
    applied: bool

    @property
    def changes(self) -> int:
        """Return how many comments the sheet closes or adds."""
        return len(self.resolutions) + len(self.new_comments)

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return dict(jsonable(asdict(self)))


def _where(row: int, column: str) -> str:
    from app.reports.xlsx_review import REVIEW_SHEET

    return f"sheet {REVIEW_SHEET}, row {row}, column {column}"


def _resolution(row: Any, stored: review.CommentInfo) -> Resolution | str | None:
    """Return the resolution a row of an existing comment makes, a problem, or None."""
    wanted = row.resolution is not None or row.status == review.RESOLVED
    if stored.status == review.OPEN:
        return Resolution(row.row, stored.id, row.resolution or "") if wanted else None
    if row.status == review.OPEN:
        return (f"{_where(row.row, 'Status')}: comment {stored.id} is resolved and cannot be "
                "opened again; add a new comment on a new row")  # fmt: skip
    if (row.resolution or "") != stored.resolution:
        return (f"{_where(row.row, 'Resolution')}: comment {stored.id} was already resolved by "
                f"{stored.resolved_by}; its resolution stays as written")  # fmt: skip
    return None


def _new_comment(workspace: Workspace, assessment_id: int, row: Any) -> NewComment | str:
    """Return the new comment a row without a number adds, or a problem."""
    if row.status == review.RESOLVED or row.resolution is not None:
        return (f"{_where(row.row, 'Resolution')}: a new comment starts open; resolve it once "
                "it is recorded")  # fmt: skip
    about = (row.about or "").strip()
    match = _FINDING.match(about)
    if match:
        found = NewComment(row.row, row.text, finding_id=int(match[1]))
    elif about.lower() in ("", "assessment"):
        found = NewComment(row.row, row.text)
    else:
        found = NewComment(row.row, row.text, question_id=about)
    problem = review.subject_problem(workspace, assessment_id, found.question_id, found.finding_id)
    return f"{_where(row.row, 'About')}: {problem}" if problem else found


def plan_review(workspace: Workspace, assessment_id: int, path: Path) -> ReviewImport:
    """Compare the sheet with the stored comments of an assessment (the dry run).

    Raises:
        UserError: The file is not a workbook or has no Review comments sheet.
    """
    from app.reports.xlsx_review_import import read_review_sheet  # reads with openpyxl

    rows, problems = read_returned_sheet(read_review_sheet, path)
    stored = {c.id: c for c in review.list_comments(workspace, assessment_id)}
    resolutions: list[Resolution] = []
    added: list[NewComment] = []
    for row in rows:
        if row.number is None:
            found: Resolution | NewComment | str | None = _new_comment(
                workspace, assessment_id, row
            )
        elif row.number not in stored:
            found = (f"{_where(row.row, 'Comment #')}: comment {row.number} is not a review "
                     f"comment of assessment {assessment_id}")  # fmt: skip
        else:
            found = _resolution(row, stored[row.number])
        if isinstance(found, str):
            problems.append(found)
        elif isinstance(found, Resolution):
            resolutions.append(found)
        elif isinstance(found, NewComment):
            added.append(found)
    return ReviewImport(
        Path(path), assessment_id, tuple(resolutions), tuple(added), tuple(problems), False
    )


def import_review(
    workspace: Workspace, assessment_id: int, path: Path, *, dry_run: bool = False
) -> ReviewImport:
    """Compare the sheet with the stored comments and, unless a dry run, apply it whole.

    Raises:
        UserError: As :func:`plan_review`, or a change the review service refuses (a final
            assessment, for one); then nothing is stored.
    """
    plan = plan_review(workspace, assessment_id, path)
    if dry_run or plan.problems or not plan.changes:
        return plan
    with workspace.unit_of_work() as uow:
        for closing in plan.resolutions:
            review.resolve_comment(uow, closing.comment_id, closing.resolution)
        for new in plan.new_comments:
            review.add_comment(uow, assessment_id, new.text, question_id=new.question_id,
                               finding_id=new.finding_id)  # fmt: skip
        uow.record("review.import", "assessment", assessment_id,
                   after={"file": plan.file.name, "resolved": len(plan.resolutions),
                          "added": len(plan.new_comments)})  # fmt: skip
    logger.info("review sheet %s: %d resolved, %d added", plan.file.name,
                len(plan.resolutions), len(plan.new_comments))  # fmt: skip
    return ReviewImport(plan.file, assessment_id, plan.resolutions, plan.new_comments, (), True)
