"""Themed findings: an assessment's gaps grouped into findings the assessor can shape.

By default there is one finding per framework category and one per identity-hygiene rule that
fired on the system; the assessor merges and splits them.

A refresh brings the grouped gaps up to date with the answers. A gap the assessor has not moved
goes to its default theme (or the theme that default was merged into); one the assessor moved
stays where it was put. Drafted texts, rating and effort are redrawn from the gaps unless the
assessor edited them (the finding's ``edited`` list); owner, due date, response and status are
the assessor's and never touched, except that a theme whose gaps have all closed is closed, and
an untouched theme with no gaps left is removed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app.catalog.schema import Framework, NodeKind, Question
from app.domain import risk_matrix, themes
from app.domain.enums import FindingSource, FindingStatus
from app.domain.gaps import gap_severity
from app.domain.hygiene import RULES
from app.services.assessment_records import list_responses, load_questions
from app.services.errors import UserError
from app.services.findings import FindingInfo, editable_assessment, finding_row, infos
from app.services.unit import writes
from app.storage.models import Finding, FindingItem
from app.storage.repositories.findings import FindingRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

_RULE_TITLES = {rule.rule_id: rule.summary for rule in RULES}
_GROUP_KINDS = (NodeKind.CATEGORY, NodeKind.RISK)
_ACTIVE_RULE = (FindingStatus.OPEN.value, FindingStatus.IN_PROGRESS.value)


@dataclass(frozen=True)
class GapRefresh:
    """What :func:`refresh_gap_findings` changed: themes and the gaps they group."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    resolved: int = 0
    gaps: int = 0


@dataclass(frozen=True)
class _Wanted:
    """One gap as the answers and identity rules have it now."""

    key: str
    kind: str
    group_key: str
    group_title: str
    framework: str
    ref: str
    title: str
    level: int | None
    target: int | None
    severity: str
    recommendation: str
    risk: tuple[int, int]

    def item_values(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "group_key": self.group_key, "framework": self.framework,
            "ref": self.ref, "title": self.title, "level": self.level, "target": self.target,
            "severity": self.severity, "recommendation": self.recommendation,
        }  # fmt: skip


def theme_key(assessment_id: int, group_key: str) -> str:
    """Return the key of an assessment's default theme for a group."""
    return f"theme:{assessment_id}:{group_key}"


def _group_of(framework: Framework, question: Question) -> tuple[str, str]:
    chosen = framework.node(question.node)
    for node in reversed(framework.node_path(question.node)):
        if node.kind in _GROUP_KINDS:
            chosen = node
            break
    return f"node:{framework.id}:{chosen.id}", f"{chosen.title} ({chosen.id})"


def _question_gaps(uow: UnitOfWork, assessment_id: int) -> list[_Wanted]:
    # Answers are read through the assessment records in this unit's transaction until that
    # module moves onto a repository of its own.
    loaded = load_questions(uow, assessment_id)
    responses = {r.question_id: r for r in list_responses(uow, assessment_id)}
    wanted = []
    for framework, question in loaded.entries():
        response = responses.get(question.id)
        if response is None or response.level is None or response.not_applicable:
            continue
        target = response.target_override
        target = loaded.info.target_level if target is None else target
        severity = gap_severity(response.level, target, question.priority)
        if severity is None:
            continue
        group_key, group_title = _group_of(framework, question)
        focus = f" ({question.focus_area.value})" if question.focus_area else ""
        wanted.append(
            _Wanted(
                key=question.id, kind="question", group_key=group_key, group_title=group_title,
                framework=framework.title, ref=question.ref, title=question.title + focus,
                level=response.level, target=target, severity=severity.value,
                recommendation=question.recommendation,
                risk=risk_matrix.gap_risk(response.level, target, question.priority),
            )
        )  # fmt: skip
    return wanted


def _rule_gaps(uow: UnitOfWork, system_id: int | None) -> list[_Wanted]:
    if system_id is None:
        return []
    rows = uow.repository(FindingRepository).rule_findings_of_system(system_id)
    return [
        _Wanted(
            key=f"rule:{row.key or row.id}",
            kind="rule",
            group_key=f"rule:{row.rule_id}",
            group_title=_RULE_TITLES.get(row.rule_id, row.rule_id),
            framework="Identity check",
            ref=", ".join(row.references) or row.rule_id,
            title=row.title,
            level=None,
            target=None,
            severity=row.severity,
            recommendation=row.recommendation,
            risk=risk_matrix.rule_risk(row.severity),
        )  # fmt: skip
        for row in rows
        if row.status in _ACTIVE_RULE
    ]


class _Themes:
    """The themes of one assessment during a refresh, found by key or merged key."""

    def __init__(self, uow: UnitOfWork, assessment_id: int, system_id: int | None) -> None:
        self.repo = uow.repository(FindingRepository)
        self.assessment_id, self.system_id = assessment_id, system_id
        self.rows = {row.id or 0: row for row in self.repo.themes_of(assessment_id)}
        self.by_key: dict[str, Finding] = {}
        for row in self.rows.values():
            self.by_key.update(dict.fromkeys(row.merged_keys, row))
        self.by_key.update({row.key or "": row for row in self.rows.values()})
        self.new_ids: set[int] = set()

    def for_group(self, wanted: _Wanted) -> Finding:
        key = theme_key(self.assessment_id, wanted.group_key)
        found = self.by_key.get(key)
        if found is None:
            found = self.repo.add(
                Finding(
                    key=key,
                    source=FindingSource.THEME.value,
                    assessment_id=self.assessment_id,
                    system_id=self.system_id,
                    title=wanted.group_title,
                )  # fmt: skip
            )
            self.by_key[key] = self.rows[found.id or 0] = found
            self.new_ids.add(found.id or 0)
        return found


def _place(themes_: _Themes, items: dict[str, FindingItem], wanted: list[_Wanted]) -> int:
    """Add, update and move the grouped gaps; return how many changed."""
    changed = 0
    wanted_keys = {w.key for w in wanted}
    for key, item in items.items():
        if key not in wanted_keys:
            themes_.repo.delete(item)
            changed += 1
    for gap in wanted:
        found = items.get(gap.key)
        values = gap.item_values()
        if found is None:
            theme = themes_.for_group(gap)
            themes_.repo.add_item(
                FindingItem(
                    finding_id=theme.id or 0,
                    assessment_id=themes_.assessment_id,
                    item_key=gap.key,
                    **values,
                )  # fmt: skip
            )
            changed += 1
            continue
        item = found
        moved = not item.placed and item.finding_id != (themes_.for_group(gap).id or 0)
        if moved:
            item.finding_id = themes_.for_group(gap).id or 0
        differs = {k: v for k, v in values.items() if getattr(item, k) != v}
        for name, value in differs.items():
            setattr(item, name, value)
        changed += bool(differs or moved)
    themes_.repo.flush()
    return changed


def _drafts(items: Sequence[FindingItem]) -> list[themes.GapDraft]:
    return [
        themes.GapDraft(i.kind, i.ref, i.title, i.level, i.target, i.severity, i.recommendation)
        for i in items
    ]


def redraft(row: Finding, items: Sequence[FindingItem], risks: Iterable[tuple[int, int]]) -> bool:
    """Redraw a theme's texts, rating and effort from its gaps, keeping what the assessor edited.

    Returns:
        True when anything changed.
    """
    drafts = _drafts(items)
    group_title = (
        row.title.split(": practices below target")[0] if "title" not in row.edited else ""
    )
    group_title = group_title or row.title
    likelihood, impact = risk_matrix.combined(list(risks))
    proposed: dict[str, Any] = {
        "title": themes.draft_title(group_title, drafts),
        "detail": themes.draft_condition(group_title, drafts),
        "recommendation": themes.draft_recommendation(drafts),
        "references": sorted(
            {(i.ref if i.kind == "rule" else f"{i.framework}: {i.ref}") for i in items if i.ref}
        ),
        "effort": themes.draft_effort(drafts),
        "likelihood": likelihood,
        "impact": impact,
        "severity": risk_matrix.rating(likelihood, impact).value,
    }
    if {"likelihood", "impact", "severity"} & set(row.edited):
        for name in ("likelihood", "impact", "severity"):
            proposed.pop(name)
    changed = False
    for name, value in proposed.items():
        if name not in row.edited and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _settle(
    themes_: _Themes, risks: dict[str, tuple[int, int]], now: dt.datetime
) -> tuple[int, int, int]:
    """Redraft every theme; remove or close the empty ones. Return updated, removed, closed."""
    updated = removed = closed = 0
    grouped = themes_.repo.items_of(themes_.rows)
    for finding_id, row in list(themes_.rows.items()):
        items = grouped.get(finding_id, [])
        if not items:
            untouched = not row.edited and row.status == FindingStatus.OPEN
            if untouched:
                themes_.repo.delete(row)
                removed += 1
            elif row.status != FindingStatus.RESOLVED:
                row.status, row.updated_at, closed = FindingStatus.RESOLVED.value, now, closed + 1
            continue
        changed = redraft(row, items, [risks.get(i.item_key, (3, 3)) for i in items])
        if row.status == FindingStatus.RESOLVED and "status" not in row.edited:
            row.status, changed = FindingStatus.OPEN.value, True
        if changed and finding_id not in themes_.new_ids:
            row.updated_at, updated = now, updated + 1
    return updated, removed, closed


@writes
def refresh_gap_findings(uow: UnitOfWork, assessment_id: int) -> GapRefresh:
    """Bring an assessment's themed findings up to date with its answers and identity rules.

    Raises:
        UserError: No such assessment, or it is final.
    """
    system_id = editable_assessment(uow, assessment_id)
    wanted = _question_gaps(uow, assessment_id) + _rule_gaps(uow, system_id)
    themes_ = _Themes(uow, assessment_id, system_id)
    items = themes_.repo.items_of_assessment(assessment_id)
    gaps = _place(themes_, items, wanted)
    updated, removed, closed = _settle(themes_, {w.key: w.risk for w in wanted}, uow.now())
    result = GapRefresh(len(themes_.new_ids), updated, removed, closed, gaps)
    uow.record("finding.themes", "assessment", assessment_id, after=asdict(result))
    logger.info("themed findings of assessment %s: %s", assessment_id, result)
    return result


def _theme(uow: UnitOfWork, finding_id: int) -> Finding:
    row = finding_row(uow, finding_id)
    if row.source != FindingSource.THEME or row.assessment_id is None:
        raise UserError(f"finding {finding_id} is not a themed finding of an assessment")
    editable_assessment(uow, row.assessment_id)
    return row


@writes
def merge_findings(uow: UnitOfWork, into_id: int, other_ids: Sequence[int]) -> FindingInfo:
    """Merge themed findings into one: their gaps move to it, the others are removed.

    The merged themes' default keys are kept on the survivor, so gaps that appear later in
    those categories come to it too.

    Raises:
        UserError: A finding is not a themed finding, is of another assessment, or is final.
    """
    into = _theme(uow, into_id)
    others = [_theme(uow, other) for other in other_ids if other != into_id]
    if not others:
        raise UserError("name at least one other themed finding to merge")
    if any(o.assessment_id != into.assessment_id for o in others):
        raise UserError("only findings of the same assessment can be merged")
    repo = uow.repository(FindingRepository)
    grouped = repo.items_of([o.id or 0 for o in others])
    moved = []
    for other in others:
        for item in grouped.get(other.id or 0, []):
            item.finding_id, item.placed = into.id or 0, True
            moved.append(item.item_key)
        into.merged_keys = sorted({*into.merged_keys, *other.merged_keys, other.key or ""} - {""})
        repo.delete(other)
    into.updated_at = uow.now()
    _redraft_now(uow, into)
    uow.record(
        "finding.merge", "finding", into_id,
        before={"merged": [o.id for o in others]}, after={"gaps": moved},
    )  # fmt: skip
    return infos(uow, [into])[0]


@writes
def split_finding(
    uow: UnitOfWork, finding_id: int, gap_keys: Sequence[str], *, title: str = ""
) -> FindingInfo:
    """Move some gaps of a themed finding to a new themed finding.

    Args:
        uow: The unit of work (or the workspace).
        finding_id: The themed finding to split.
        gap_keys: The gaps to move (question ids, or ``rule:…`` keys of identity rules).
        title: The new finding's title; drafted from the first gap when empty.

    Raises:
        UserError: Not a themed finding, a gap it does not group, or every gap at once.
    """
    source = _theme(uow, finding_id)
    repo = uow.repository(FindingRepository)
    items = {i.item_key: i for i in repo.items_of([finding_id]).get(finding_id, [])}
    unknown = [key for key in gap_keys if key not in items]
    if unknown or not gap_keys:
        raise UserError(f"finding {finding_id} does not group {', '.join(unknown) or 'any gap'}")
    if len(set(gap_keys)) == len(items):
        raise UserError("a split must leave at least one gap where it was; retitle instead")
    first = items[gap_keys[0]]
    new = repo.add(
        Finding(
            key=f"theme:{source.assessment_id}:split:{finding_id}:{first.item_key}",
            source=FindingSource.THEME.value,
            assessment_id=source.assessment_id,
            system_id=source.system_id,
            title=title.strip() or first.title,
            edited=["title"] if title.strip() else [],
        )  # fmt: skip
    )
    for key in gap_keys:
        items[key].finding_id, items[key].placed = new.id or 0, True
    repo.flush()
    _redraft_now(uow, new)
    _redraft_now(uow, source)
    after = {"gaps": list(gap_keys), "title": new.title}
    uow.record("finding.split", "finding", new.id or 0, before={"from": finding_id}, after=after)
    return infos(uow, [new])[0]


def _redraft_now(uow: UnitOfWork, row: Finding) -> None:
    items = uow.repository(FindingRepository).items_of([row.id or 0]).get(row.id or 0, [])
    risks = [
        risk_matrix.rule_risk(i.severity)
        if i.kind == "rule"
        else risk_matrix.gap_risk(i.level or 0, i.target or 0, _priority_of(i.severity))
        for i in items
    ]
    redraft(row, items, risks)


def _priority_of(severity: str) -> int:
    """Approximate a gap's priority from its severity when only the stored item is at hand."""
    return {"critical": 1, "high": 1, "medium": 2}.get(severity, 3)
