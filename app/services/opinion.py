"""The assessor's voice on an assessment: opinion, executive summary, key themes, scope limits.

The assessor writes these in the window or from the CLI. Assay can offer a draft generated
from the results (:mod:`app.services.opinion_draft`); a draft fills only the fields nobody has
written or changed, so edited text is never overwritten. Every change is journalled.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app.domain.enums import AssessmentStatus
from app.domain.review import OPINION_SCALE, OpinionRating
from app.services.errors import UserError
from app.services.review import assessment_row
from app.services.unit import reads, writes
from app.storage.models import AssessmentOpinion
from app.storage.repositories.review import ReviewRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("rating", "rationale", "executive_summary", "key_themes", "scope_limitations")
FIELD_LABELS = {
    "rating": "Overall opinion",
    "rationale": "Rationale",
    "executive_summary": "Executive summary",
    "key_themes": "Key themes",
    "scope_limitations": "Scope limitations",
}


@dataclass(frozen=True)
class OpinionInfo:
    """The assessor's voice on one assessment, with the reviewer's approval."""

    assessment_id: int
    rating: str = ""
    rationale: str = ""
    executive_summary: str = ""
    key_themes: str = ""
    scope_limitations: str = ""
    edited: tuple[str, ...] = field(default_factory=tuple)
    updated_by: str = ""
    updated_at: dt.datetime | None = None
    approved_by: str = ""
    approved_at: dt.datetime | None = None
    final: bool = False
    """The assessment is final: its opinion is kept as it was signed."""

    @property
    def themes(self) -> list[str]:
        """Return the key themes, one per non-empty line (a leading dash dropped)."""
        lines = (line.strip().lstrip("-•* ").strip() for line in self.key_themes.splitlines())
        return [line for line in lines if line]

    @property
    def rating_meaning(self) -> str:
        """Return what the rating means on the stated scale, or empty without a rating."""
        return OPINION_SCALE.get(OpinionRating(self.rating), "") if self.rating else ""

    def as_dict(self) -> dict[str, Any]:
        """Return the opinion as JSON-ready data."""
        return asdict(self) | {"themes": self.themes}


def info_of(row: AssessmentOpinion | None, assessment_id: int) -> OpinionInfo:
    """Return the plain values of an opinion row (empty ones when there is no row)."""
    if row is None:
        return OpinionInfo(assessment_id)
    values = {name: getattr(row, name) for name in TEXT_FIELDS}
    return OpinionInfo(
        assessment_id,
        **values,
        edited=tuple(row.edited or ()),
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
    )


def check_rating(value: str) -> str:
    """Return a rating's stored value (empty clears it).

    Raises:
        UserError: Not a rating of the scale.
    """
    text = value.strip().lower().replace("-", " ").replace("_", " ")
    allowed = [r.value for r in OpinionRating]
    if text and text not in allowed:
        raise UserError(f"the opinion must be one of {', '.join(allowed)}, not {value!r}")
    return text


@reads
def get_opinion(uow: UnitOfWork, assessment_id: int) -> OpinionInfo:
    """Return the assessor's voice on an assessment (empty fields when none was written).

    Raises:
        UserError: No such assessment.
    """
    row = assessment_row(uow, assessment_id)
    info = info_of(uow.repository(ReviewRepository).opinion(assessment_id), assessment_id)
    return replace(info, final=row.status == AssessmentStatus.FINAL)


@writes
def write_opinion(uow: UnitOfWork, /, assessment_id: int, **texts: str) -> OpinionInfo:
    """Store text the assessor wrote; those fields are then never replaced by a draft.

    Args:
        uow: The unit of work (or the workspace).
        assessment_id: The assessment.
        **texts: Any of ``rating``, ``rationale``, ``executive_summary``, ``key_themes``,
            ``scope_limitations``.

    Raises:
        UserError: An unknown field, a rating off the scale, or a final assessment.
    """
    return _store(uow, assessment_id, texts, edited=True)


@writes
def apply_draft(uow: UnitOfWork, assessment_id: int, draft: dict[str, str]) -> OpinionInfo:
    """Fill the fields nobody has written from a generated draft; edited fields stay.

    Raises:
        UserError: As :func:`write_opinion`.
    """
    row = _editable(uow, assessment_id)
    kept = set(row.edited or ()) if row is not None else set()
    fresh = {name: text for name, text in draft.items() if name not in kept}
    return _store(uow, assessment_id, fresh, edited=False)


def _editable(uow: UnitOfWork, assessment_id: int) -> AssessmentOpinion | None:
    assessment_row(uow, assessment_id, editing=True)
    return uow.repository(ReviewRepository).opinion(assessment_id)


def _store(
    uow: UnitOfWork, assessment_id: int, texts: dict[str, str], *, edited: bool
) -> OpinionInfo:
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        fields = plural(len(unknown), "opinion field", number=False)
        raise UserError(f"unknown {fields}: {', '.join(sorted(unknown))}")
    clean = {name: text.strip() for name, text in texts.items()}
    if "rating" in clean:
        clean["rating"] = check_rating(clean["rating"])
    _editable(uow, assessment_id)
    row = uow.repository(ReviewRepository).opinion_or_add(assessment_id)
    before = {name: getattr(row, name) for name in TEXT_FIELDS}
    changed = {name: text for name, text in clean.items() if before[name] != text}
    if not changed:
        return info_of(row, assessment_id)
    for name, text in changed.items():
        setattr(row, name, text)
    if edited:
        row.edited = sorted(set(row.edited or ()) | set(changed))
    row.updated_by, row.updated_at = uow.actor, uow.now()
    action = "opinion.update" if edited else "opinion.draft"
    uow.record(action, "assessment_opinion", assessment_id,
               before={k: before[k] for k in changed}, after=changed)  # fmt: skip
    return info_of(row, assessment_id)
