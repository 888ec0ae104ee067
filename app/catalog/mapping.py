"""Content versions: how a framework file says what changed since an earlier version.

A new version of a framework carries, for each earlier version it can take answers from, a
mapping from the old question ids to its own::

    upgrades:
      - from_version: "2025"
        changes:
          - {from: nhi.NHI1, to: [nhi.NHI1], change: unchanged}
          - {from: nhi.NHI2, to: [nhi.NHI2-secrets], change: reworded}   # renamed, same meaning
          - {from: nhi.NHI3, to: [nhi.NHI3a, nhi.NHI3b], change: split}
          - {from: nhi.NHI4, to: [nhi.NHI45], change: merged}
          - {from: nhi.NHI5, to: [nhi.NHI45], change: merged}
          - {from: nhi.NHI6, to: [], change: removed}
          - {from: nhi.NHI7, to: [nhi.NHI7], change: changed}

An old id the mapping does not list keeps its answer when the new version has a question of
the same id (``unchanged``) and is ``removed`` otherwise. What each change does to an answer
is :data:`CARRIES` and :data:`TO_REVIEW`. This module also picks the newest of several shipped
versions of one framework (:func:`newest_versions`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from app.catalog.schema import Framework

logger = logging.getLogger(__name__)

_QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_IDENTIFIER_RE = r"^(10\.\d{4,9}/\S+|https://\S+|urn:[a-z0-9][a-z0-9-]*:\S+)$"
DOI_RESOLVER = "https://doi.org/"


class ChangeKind(StrEnum):
    """What happened to an old question in a new version."""

    UNCHANGED = "unchanged"
    REWORDED = "reworded"
    CHANGED = "changed"
    SPLIT = "split"
    MERGED = "merged"
    REMOVED = "removed"


#: Changes whose answers are carried to the new question(s).
CARRIES = frozenset(set(ChangeKind) - {ChangeKind.REMOVED})
#: Changes whose carried answers are flagged for the assessor to review.
TO_REVIEW = frozenset({ChangeKind.CHANGED, ChangeKind.SPLIT, ChangeKind.MERGED})


def _question_id(value: str) -> str:
    if not _QUESTION_ID.match(value):
        raise ValueError("must be a question id (letters, digits, . - _)")
    return value


def _identifier(value: str) -> str:
    if not re.match(_IDENTIFIER_RE, value):
        raise ValueError("must be a DOI (10.NNNN/...), an https:// address or a urn:")
    return value


QuestionRef = Annotated[str, AfterValidator(_question_id)]
Identifier = Annotated[
    str, AfterValidator(_identifier), Field(json_schema_extra={"pattern": _IDENTIFIER_RE})
]


def identifier_url(identifier: str) -> str:
    """Return an address for a framework identifier: a DOI through its resolver, else itself."""
    return DOI_RESOLVER + identifier if identifier.startswith("10.") else identifier


class QuestionChange(BaseModel):
    """What became of one question of the earlier version."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: QuestionRef = Field(alias="from")
    target: tuple[QuestionRef, ...] = Field(default=(), alias="to")
    change: ChangeKind
    note: str = ""


class VersionMapping(BaseModel):
    """How the questions of one earlier version map onto this version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    from_version: str = Field(min_length=1)
    changes: tuple[QuestionChange, ...] = ()

    def change_of(self, old_id: str, new_ids: frozenset[str]) -> QuestionChange:
        """Return what became of an old question, defaulting as the module docstring says."""
        for change in self.changes:
            if change.source == old_id:
                return change
        if old_id in new_ids:
            return QuestionChange(source=old_id, target=(old_id,), change=ChangeKind.UNCHANGED)
        return QuestionChange(source=old_id, target=(), change=ChangeKind.REMOVED)

    def targets(self) -> frozenset[str]:
        """Return every new question id some old question maps to."""
        return frozenset(t for change in self.changes for t in change.target)


def _target_count_problem(change: Mapping[str, Any]) -> str | None:
    kind, targets = change.get("change"), change.get("to") or []
    if not isinstance(targets, list | tuple):
        return None
    if kind == ChangeKind.REMOVED and targets:
        return "a removed question maps to no new question"
    if kind == ChangeKind.SPLIT and len(targets) < 2:
        return "a split question maps to two or more new questions"
    one_to_one = kind in (*ChangeKind,) and kind not in (ChangeKind.REMOVED, ChangeKind.SPLIT)
    if one_to_one and len(targets) != 1:
        return f"a {kind} question maps to exactly one new question"
    return None


def _mapping_problems(
    mapping: Mapping[str, Any], loc: tuple[str | int, ...], questions: frozenset[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    out: list[tuple[tuple[str | int, ...], str]] = []
    changes = mapping.get("changes") or []
    if not isinstance(changes, list | tuple):
        return out
    seen: dict[str, int] = {}
    merged_into: dict[str, int] = {}
    for index, change in enumerate(changes):
        if not isinstance(change, Mapping):
            continue
        here = (*loc, "changes", index)
        source = change.get("from")
        if isinstance(source, str) and source in seen:
            out.append(
                ((*here, "from"), f"{source!r} is already mapped at changes[{seen[source]}]")
            )
        elif isinstance(source, str):
            seen[source] = index
        if (problem := _target_count_problem(change)) is not None:
            out.append(((*here, "to"), problem))
        targets = change.get("to") or []
        for target in targets if isinstance(targets, list | tuple) else ():
            if isinstance(target, str) and target not in questions:
                out.append(((*here, "to"), f"no question {target!r} in this file"))
            if change.get("change") == ChangeKind.MERGED and isinstance(target, str):
                merged_into[target] = merged_into.get(target, 0) + 1
    for target, count in merged_into.items():
        if count < 2:
            out.append(((*loc, "changes"), f"only one question is merged into {target!r}"))
    return out


def mapping_problems(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Return the cross-reference problems of a raw framework's ``upgrades`` section.

    Every ``to`` id must be a question of the file; an old id is mapped at most once per
    earlier version; counts of targets fit the change; a merge has two or more sources; a
    file does not map from its own version.
    """
    upgrades = data.get("upgrades") or []
    questions = data.get("questions") or []
    if not isinstance(upgrades, list | tuple) or not isinstance(questions, list | tuple):
        return []
    ids = frozenset(q.get("id") for q in questions if isinstance(q, Mapping))
    out: list[tuple[tuple[str | int, ...], str]] = []
    versions: set[str] = set()
    for index, mapping in enumerate(upgrades):
        if not isinstance(mapping, Mapping):
            continue
        version = str(mapping.get("from_version", ""))
        if version == str(data.get("version")):
            out.append((("upgrades", index, "from_version"), "is this file's own version"))
        elif version in versions:
            out.append((("upgrades", index, "from_version"), f"{version!r} is mapped twice"))
        versions.add(version)
        out.extend(_mapping_problems(mapping, ("upgrades", index), ids))
    return out


def _order_key(framework: Framework) -> tuple[str, str]:
    return (framework.published or "", framework.version)


def newest_versions(frameworks: Iterable[Framework]) -> tuple[list[Framework], list[Framework]]:
    """Split frameworks into the newest version of each id and the older ones.

    The newest is the one published last (then the highest version text); the order of
    first appearance of each id is kept.
    """
    newest: dict[str, Framework] = {}
    older: list[Framework] = []
    for framework in frameworks:
        current = newest.get(framework.id)
        if current is None:
            newest[framework.id] = framework
        elif _order_key(framework) > _order_key(current):
            older.append(current)
            newest[framework.id] = framework
        else:
            older.append(framework)
    return list(newest.values()), older
