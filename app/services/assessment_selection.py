"""Which questions a new assessment asks, and which of them a system inherits.

A scope names, per framework, the focus areas, the highest priority and the nodes to keep
(a preset fills it in, or the caller). The organisation assessment asks the questions whose
scope is ``organisation`` or ``either``, whatever the system; a system assessment asks those
that apply to the system and, once the engagement has an organisation assessment, inherits the
``organisation`` ones and the ``either`` ones the organisation assessment has answered. Without
an organisation assessment a system assessment answers every question itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.schema import Framework, Question
from app.domain.enums import FocusArea, Origin, Scope
from app.services.errors import UserError
from app.storage.models import AISystem
from app.support.text import plural

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameworkFilter:
    """What one framework of an assessment keeps.

    Attributes:
        focus_areas: IR 8596 focus areas to keep; all when None.
        max_priority: Keep priority <= this (1 High only … 3 all); all when None.
        nodes: Keep questions under these nodes; all when empty.
    """

    focus_areas: tuple[str, ...] | None = None
    max_priority: int | None = None
    nodes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the filter as stored in an assessment's scope."""
        return {
            "focus_areas": list(self.focus_areas) if self.focus_areas is not None else None,
            "max_priority": self.max_priority,
            "nodes": list(self.nodes),
        }


def focus_set(values: Iterable[str] | None) -> frozenset[FocusArea] | None:
    """Return focus areas from their names.

    Raises:
        UserError: An unknown name, or an empty choice.
    """
    if values is None:
        return None
    chosen = set()
    for value in values:
        try:
            chosen.add(FocusArea(value.strip().lower()))
        except ValueError:
            known = ", ".join(f.value for f in FocusArea)
            raise UserError(f"unknown focus area {value!r} (use {known})") from None
    if not chosen:
        raise UserError("choose at least one focus area")
    return frozenset(chosen)


def check_filter(framework: Framework, chosen: FrameworkFilter) -> FrameworkFilter:
    """Return the filter with its focus areas normalised, refusing unknown values.

    Raises:
        UserError: Unknown focus area or node, or a priority other than 1–3.
    """
    if chosen.max_priority is not None and chosen.max_priority not in (1, 2, 3):
        raise UserError("--max-priority must be 1 (High), 2 (Moderate) or 3 (Foundational)")
    for node in chosen.nodes:
        if not framework.has_node(node):
            raise UserError(f"{framework.id} has no node {node!r}")
    focus = focus_set(chosen.focus_areas)
    names = tuple(sorted(f.value for f in focus)) if focus is not None else None
    return FrameworkFilter(names, chosen.max_priority, tuple(chosen.nodes))


def _under(framework: Framework, nodes: Sequence[str]) -> frozenset[str] | None:
    if not nodes:
        return None
    return frozenset(q.id for node in nodes for q in framework.questions_under(node))


def select(
    framework: Framework, system: AISystem | None, chosen: FrameworkFilter
) -> list[Question]:
    """Return the questions an assessment of ``system`` (None: the organisation) asks.

    Raises:
        UserError: No question is left, naming why.
    """
    focus = focus_set(chosen.focus_areas)
    questions = framework.select(
        autonomy=system.autonomy if system is not None else None,
        uses_tools=bool(system.tools) if system is not None else False,
        focus_areas=focus,
        max_priority=chosen.max_priority,
    )
    if system is None:  # the organisation answers whatever the kind of system
        every = framework.select(focus_areas=focus, max_priority=chosen.max_priority)
        kept = [q for q in every if framework.scope_of(q) != Scope.SYSTEM]
    else:
        kept = list(questions)
    under = _under(framework, chosen.nodes)
    kept = [q for q in kept if under is None or q.id in under]
    if not kept:
        raise UserError(_nothing_left(framework, system))
    return kept


def _nothing_left(framework: Framework, system: AISystem | None) -> str:
    if system is None:
        return (
            f"no organisation-level question of {framework.id} is in this scope; "
            "its questions are answered per system"
        )
    acts = f"autonomy {system.autonomy or 'not recorded'}, {plural(len(system.tools), 'tool')}"
    return (
        f"no question of {framework.id} is in scope for {system.external_id} ({acts}); "
        "it applies only to systems that act, or the focus/priority/node filter excludes all"
    )


def origin_of(framework: Framework, question: Question, organisation_answered: bool) -> Origin:
    """Return where a system assessment takes a question's answer from."""
    scope = framework.scope_of(question)
    if scope == Scope.ORGANISATION or (scope == Scope.EITHER and organisation_answered):
        return Origin.INHERITED
    return Origin.OWN


def filters_for(
    frameworks: Sequence[Framework],
    focus_areas: Iterable[str] | None,
    max_priority: int | None,
    per_framework: Mapping[str, FrameworkFilter] | None,
) -> dict[str, FrameworkFilter]:
    """Return each framework's filter: its own when given, else the assessment-wide one.

    Raises:
        UserError: As :func:`check_filter`, or a filter for a framework not chosen.
    """
    extra = set(per_framework or {}) - {fw.id for fw in frameworks}
    if extra:
        named = plural(len(extra), "framework", number=False)
        raise UserError(f"a filter names {named} not chosen: {', '.join(sorted(extra))}")
    common = FrameworkFilter(tuple(focus_areas) if focus_areas is not None else None, max_priority)
    return {fw.id: check_filter(fw, (per_framework or {}).get(fw.id, common)) for fw in frameworks}
