"""Cross-reference checks of a framework or crosswalk file, run on the raw parsed data.

Field checks belong to pydantic; these checks look across records (unique ids, a question's
node exists and is a leaf, focus areas match the declared dimensions). They work on the raw
mapping and tolerate malformed parts, so the loader can report them together with every field
error in one pass instead of only after the fields are fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

logger = logging.getLogger(__name__)

Loc = tuple[str | int, ...]
StructureProblem = tuple[Loc, str]


def _walk_nodes(
    nodes: Any, loc: Loc, seen: dict[str, Loc], leaf: dict[str, bool], out: list[StructureProblem]
) -> None:
    if not isinstance(nodes, list | tuple):
        return
    for index, node in enumerate(nodes):
        if not isinstance(node, Mapping):
            continue
        here = (*loc, index)
        node_id = node.get("id")
        children = node.get("children") or []
        if isinstance(node_id, str):
            if (first := seen.get(node_id)) is not None:
                out.append(
                    (
                        (*here, "id"),
                        f"duplicate node id {node_id!r} (first at {format_location(first)})",
                    )
                )
            else:
                seen[node_id] = here
                leaf[node_id] = not children
        _walk_nodes(children, (*here, "children"), seen, leaf, out)


def framework_problems(data: Mapping[str, Any]) -> list[StructureProblem]:
    """Return the cross-reference problems of a raw framework mapping."""
    out: list[StructureProblem] = []
    seen_nodes: dict[str, Loc] = {}
    leaf: dict[str, bool] = {}
    _walk_nodes(data.get("nodes"), ("nodes",), seen_nodes, leaf, out)
    questions = data.get("questions")
    if not isinstance(questions, list | tuple):
        return out
    dimensions = data.get("dimensions") or []
    wants_focus = isinstance(dimensions, list | tuple) and "focus_area" in dimensions
    seen_questions: dict[str, int] = {}
    node_scopes: dict[str, Any] = {}
    _scope_walk(data.get("nodes"), ("nodes",), "system", node_scopes, out)
    for index, question in enumerate(questions):
        if not isinstance(question, Mapping):
            continue
        out.extend(_question_problems(question, index, seen_questions, leaf, wants_focus))
        out.extend(_question_scope_problems(question, index, node_scopes))
    return out


def _scope_walk(
    nodes: Any, loc: Loc, inherited: Any, scopes: dict[str, Any], out: list[StructureProblem]
) -> None:
    """Record each node's effective scope; a node naming a scope must say why."""
    if not isinstance(nodes, list | tuple):
        return
    for index, node in enumerate(nodes):
        if not isinstance(node, Mapping):
            continue
        here = (*loc, index)
        own = node.get("scope")
        if own is not None and not str(node.get("scope_reason") or "").strip():
            out.append(((*here, "scope_reason"), f"is required: the node sets scope {own!r}"))
        scope = own if own is not None else inherited
        if isinstance(node.get("id"), str):
            scopes[node["id"]] = scope
        _scope_walk(node.get("children"), (*here, "children"), scope, scopes, out)


def _question_scope_problems(
    question: Mapping[str, Any], index: int, node_scopes: dict[str, Any]
) -> list[StructureProblem]:
    own, node = question.get("scope"), question.get("node")
    if own is None or not isinstance(node, str) or node not in node_scopes:
        return []
    if own != node_scopes[node] and not str(question.get("scope_reason") or "").strip():
        message = f"is required: scope {own!r} differs from node {node}'s {node_scopes[node]!r}"
        return [(("questions", index, "scope_reason"), message)]
    return []


def _question_problems(
    question: Mapping[str, Any],
    index: int,
    seen: dict[str, int],
    leaf: dict[str, bool],
    wants_focus: bool,
) -> list[StructureProblem]:
    out: list[StructureProblem] = []
    loc: Loc = ("questions", index)
    qid, node = question.get("id"), question.get("node")
    if isinstance(qid, str):
        if qid in seen:
            out.append(
                ((*loc, "id"), f"duplicate question id {qid!r} (first at questions[{seen[qid]}])")
            )
        else:
            seen[qid] = index
    if isinstance(node, str) and node not in leaf:
        out.append(((*loc, "node"), f"no node {node!r} in nodes"))
    elif isinstance(node, str) and not leaf[node]:
        out.append(
            ((*loc, "node"), f"node {node!r} has child nodes; questions hang under leaf nodes")
        )
    focus = question.get("focus_area")
    if wants_focus and focus is None:
        out.append(
            ((*loc, "focus_area"), "is required: the file declares the focus_area dimension")
        )
    elif not wants_focus and focus is not None:
        out.append(((*loc, "focus_area"), "only allowed when dimensions lists focus_area"))
    return out


def crosswalk_problems(data: Mapping[str, Any]) -> list[StructureProblem]:
    """Return duplicate and self-referencing links of a raw crosswalk mapping."""
    out: list[StructureProblem] = []
    links = data.get("links")
    if not isinstance(links, list | tuple):
        return out
    seen: dict[tuple[str, str], int] = {}
    for index, link in enumerate(links):
        if not isinstance(link, Mapping):
            continue
        source, target = link.get("from"), link.get("to")
        if not (isinstance(source, str) and isinstance(target, str)):
            continue
        if source == target:
            out.append((("links", index), f"links {source!r} to itself"))
        key = (source, target) if source <= target else (target, source)
        if key in seen:
            out.append((("links", index), f"duplicate of links[{seen[key]}]"))
        else:
            seen[key] = index
    return out


def merge_errors(
    title: str, exc: ValidationError | None, extra: list[StructureProblem]
) -> ValidationError:
    """Return one ValidationError holding pydantic's errors and the cross-reference problems."""
    details: list[InitErrorDetails] = []
    if exc is not None:
        for error in exc.errors():
            details.append(
                {
                    "type": PydanticCustomError(error["type"], "{msg}", {"msg": error["msg"]}),
                    "loc": error["loc"],
                    "input": error.get("input"),
                }
            )
    for loc, message in extra:
        details.append(
            {
                "type": PydanticCustomError("structure", "{msg}", {"msg": message}),
                "loc": loc,
                "input": None,
            }
        )
    return ValidationError.from_exception_data(title, details)


def format_location(loc: Loc) -> str:
    """Format a location tuple as ``questions[3].node``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
