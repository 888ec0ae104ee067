"""Score an assessment per category, function, focus area, framework and overall; compare two.

Node keys are stable text so two assessments can be compared node by node: the framework id
(``nist-ir-8596``), then ``<framework>/<focus area>`` for frameworks with focus areas, then
``<framework>[/<focus area>]/<node id>`` for each node of the framework tree down to the
question's leaf node. The arithmetic lives in :mod:`app.domain.scoring`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.schema import Framework, Node, Question
from app.domain.enums import EvidenceStrength
from app.domain.scoring import METHOD_TEXT, NodeScore, ScoredItem, ScoreResult, score_items
from app.services.assessments import (
    AssessmentInfo,
    AssessmentQuestions,
    ResponseInfo,
    list_responses,
    load_questions,
)
from app.services.errors import UserError
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

__all__ = [
    "METHOD_TEXT",
    "AssessmentScore",
    "Comparison",
    "NodeInfo",
    "compare_assessments",
    "effective_strength",
    "node_path",
    "score_assessment",
    "score_loaded",
]

_FIGURES = ("mean", "achieved_level", "coverage", "completeness", "gap", "confidence", "target")
_ROUND = 4


@dataclass(frozen=True)
class NodeInfo:
    """What a node key stands for: its title, kind and depth."""

    key: str
    title: str
    kind: str
    ref: str


_PATH_CACHE_SIZE = 8


@dataclass(frozen=True)
class _Paths:
    """Every question's node keys, and every node's description, of one framework file."""

    keys: dict[str, tuple[str, ...]]
    nodes: dict[str, NodeInfo]


_paths: OrderedDict[tuple[str, str], _Paths] = OrderedDict()


def _framework_paths(framework: Framework) -> _Paths:
    """Return the node paths of a framework's questions, computed once per file hash."""
    key = (framework.id, framework.sha256)
    paths = _paths.get(key)
    if paths is None or not framework.sha256:
        keys: dict[str, tuple[str, ...]] = {}
        nodes: dict[str, NodeInfo] = {}
        for question in framework.questions:
            path = node_path(framework, question)
            keys[question.id] = tuple(info.key for info in path)
            nodes.update((info.key, info) for info in path)
        paths = _paths[key] = _Paths(keys, nodes)
        while len(_paths) > _PATH_CACHE_SIZE:
            _paths.popitem(last=False)
    return paths


def node_path(framework: Framework, question: Question) -> tuple[NodeInfo, ...]:
    """Return the scoring nodes a question rolls up into, framework first."""
    path = [NodeInfo(framework.id, framework.title, "framework", framework.id)]
    prefix = framework.id
    if "focus_area" in framework.dimensions and question.focus_area is not None:
        focus = question.focus_area.value
        prefix = f"{framework.id}/{focus}"
        path.append(NodeInfo(prefix, focus.capitalize(), "focus_area", focus))
    for node in framework.question_path(question.id):
        path.append(NodeInfo(f"{prefix}/{node.id}", _node_title(node), node.kind.value, node.id))
    return tuple(path)


def _node_title(node: Node) -> str:
    """Return "<id> <title>" unless the title already starts with the id as a word."""
    if node.title == node.id or node.title.startswith(f"{node.id} "):
        return node.title
    return f"{node.id} {node.title}"


def effective_strength(response: ResponseInfo) -> str | None:
    """Return the strength scoring uses: as recorded, else a document when a file is linked."""
    if response.evidence_strength is None and response.evidence_ids:
        return EvidenceStrength.DOCUMENT.value
    return response.evidence_strength


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, _ROUND)


def _node_dict(score: NodeScore, info: NodeInfo | None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": score.key}
    if info is not None:
        data |= {"title": info.title, "kind": info.kind, "ref": info.ref}
    data |= {name: _round(getattr(score, name)) for name in _FIGURES}
    data |= {
        "parent": score.path[-2] if len(score.path) > 1 else None,
        "depth": len(score.path) - 1,
        "questions": score.questions,
        "applicable": score.applicable,
        "answered": score.answered,
        "not_applicable": score.not_applicable,
        "at_target": score.at_target,
    }
    return data


@dataclass(frozen=True)
class AssessmentScore:
    """An assessment's scores with the titles of its nodes."""

    assessment: AssessmentInfo
    result: ScoreResult
    nodes: dict[str, NodeInfo]
    method: str = METHOD_TEXT

    def node(self, key: str) -> NodeScore:
        """Return the score of one node.

        Raises:
            KeyError: The assessment has no such node.
        """
        return self.result.node(key)

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"overall": {...}, "nodes": [...]}`` with figures rounded to 4 places."""
        overall = _node_dict(self.result.overall, NodeInfo("overall", "Overall", "overall", ""))
        overall.pop("parent")
        overall.pop("depth")
        return {
            "assessment": self.assessment.id,
            "overall": overall,
            "nodes": [_node_dict(s, self.nodes.get(s.key)) for s in self.result.nodes],
        }


def _items(
    loaded: AssessmentQuestions, responses: Sequence[ResponseInfo]
) -> tuple[list[ScoredItem], dict[str, NodeInfo]]:
    target = loaded.info.target_level
    items: list[ScoredItem] = []
    nodes: dict[str, NodeInfo] = {}
    owner: dict[str, tuple[Question, tuple[str, ...]]] = {}
    for framework in loaded.frameworks:
        paths = _framework_paths(framework)
        nodes.update(paths.nodes)
        for question in framework.questions:
            owner[question.id] = (question, paths.keys[question.id])
    for response in responses:
        found = owner.get(response.question_id)
        if found is None:
            continue
        question, keys = found
        items.append(
            ScoredItem(
                question_id=question.id,
                node_path=keys,
                weight=question.weight,
                priority=question.priority,
                level=response.level,
                not_applicable=response.not_applicable,
                target=target if response.target_override is None else response.target_override,
                strength=effective_strength(response),
            )
        )
    return items, nodes


def score_loaded(loaded: AssessmentQuestions, responses: Sequence[ResponseInfo]) -> AssessmentScore:
    """Score an assessment already read from the workspace (no database access)."""
    items, nodes = _items(loaded, responses)
    result = score_items(items)
    return AssessmentScore(loaded.info, result, {key: nodes[key] for key in result.by_key})


def score_assessment(workspace: Workspace, assessment_id: int) -> AssessmentScore:
    """Score an assessment: every node and overall, per DESIGN §6.

    Raises:
        UserError: No such assessment.
    """
    loaded = load_questions(workspace, assessment_id)
    return score_loaded(loaded, list_responses(workspace, assessment_id))


# --------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Comparison:
    """Two assessments of one system, question by question and node by node (B against A)."""

    first: AssessmentInfo
    second: AssessmentInfo
    questions: list[dict[str, Any]]
    nodes: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready data."""
        return {
            "first": self.first.as_dict(),
            "second": self.second.as_dict(),
            "questions": self.questions,
            "nodes": self.nodes,
        }

    def counts(self) -> dict[str, int]:
        """Return how many questions changed in each way."""
        out: dict[str, int] = {}
        for row in self.questions:
            out[row["change"]] = out.get(row["change"], 0) + 1
        return out


def _answer_text(response: ResponseInfo | None) -> int | str | None:
    if response is None:
        return None
    return "na" if response.not_applicable else response.level


def _change(a: ResponseInfo | None, b: ResponseInfo | None) -> str:
    if a is None:
        return "added"
    if b is None:
        return "removed"
    old, new = _answer_text(a), _answer_text(b)
    if old == new:
        return "unchanged"
    if isinstance(old, int) and isinstance(new, int):
        return "improved" if new > old else "regressed"
    if new is None:
        return "no longer answered"
    if old is None:
        return "newly answered"
    return "n/a changed"


def _question_rows(
    first: AssessmentQuestions,
    second: AssessmentQuestions,
    a_resp: dict[str, ResponseInfo],
    b_resp: dict[str, ResponseInfo],
) -> list[dict[str, Any]]:
    titles = {q.id: (q.ref, q.title) for _, q in (*first.entries(), *second.entries())}
    order = list(dict.fromkeys([*a_resp, *b_resp]))
    rows = []
    for qid in order:
        a, b = a_resp.get(qid), b_resp.get(qid)
        old, new = _answer_text(a), _answer_text(b)
        delta = new - old if isinstance(old, int) and isinstance(new, int) else None
        ref, title = titles.get(qid, ("", ""))
        rows.append(
            {
                "question_id": qid,
                "ref": ref,
                "title": title,
                "first": old,
                "second": new,
                "delta": delta,
                "change": _change(a, b),
            }
        )
    return rows


def _node_rows(a: AssessmentScore, b: AssessmentScore) -> list[dict[str, Any]]:
    a_nodes = {n.key: n for n in a.result.nodes}
    b_nodes = {n.key: n for n in b.result.nodes}
    rows = []
    for key in dict.fromkeys([*a_nodes, *b_nodes]):
        info = a.nodes.get(key) or b.nodes.get(key)
        row: dict[str, Any] = {"id": key, "title": info.title if info else key}
        for name in ("mean", "achieved_level", "coverage", "completeness", "gap"):
            old = getattr(a_nodes[key], name) if key in a_nodes else None
            new = getattr(b_nodes[key], name) if key in b_nodes else None
            delta = _round(new - old) if old is not None and new is not None else None
            row[name] = {"first": _round(old), "second": _round(new), "delta": delta}
        rows.append(row)
    return rows


def compare_assessments(workspace: Workspace, first_id: int, second_id: int) -> Comparison:
    """Compare two assessments of the same AI system (changes read from first to second).

    Raises:
        UserError: Either assessment is missing, or they assess different systems.
    """
    first, second = load_questions(workspace, first_id), load_questions(workspace, second_id)
    if first.info.system_id != second.info.system_id:
        raise UserError(
            f"assessments {first_id} ({first.info.system}) and {second_id} "
            f"({second.info.system}) assess different systems"
        )
    a_list, b_list = list_responses(workspace, first_id), list_responses(workspace, second_id)
    a_resp = {r.question_id: r for r in a_list}
    b_resp = {r.question_id: r for r in b_list}
    questions = _question_rows(first, second, a_resp, b_resp)
    nodes = _node_rows(score_loaded(first, a_list), score_loaded(second, b_list))
    return Comparison(first.info, second.info, questions, nodes)
