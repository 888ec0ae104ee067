"""Results per framework, every answer, the cross-framework view and the comparison."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from app.catalog.errors import CatalogError
from app.catalog.registry import Catalog
from app.reports.viewmodels import (
    Answer,
    Comparison,
    CrossFrameworkRow,
    CrossRef,
    FrameworkResult,
    NodeChange,
    NodeResult,
    QuestionChange,
)
from app.services.assessments import AssessmentQuestions, ResponseInfo
from app.services.reporting.document import assessment_ref, scope_text
from app.services.scoring import (
    AssessmentScore,
    compare_assessments,
    effective_strength,
    node_path,
)
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_NODE_FIELDS = (
    "id", "title", "kind", "ref", "depth", "parent", "mean", "achieved_level", "coverage",
    "completeness", "gap", "confidence", "target", "questions", "applicable", "answered",
    "not_applicable", "at_target",
)  # fmt: skip
#: Answers further apart than this many levels make a cross-framework row inconsistent.
CONSISTENT_SPREAD = 1


def _node(data: dict[str, Any]) -> NodeResult:
    values: dict[str, Any] = {name: data.get(name) for name in _NODE_FIELDS}
    values["title"] = values["title"] or values["id"]
    values["kind"] = values["kind"] or ""
    values["ref"] = values["ref"] or ""
    return NodeResult(**values)


def build_framework_results(
    loaded: AssessmentQuestions, score: AssessmentScore
) -> tuple[FrameworkResult, ...]:
    """Return the results of each framework of the assessment, nodes in tree order."""
    nodes = score.as_dict()["nodes"]
    results = []
    for framework in loaded.frameworks:
        own = [
            n for n in nodes if n["id"] == framework.id or n["id"].startswith(framework.id + "/")
        ]
        overall = next((n for n in own if n["id"] == framework.id), None)
        if overall is None:
            continue
        results.append(
            FrameworkResult(
                framework_id=framework.id,
                title=framework.title,
                version=framework.version,
                scope=scope_text(loaded.info, framework.id),
                overall=_node(overall),
                nodes=tuple(_node(n) for n in own if n["id"] != framework.id),
            )
        )
    return tuple(results)


def _also_covers(catalog: Catalog | None, question_id: str) -> tuple[str, ...]:
    if catalog is None:
        return ()
    try:
        related = catalog.related_questions(question_id)
        return tuple(f"{r.framework_id} {catalog.question(r.question_id).ref}" for r in related)
    except CatalogError:
        return ()


def build_answers(
    loaded: AssessmentQuestions,
    responses: Sequence[ResponseInfo],
    evidence_names: dict[int, str],
    catalog: Catalog | None,
) -> tuple[Answer, ...]:
    """Return every question of the assessment with its answer, in questionnaire order."""
    by_question = {r.question_id: r for r in responses}
    answers = []
    for framework, question in loaded.entries():
        response = by_question.get(question.id)
        if response is None:
            continue
        path = " › ".join(info.title for info in node_path(framework, question)[1:])
        target = response.target_override
        answers.append(
            Answer(
                question_id=question.id,
                ref=question.ref,
                title=question.title,
                framework_id=framework.id,
                path=path,
                level=response.level,
                not_applicable=response.not_applicable,
                target=loaded.info.target_level if target is None else target,
                justification=response.justification,
                notes=response.notes,
                evidence=tuple(evidence_names.get(i, f"#{i}") for i in response.evidence_ids),
                strength=effective_strength(response) or "",
                priority=question.priority,
                flagged=response.flagged,
                reviewed=response.reviewed,
                answered_by=response.answered_by,
                answered_at=response.answered_at,
                also_covers=_also_covers(catalog, question.id),
                source=response.source_text,
            )
        )
    return tuple(answers)


def build_cross_framework(
    answers: Sequence[Answer], catalog: Catalog | None
) -> tuple[CrossFrameworkRow, ...]:
    """Return the topics answered in more than one framework of this assessment."""
    if catalog is None:
        return ()
    by_id = {a.question_id: a for a in answers}
    seen: set[frozenset[str]] = set()
    rows = []
    for answer in answers:
        try:
            related = [r.question_id for r in catalog.related_questions(answer.question_id)]
        except CatalogError:
            continue
        group = [answer.question_id] + [q for q in related if q in by_id]
        key = frozenset(group)
        if len(group) < 2 or key in seen:
            continue
        seen.add(key)
        rows.append(_cross_row(answer, [by_id[q] for q in group]))
    return tuple(rows)


def _cross_row(answer: Answer, members: Sequence[Answer]) -> CrossFrameworkRow:
    levelled = [m for m in members if m.level is not None and not m.not_applicable]
    low = min(levelled, key=lambda m: m.level or 0, default=None)
    high = max(levelled, key=lambda m: m.level or 0, default=None)
    spread = (high.level or 0) - (low.level or 0) if low and high else 0
    straddles = bool(
        low and high and (low.level or 0) < low.target and (high.level or 0) >= high.target
    )
    matters = spread > CONSISTENT_SPREAD and straddles
    return CrossFrameworkRow(
        topic=f"{answer.ref} {answer.title}",
        refs=tuple(CrossRef(m.framework_id, m.ref, m.title, m.answer_text) for m in members),
        consistent=not matters,
        note=f"answers differ by {spread} levels across the target" if matters else "",
        spread=spread,
        lowest=_side(low),
        highest=_side(high),
    )


def _side(answer: Answer | None) -> str:
    if answer is None:
        return ""
    return f"{answer.ref} {answer.title}: level {answer.level}"


def _answer_text(value: int | str | None) -> str:
    if value is None:
        return "—"
    return "N/A" if value == "na" else str(value)


def build_comparison(
    workspace: Workspace,
    previous_id: int,
    current_id: int,
    frameworks: Sequence[FrameworkResult] = (),
) -> Comparison | None:
    """Return the comparison with the previous assessment, or None when it is gone.

    The nodes compared are those the results section shows: each framework as a whole, then
    its charted categories (:meth:`FrameworkResult.chart_nodes`), framework by framework.
    """
    from app.services.errors import UserError

    try:
        comparison = compare_assessments(workspace, previous_id, current_id)
    except UserError as exc:
        logger.warning("no comparison with assessment %s: %s", previous_id, exc)
        return None
    previous = comparison.first
    rows = {row["id"]: row for row in comparison.nodes}
    nodes = []
    for framework in frameworks:
        for index, node_id in enumerate(
            [framework.framework_id, *(n.id for n in framework.chart_nodes())]
        ):
            row = rows.get(node_id)
            if row is None:
                continue
            nodes.append(
                NodeChange(
                    framework_id=framework.framework_id,
                    ref=node_id.rsplit("/", 1)[-1],
                    title=framework.title if index == 0 else row["title"],
                    previous_mean=row["mean"]["first"],
                    current_mean=row["mean"]["second"],
                    previous_achieved=row["achieved_level"]["first"],
                    current_achieved=row["achieved_level"]["second"],
                    whole_framework=index == 0,
                )
            )
    changed = [q for q in comparison.questions if q["change"] != "unchanged"]
    stamp = previous.finalized_at or previous.created_at
    return Comparison(
        previous_title=previous.title,
        previous_date=stamp.date() if stamp else None,
        previous_ref=assessment_ref(previous.id),
        nodes=tuple(nodes),
        questions=tuple(
            QuestionChange(
                question_id=q["question_id"],
                ref=q["ref"],
                title=q["title"],
                previous=_answer_text(q["first"]),
                current=_answer_text(q["second"]),
                change=q["change"],
            )
            for q in changed
        ),
        unchanged=len(comparison.questions) - len(changed),
    )
