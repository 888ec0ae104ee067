"""The questionnaire file format (``schema_version: 1``) as pydantic models.

One YAML file per framework version, ``assessments/<framework-id>/<version>.yaml``::

    schema_version: 1
    id: nist-ai-rmf                 # framework id: lower-case letters, digits, '-'
    version: "1.0"
    title: "..."
    publisher: "NIST"
    published: "2023-01-26"         # YYYY, YYYY-MM or YYYY-MM-DD
    identifier: "10.6028/NIST.AI.100-1"   # DOI, https:// address or urn: of the publication
    source_note: "..."
    dimensions: [focus_area]        # optional; then every question names its focus area
    nodes:                          # the tree; node ids unique within the file
      - {id: GOVERN, kind: function, title: GOVERN, summary: "...", children: [...],
         scope: organisation, scope_reason: "..."}
    questions:
      - id: airmf.GOVERN-1.1        # unique across every loaded file (one prefix per framework)
        ref: "GOVERN 1.1"           # the framework's own reference, exact
        title: "..."
        node: GOVERN-1              # a leaf node: the question's path is that node's ancestry
        focus_area: null            # secure | defend | thwart (only with the dimension)
        priority: null              # 1 High, 2 Moderate, 3 Foundational, or null
        weight: 1.0                 # 0 < weight <= 10
        prompt: "..."               # the assessor's question
        guidance: "..."             # what good looks like and where to look (for the assessor)
        recommendation: "..."       # advice to the client when below target (for the report)
        evidence: ["...", "..."]    # at least one item to request
        levels: {0: "...", 5: "..."}  # optional level descriptors, keys 0..5
        scope: organisation         # organisation | system | either; else the node's (below)
        scope_reason: "..."         # why, where a question differs from its node
        applies_to: {}              # see Applicability; {} applies always
        inventory_facts: []         # inventory facts that can answer it, e.g. identity.last_rotated
        references: []
    upgrades: []                    # mappings from earlier versions, see app.catalog.mapping

Scope says who answers a question: ``organisation`` (once, in the engagement's organisation
assessment; every system assessment inherits it), ``system`` (each AI system) or ``either``
(the organisation may answer it for all; a system answers it itself where the organisation did
not). A question takes the scope of its nearest node that names one, ``system`` when none does;
a node that names a scope must give its ``scope_reason``, and so must a question whose scope
differs from its node's.

Questions hang under leaf nodes only, so a question's path (root node to leaf node) is
unambiguous and no node mixes its own questions with child nodes in a score.

The crosswalk file ``assessments/crosswalk.yaml`` links questions or nodes::

    schema_version: 1
    links:
      - {from: asi.ASI03.m1, to: ir8596.secure.PR.AA-05, type: related}
      - {from: "owasp-asi:ASI03", to: airmf.GOVERN-1.6, type: supports}

A link end without a colon is a question id; ``<framework-id>:<node-id>`` names a node (and
through it every question below that node). Question ids never contain a colon, so the two
forms cannot be confused. Link types: equivalent, related, supports, partial.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from app.catalog.errors import UnknownIdError
from app.catalog.mapping import Identifier, VersionMapping, mapping_problems
from app.catalog.structure import crosswalk_problems, framework_problems, merge_errors
from app.domain.enums import Autonomy, FocusArea, Scope

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

#: The inventory records and fields a question may name as ``<record>.<field>`` in
#: ``inventory_facts`` (DESIGN §5 canonical fields, plus ``analysis.*`` results of the identity
#: analysis).
INVENTORY_FIELDS: dict[str, tuple[str, ...]] = {
    "system": (
        "owner_name", "owner_email", "business_unit", "provider", "model", "lifecycle_stage",
        "environment", "autonomy", "data_classification", "exposure", "tools", "identities",
        "review_due",
    ),
    "identity": (
        "name", "kind", "provider", "owner_email", "systems", "environment", "created",
        "last_rotated", "last_used", "expires", "revocation_procedure",
    ),
    "resource": ("kind", "environment", "sensitivity"),
    "grant": ("action", "scope", "approval_required", "logged", "last_used"),
    "delegation": ("from_identity", "to_identity", "kind"),
    "analysis": ("blast_radius", "delegation_chain", "hygiene_findings"),
}  # fmt: skip
INVENTORY_FACTS: frozenset[str] = frozenset(
    f"{record}.{field}" for record, fields in INVENTORY_FIELDS.items() for field in fields
)

_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_FRAMEWORK_ID_RE = r"^[a-z0-9][a-z0-9-]*$"
_PUBLISHED_RE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _matches(pattern: str, message: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(message)
        return value

    return check


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _non_empty(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if not value:
        raise ValueError("must list at least one item")
    return value


NonEmpty = AfterValidator(_non_empty)
_MIN_ONE = Field(json_schema_extra={"minItems": 1})


def _known_fact(value: str) -> str:
    if value not in INVENTORY_FACTS:
        raise ValueError(f"unknown inventory fact {value!r} (schema.json lists the known ones)")
    return value


def _date_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


Text = Annotated[str, AfterValidator(_not_blank), Field(min_length=1)]
NodeId = Annotated[
    str,
    AfterValidator(
        _matches(_ID_RE, "must start with a letter or digit and use only letters, digits, . - _")
    ),
    Field(json_schema_extra={"pattern": _ID_RE}),
]
FrameworkId = Annotated[
    str,
    AfterValidator(_matches(_FRAMEWORK_ID_RE, "must use only lower-case letters, digits and -")),
    Field(json_schema_extra={"pattern": _FRAMEWORK_ID_RE}),
]
LinkEnd = Annotated[
    str,
    AfterValidator(
        _matches(
            r"^([a-z0-9][a-z0-9-]*:)?[A-Za-z0-9][A-Za-z0-9._-]*$",
            "must be a question id or <framework-id>:<node-id>",
        )
    ),
]
FactName = Annotated[
    str, AfterValidator(_known_fact), Field(json_schema_extra={"enum": sorted(INVENTORY_FACTS)})
]
Level = Annotated[int, Field(ge=0, le=5)]


class NodeKind(StrEnum):
    """What a node of a framework tree stands for."""

    FUNCTION = "function"
    CATEGORY = "category"
    RISK = "risk"
    SECTION = "section"


class LinkType(StrEnum):
    """How two crosswalk ends relate."""

    EQUIVALENT = "equivalent"
    RELATED = "related"
    SUPPORTS = "supports"
    PARTIAL = "partial"


def _validate_all(
    name: str,
    data: Any,
    handler: ValidatorFunctionWrapHandler,
    structure_problems: Callable[[Mapping[str, Any]], list[Any]],
) -> Any:
    """Run pydantic's field checks and the cross-reference checks, reporting both at once."""
    extra = structure_problems(data) if isinstance(data, Mapping) else []
    try:
        model = handler(data)
    except ValidationError as exc:
        raise merge_errors(name, exc, extra) from None
    if extra:
        raise merge_errors(name, None, extra)
    return model


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Node(_Model):
    """One node of a framework tree: a function, category, risk or section."""

    id: NodeId
    kind: NodeKind
    title: Text
    summary: str = ""
    scope: Scope | None = None
    scope_reason: str = ""
    children: tuple[Node, ...] = ()


class Applicability(_Model):
    """When a question applies; every condition given must hold, none given means always.

    Attributes:
        autonomy: The system's autonomy must be one of these.
        uses_tools: The system must (true) or must not (false) have tools.
        agentic: The system must (true) or must not (false) act: autonomy human-on-the-loop
            or autonomous, or any tools.
    """

    autonomy: tuple[Autonomy, ...] | None = None
    uses_tools: bool | None = None
    agentic: bool | None = None

    def matches(self, autonomy: Autonomy | str | None, uses_tools: bool) -> bool:
        """Return True when a system with this autonomy and tool use meets every condition."""
        level = Autonomy(autonomy) if autonomy else None
        if self.autonomy is not None and level not in self.autonomy:
            return False
        if self.uses_tools is not None and self.uses_tools != uses_tools:
            return False
        if self.agentic is not None:
            acts = uses_tools or level in (Autonomy.HUMAN_ON_THE_LOOP, Autonomy.AUTONOMOUS)
            if self.agentic != acts:
                return False
        return True


class Question(_Model):
    """One assessable question, answered on the 0–5 maturity scale."""

    id: NodeId
    ref: Text
    title: Text
    node: NodeId
    focus_area: FocusArea | None = None
    priority: Literal[1, 2, 3] | None = None
    weight: float = Field(default=1.0, gt=0, le=10)
    prompt: Text
    guidance: str = ""
    #: Advice to the client when the question falls short, in the report's voice; kept apart
    #: from ``guidance`` (the assessor's how-to-check notes). Older stored texts have none.
    recommendation: str = ""
    evidence: Annotated[tuple[Text, ...], NonEmpty, _MIN_ONE]
    levels: dict[Level, Text] = Field(default_factory=dict)
    scope: Scope | None = None
    scope_reason: str = ""
    applies_to: Applicability = Field(default_factory=Applicability)
    inventory_facts: tuple[FactName, ...] = ()
    references: tuple[Text, ...] = ()


class Framework(_Model):
    """One framework version: its node tree and its questions.

    ``sha256``, ``source_name`` and ``custom`` describe where the loaded copy came from; they
    are set by the loader and are not part of the file.
    """

    schema_version: Literal[1]
    id: FrameworkId
    version: Text
    title: Text
    publisher: str = ""
    published: Annotated[
        str,
        BeforeValidator(_date_text),
        AfterValidator(_matches(_PUBLISHED_RE, "must be YYYY, YYYY-MM or YYYY-MM-DD")),
    ] = ""
    identifier: Identifier | None = None
    source_note: str = ""
    dimensions: tuple[Literal["focus_area"], ...] = ()
    nodes: Annotated[tuple[Node, ...], NonEmpty, _MIN_ONE]
    questions: Annotated[tuple[Question, ...], NonEmpty, _MIN_ONE]
    upgrades: tuple[VersionMapping, ...] = ()

    _sha256: str = PrivateAttr(default="")
    _source_name: str = PrivateAttr(default="")
    _custom: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _check_structure(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Framework:
        return _validate_all(cls.__name__, data, handler, _framework_and_mapping_problems)

    def mapping_from(self, version: str) -> VersionMapping | None:
        """Return this version's mapping from an earlier version, or None if it has none."""
        return next((m for m in self.upgrades if m.from_version == version), None)

    def set_origin(self, *, sha256: str, source_name: str, custom: bool) -> Framework:
        """Record where this copy was loaded from (used by the loader) and return it."""
        self._sha256, self._source_name, self._custom = sha256, source_name, custom
        return self

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the file bytes this copy was loaded from."""
        return self._sha256

    @property
    def source_name(self) -> str:
        """Return the file name this copy was loaded from."""
        return self._source_name

    @property
    def custom(self) -> bool:
        """Return True for a user's own framework, False for a shipped one."""
        return self._custom

    @cached_property
    def _parents(self) -> dict[str, Node | None]:
        parents: dict[str, Node | None] = {}
        stack: list[tuple[Node, Node | None]] = [(n, None) for n in self.nodes]
        while stack:
            node, parent = stack.pop()
            parents[node.id] = parent
            stack.extend((child, node) for child in node.children)
        return parents

    @cached_property
    def _nodes(self) -> dict[str, Node]:
        return {node.id: node for node in self.iter_nodes()}

    @cached_property
    def _questions(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def iter_nodes(self) -> tuple[Node, ...]:
        """Return every node, depth first in file order."""
        out: list[Node] = []
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return tuple(out)

    def node(self, node_id: str) -> Node:
        """Return the node with this id.

        Raises:
            UnknownIdError: No such node in this framework.
        """
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownIdError(f"{self.id} has no node {node_id!r}") from None

    def has_node(self, node_id: str) -> bool:
        """Return True when this framework has a node with this id."""
        return node_id in self._nodes

    def node_path(self, node_id: str) -> tuple[Node, ...]:
        """Return the nodes from the root down to (and including) ``node_id``."""
        path = [self.node(node_id)]
        while (parent := self._parents[path[-1].id]) is not None:
            path.append(parent)
        return tuple(reversed(path))

    def question(self, question_id: str) -> Question:
        """Return the question with this id.

        Raises:
            UnknownIdError: No such question in this framework.
        """
        try:
            return self._questions[question_id]
        except KeyError:
            raise UnknownIdError(f"{self.id} has no question {question_id!r}") from None

    def question_path(self, question_id: str) -> tuple[Node, ...]:
        """Return the nodes from the root down to the question's leaf node."""
        return self.node_path(self.question(question_id).node)

    def node_scope(self, node_id: str) -> Scope:
        """Return the scope a node gives its questions: its own or its nearest ancestor's."""
        for node in reversed(self.node_path(node_id)):
            if node.scope is not None:
                return node.scope
        return Scope.SYSTEM

    def scope_of(self, question: Question) -> Scope:
        """Return who answers a question: its own scope, else its node's (``system`` at last)."""
        return question.scope or self.node_scope(question.node)

    def questions_under(self, node_id: str) -> tuple[Question, ...]:
        """Return the questions at or below a node, in file order."""
        below = {node.id for node in _descendants(self.node(node_id))}
        return tuple(q for q in self.questions if q.node in below)

    def select(
        self,
        *,
        autonomy: Autonomy | str | None = None,
        uses_tools: bool = False,
        focus_areas: frozenset[FocusArea] | set[FocusArea] | None = None,
        max_priority: int | None = None,
    ) -> tuple[Question, ...]:
        """Return the questions in scope for a system and an assessment's choices.

        Args:
            autonomy: The system's autonomy (for ``applies_to``).
            uses_tools: Whether the system has tools (for ``applies_to``).
            focus_areas: Keep only these focus areas (questions without one are kept).
            max_priority: Keep only questions with priority <= this (questions without one
                are kept); e.g. 1 keeps High only.
        """
        chosen = []
        for question in self.questions:
            if not question.applies_to.matches(autonomy, uses_tools):
                continue
            if focus_areas is not None and question.focus_area not in (None, *focus_areas):
                continue
            if max_priority is not None and (question.priority or 0) > max_priority:
                continue
            chosen.append(question)
        return tuple(chosen)


def _framework_and_mapping_problems(data: Mapping[str, Any]) -> list[Any]:
    return [*framework_problems(data), *mapping_problems(data)]


def _descendants(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


class Link(_Model):
    """One crosswalk link between two questions or nodes."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: LinkEnd = Field(alias="from")
    target: LinkEnd = Field(alias="to")
    type: LinkType
    note: str = ""


class Crosswalk(_Model):
    """The links between frameworks (``assessments/crosswalk.yaml``)."""

    schema_version: Literal[1]
    links: tuple[Link, ...] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _check_structure(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Crosswalk:
        return _validate_all(cls.__name__, data, handler, crosswalk_problems)
