"""The view-models every report renders from: frozen dataclasses of plain values only.

The reporting service builds a :class:`ReportData` (one assessment of one AI system) or a
:class:`PortfolioData` (every system of the engagement) from the workspace, already scored,
sorted and — for the client profile — masked with :func:`app.reports.masking.mask_secret`.
Templates, charts and workbooks read nothing else: no session, no ORM object, no catalog.

Values are ``str``, ``int``, ``float``, ``bool``, ``datetime.date`` / ``datetime.datetime``,
``None`` and tuples of these or of other view-model classes. Shares (coverage, completeness,
confidence) are fractions between 0 and 1; maturity figures are on the 0–5 scale; ``None``
means "not available" and is printed as a dash.

``tests/data/report_dummy.yaml`` holds a complete example; :mod:`app.reports.loading` turns such
a mapping into these classes and back.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.reports.viewmodels_voice import AssessorVoice

logger = logging.getLogger(__name__)

PROFILES = ("internal", "client")

#: The appendices a report can carry, in print order, with their titles.
APPENDICES: dict[str, str] = {
    "results": "Results by question group",
    "crosswalk": "Cross-framework answers in full",
    "findings": "Criteria of every finding",
    "answers": "Answers, notes and evidence",
    "not-applicable": "Not-applicable justifications",
    "evidence": "Evidence index",
    "requests": "Evidence requests",
    "review": "Review record",
}

#: The appendices each profile carries unless the assessor chooses others.
DEFAULT_APPENDICES: dict[str, tuple[str, ...]] = {
    "internal": tuple(APPENDICES),
    "client": ("findings", "not-applicable", "evidence", "requests"),
}

#: Custom attributes of an inventory record as (name, text) pairs, sorted by name.
Attributes = tuple[tuple[str, str], ...]


def _attribute_text(value: Any) -> str:
    """Return one attribute value as text: lists comma-separated, mappings as ``key: value``."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_attribute_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_attribute_text(v) for v in value)
    return str(value)


def attributes_text(attributes: Mapping[str, Any] | None) -> Attributes:
    """Return a record's custom attributes as sorted (name, text) pairs for the reports.

    Lists become comma-separated text, mappings ``key: value`` pairs separated by semicolons
    (never a Python dict as written in code), ``None`` empty text, anything else ``str()``.
    """
    pairs = [(str(name), _attribute_text(value)) for name, value in (attributes or {}).items()]
    return tuple(sorted(pairs))


_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _check_colour(value: str, name: str) -> None:
    if not _HEX_COLOUR.match(value):
        raise ValueError(f"{name} must be a colour written #rrggbb, not {value!r}")


@dataclass(frozen=True, slots=True)
class Branding:
    """How the report looks: logo, colours and the fixed texts of the cover.

    Attributes:
        organisation: The assessor's organisation, printed on the cover and in footers.
        logo: The logo as a ``data:image/png|jpeg|svg+xml;base64,…`` URI, or empty for none.
        primary_colour: Headings, cover band and table headers, ``#rrggbb``.
        accent_colour: Charts and highlights, ``#rrggbb``.
        cover_text: A short paragraph printed on the cover.
        disclaimer: The disclaimer printed under document control.
    """

    organisation: str = ""
    logo: str = ""
    primary_colour: str = "#1f3a5f"
    accent_colour: str = "#2e7d9a"
    cover_text: str = ""
    disclaimer: str = ""

    def __post_init__(self) -> None:
        _check_colour(self.primary_colour, "primary_colour")
        _check_colour(self.accent_colour, "accent_colour")
        if self.logo and not self.logo.startswith(
            ("data:image/png;", "data:image/jpeg;", "data:image/svg+xml;")
        ):
            raise ValueError("logo must be a data:image/png, jpeg or svg+xml URI")


@dataclass(frozen=True, slots=True)
class FrameworkVersion:
    """A framework used by the assessment, with its content version and chosen scope."""

    framework_id: str
    title: str
    version: str
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Revision:
    """One line of the document's revision history."""

    version: str
    date: dt.date
    author: str
    description: str


@dataclass(frozen=True, slots=True)
class DocumentControl:
    """Cover and document-control facts.

    Attributes:
        title: The report title.
        client: The client organisation.
        engagement: The engagement title.
        assessor: The assessor who signs the report.
        assessor_organisation: The assessor's firm.
        reviewer: The quality reviewer.
        report_date: The date printed on the cover.
        report_version: The document version, e.g. ``1.0``.
        status: The assessment status (draft, in-review, final).
        classification: The classification printed in every header.
        distribution: Who may receive the document.
        period_start: First day of fieldwork, if known.
        period_end: Last day of fieldwork, if known (never after the report date: a period
            that is still running on the report date has no end and ``fieldwork_open`` set).
        fieldwork_open: True when fieldwork was still under way on the report date.
        app_name: The application that produced the report.
        app_version: Its version.
        assessment_ref: The assessment's reference; the responses workbook carries it too.
        frameworks: The frameworks with their content versions.
        revisions: Revision history, oldest first.
    """

    title: str
    client: str
    engagement: str
    assessor: str
    assessor_organisation: str
    reviewer: str
    report_date: dt.date
    report_version: str
    status: str
    classification: str
    distribution: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    fieldwork_open: bool = False
    app_name: str = "Assay"
    app_version: str = ""
    assessment_ref: str = ""
    frameworks: tuple[FrameworkVersion, ...] = ()
    revisions: tuple[Revision, ...] = ()


@dataclass(frozen=True, slots=True)
class RiskFactor:
    """One input of the system's risk tier and the tier it gives on its own."""

    name: str
    tier: str
    text: str


@dataclass(frozen=True, slots=True)
class SystemProfile:
    """The AI system under assessment, its risk tier and the target that follows."""

    system_id: str
    name: str
    description: str = ""
    business_unit: str = ""
    owner_name: str = ""
    owner_email: str = ""
    provider: str = ""
    model: str = ""
    lifecycle_stage: str = ""
    environment: str = ""
    autonomy: str = ""
    data_classification: str = ""
    exposure: str = ""
    tools: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    review_due: dt.date | None = None
    risk_tier: str = ""
    risk_factor: str = ""
    target_level: int = 3
    risk_factors: tuple[RiskFactor, ...] = ()
    risk_note: str = ""
    attributes: Attributes = ()


@dataclass(frozen=True, slots=True)
class IdentityView:
    """One identity the system uses (directly or through delegation)."""

    identity_id: str
    name: str
    kind: str = ""
    provider: str = ""
    owner: str = ""
    environment: str = ""
    created: dt.date | None = None
    last_rotated: dt.date | None = None
    last_used: dt.date | None = None
    expires: dt.date | None = None
    revocation_procedure: str = ""
    blast_score: int | None = None
    blast_tier: str = ""
    findings: int = 0
    blast_unknown: str = ""
    attributes: Attributes = ()


@dataclass(frozen=True, slots=True)
class ReachedResource:
    """A resource within the system's reach, with the strongest action on it."""

    resource_id: str
    name: str
    kind: str = ""
    sensitivity: str = ""
    action: str = ""
    weight: int = 0
    paths: int = 0


@dataclass(frozen=True, slots=True)
class AccessPath:
    """One path behind the blast radius: system → identities (delegations) → resource."""

    identities: tuple[str, ...]
    resource: str
    action: str
    sensitivity: str = ""
    delegation_kinds: tuple[str, ...] = ()
    #: True when a deny, a condition or a boundary may narrow the last grant of the path.
    conditional: bool = False
    #: How each identity is shown: its display name beside an opaque id (empty: the ids).
    labels: tuple[str, ...] = ()

    @property
    def hops(self) -> int:
        """Return the number of delegation hops on the path."""
        return max(0, len(self.identities) - 1)


@dataclass(frozen=True, slots=True)
class HygieneFinding:
    """A breach of an identity hygiene rule."""

    rule_id: str
    severity: str
    title: str
    detail: str = ""
    recommendation: str = ""
    references: tuple[str, ...] = ()
    identity: str = ""
    system: str = ""


@dataclass(frozen=True, slots=True)
class IdentityPosture:
    """Identities, blast radius with the paths behind it, and hygiene findings.

    Attributes:
        blast_score: The system's blast radius, 0–100; None when its access is not recorded.
        blast_tier: Its tier (low, moderate, high, critical); empty when unknown.
        blast_raw: The weighted sum before the saturating curve.
        formula: The blast radius formula in words.
        longest_chain: The longest delegation chain, in hops.
        identities: The identities, strongest reach first.
        resources: The reachable resources, heaviest first.
        paths: The access paths shown in the report.
        paths_omitted: Paths left out of ``paths`` to keep the report readable.
        hygiene: Hygiene findings, most severe first.
        blast_unknown: Why the blast radius is unknown (empty when it is known).
    """

    blast_score: int | None
    blast_tier: str
    blast_raw: float = 0.0
    formula: str = ""
    longest_chain: int = 0
    identities: tuple[IdentityView, ...] = ()
    resources: tuple[ReachedResource, ...] = ()
    paths: tuple[AccessPath, ...] = ()
    paths_omitted: int = 0
    hygiene: tuple[HygieneFinding, ...] = ()
    blast_unknown: str = ""

    @property
    def blast_text(self) -> str:
        """Return ``55/100 (high)``, or ``unknown (access not recorded)``."""
        if self.blast_score is None:
            return "unknown (access not recorded)"
        return f"{self.blast_score}/100 ({self.blast_tier})"


@dataclass(frozen=True, slots=True)
class NodeResult:
    """Every figure of one scoring node (field names match the scoring service's node dict)."""

    id: str
    title: str
    kind: str
    ref: str
    depth: int
    parent: str | None
    mean: float | None
    achieved_level: int | None
    coverage: float | None
    completeness: float | None
    gap: float | None
    confidence: float | None
    target: float | None
    questions: int = 0
    applicable: int = 0
    answered: int = 0
    not_applicable: int = 0
    at_target: int = 0


@dataclass(frozen=True, slots=True)
class FrameworkResult:
    """The results of one framework: its overall node and every node below, in tree order."""

    framework_id: str
    title: str
    version: str
    scope: str
    overall: NodeResult
    nodes: tuple[NodeResult, ...] = ()

    def at_depth(self, depth: int) -> tuple[NodeResult, ...]:
        """Return the nodes at one depth (1 = directly below the framework)."""
        return tuple(n for n in self.nodes if n.depth == depth)

    def chart_nodes(self) -> tuple[NodeResult, ...]:
        """Return the nodes worth a bar each: depth 1, or depth 2 when depth 1 has < 3."""
        top = self.at_depth(1)
        if len(top) >= 3:
            return top
        below = self.at_depth(2)
        return below if below else top


@dataclass(frozen=True, slots=True)
class CrossRef:
    """A question of one framework in a cross-framework row, with its answer as text."""

    framework_id: str
    ref: str
    title: str
    answer: str


@dataclass(frozen=True, slots=True)
class CrossFrameworkRow:
    """A topic answered in several frameworks (from the crosswalk).

    Attributes:
        consistent: False when the answers disagree enough to change the conclusion: they
            differ by two levels or more and fall on both sides of the target.
        spread: Highest minus lowest answered level.
        lowest: The question answered lowest, as ``ref title: level n``.
        highest: The question answered highest, likewise.
    """

    topic: str
    refs: tuple[CrossRef, ...]
    consistent: bool = True
    note: str = ""
    spread: int = 0
    lowest: str = ""
    highest: str = ""


@dataclass(frozen=True, slots=True)
class Criterion:
    """One question, control or identity rule behind a themed finding, with its levels."""

    ref: str
    title: str
    framework: str = ""
    current: str = ""
    target: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A themed finding, an identity-rule finding or one entered by hand.

    ``detail`` is the condition found; ``criteria`` the gaps behind a themed finding;
    ``likelihood`` × ``impact`` (1–5 each) give ``score`` on the stated risk matrix.
    """

    finding_id: str
    severity: str
    title: str
    detail: str = ""
    recommendation: str = ""
    references: tuple[str, ...] = ()
    source: str = "manual"
    system: str = ""
    identity: str = ""
    question_ref: str = ""
    owner: str = ""
    due_date: dt.date | None = None
    status: str = "open"
    evidence: tuple[str, ...] = ()
    status_label: str = ""
    likelihood: int | None = None
    impact: int | None = None
    score: int | None = None
    effort: str = ""
    management_response: str = ""
    acceptance_justification: str = ""
    accepted_by: str = ""
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One step of the action plan (POA&M milestone).

    ``number`` is the step's place in the plan (1, 2, …); ``priority`` its rank by severity
    (1 critical … 4 low), shown as ``priority_label``.
    """

    priority: int
    title: str
    findings: tuple[str, ...] = ()
    owner: str = ""
    due_date: dt.date | None = None
    effort: str = ""
    status: str = "open"
    milestone: str = ""
    number: int = 0
    priority_label: str = ""
    finding_title: str = ""
    status_label: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    """One question of the assessment and its answer.

    Attributes:
        notes: Internal notes; templates hide them in the client profile.
        level: The level 0–5, or None when unanswered or N/A.
        not_applicable: True when marked N/A (``justification`` gives the reason).
    """

    question_id: str
    ref: str
    title: str
    framework_id: str
    path: str
    level: int | None
    not_applicable: bool
    target: int
    justification: str = ""
    notes: str = ""
    evidence: tuple[str, ...] = ()
    strength: str = ""
    priority: int | None = None
    flagged: bool = False
    reviewed: bool = False
    answered_by: str = ""
    answered_at: dt.datetime | None = None
    also_covers: tuple[str, ...] = ()
    source: str = ""
    provenance: str = ""
    answer_source: str = ""
    verification: str = ""

    @property
    def answer_text(self) -> str:
        """Return the answer as printed: ``N/A``, the level, or a dash when unanswered."""
        if self.not_applicable:
            return "N/A"
        return "—" if self.level is None else str(self.level)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One evidence file in the index."""

    name: str
    sha256: str
    size: int
    media_type: str = ""
    collected_by: str = ""
    collected_at: dt.datetime | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class NodeChange:
    """A node's figures in the previous and the current assessment.

    Attributes:
        whole_framework: The row is a framework as a whole (its categories follow it).
    """

    framework_id: str
    ref: str
    title: str
    previous_mean: float | None
    current_mean: float | None
    previous_achieved: int | None = None
    current_achieved: int | None = None
    whole_framework: bool = False


@dataclass(frozen=True, slots=True)
class QuestionChange:
    """A question whose answer differs between the two assessments."""

    question_id: str
    ref: str
    title: str
    previous: str
    current: str
    change: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """The previous assessment of the same system, node by node and question by question."""

    previous_title: str
    previous_date: dt.date | None
    previous_ref: str = ""
    nodes: tuple[NodeChange, ...] = ()
    questions: tuple[QuestionChange, ...] = ()
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the assessment report shows, for one assessment of one AI system.

    Attributes:
        profile: ``internal`` (everything) or ``client`` (no internal notes; the service masks
            secret identifiers before building this).
        executive_summary: The assessor's summary; blank lines separate paragraphs.
        key_messages: Short bullets printed beside the headline figures.
        scope_text: What was assessed and how the scope was chosen.
        data_sources: Where the facts came from (interviews, documents, imports).
        method_text: The scoring method, printed word for word.
        gap_method_text: How findings are raised from gaps.
        limitations: Limits of the assessment.
        attestation: The assessor's statement on the signature page.
        appendices: The appendices printed (keys of :data:`APPENDICES`); None for the
            profile's default (:data:`DEFAULT_APPENDICES`).
    """

    document: DocumentControl
    branding: Branding
    profile: str
    system: SystemProfile
    identity: IdentityPosture
    frameworks: tuple[FrameworkResult, ...]
    answers: tuple[Answer, ...]
    executive_summary: str = ""
    key_messages: tuple[str, ...] = ()
    scope_text: str = ""
    data_sources: tuple[str, ...] = ()
    method_text: str = ""
    gap_method_text: str = ""
    limitations: str = ""
    attestation: str = ""
    cross_framework: tuple[CrossFrameworkRow, ...] = ()
    findings: tuple[Finding, ...] = ()
    actions: tuple[ActionItem, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    comparison: Comparison | None = None
    appendices: tuple[str, ...] | None = None
    voice: AssessorVoice | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {self.profile!r}")
        unknown = [a for a in self.appendices or () if a not in APPENDICES]
        if unknown:
            raise ValueError(f"unknown appendix {unknown[0]!r} (use {', '.join(APPENDICES)})")

    @property
    def chosen_appendices(self) -> tuple[str, ...]:
        """Return the appendices printed, in print order (the profile's default when unset)."""
        chosen = DEFAULT_APPENDICES[self.profile] if self.appendices is None else self.appendices
        return tuple(a for a in APPENDICES if a in chosen)

    @property
    def is_client(self) -> bool:
        """Return True for the client profile (internal notes hidden)."""
        return self.profile == "client"


@dataclass(frozen=True, slots=True)
class PortfolioSystem:
    """One AI system in the portfolio report."""

    system_id: str
    name: str
    owner: str = ""
    risk_tier: str = ""
    target_level: int = 3
    blast_score: int | None = None
    blast_tier: str = ""
    blast_unknown: str = ""
    risk_note: str = ""
    status: str = ""
    mean: float | None = None
    achieved_level: int | None = None
    coverage: float | None = None
    completeness: float | None = None
    open_findings: int = 0
    critical_findings: int = 0
    high_findings: int = 0
    own_answers: int = 0
    inherited_answers: int = 0
    overridden_answers: int = 0


@dataclass(frozen=True, slots=True)
class PortfolioResult:
    """One framework or function of the organisation assessment, with its figures."""

    framework: str
    ref: str
    title: str
    kind: str
    mean: float | None = None
    achieved_level: int | None = None
    coverage: float | None = None
    completeness: float | None = None


@dataclass(frozen=True, slots=True)
class PortfolioOrganisation:
    """The organisation assessment's results, shown once for every system.

    ``results`` holds each framework and, beneath it, each of its functions.
    """

    title: str
    status: str
    questions: int
    answered: int
    mean: float | None = None
    achieved_level: int | None = None
    coverage: float | None = None
    completeness: float | None = None
    date: str = ""
    results: tuple[PortfolioResult, ...] = ()


@dataclass(frozen=True, slots=True)
class HeatmapRow:
    """One system's mean maturity per heat-map column (None where not assessed)."""

    system_id: str
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class IdentityKpis:
    """The client's identity figures: owners, privileges and rotation of its identities.

    Attributes:
        identities: Non-human identities in the inventory.
        with_owner: Identities with a named, reachable owner.
        over_privileged: Identities with wildcard or admin scope, or more than they use.
        rotation_tracked: Secrets whose rotation can be checked.
        not_rotated: Secrets not rotated within ``rotation_days``.
        rotation_days: The rotation threshold of the workspace.
    """

    identities: int
    with_owner: int
    over_privileged: int
    rotation_tracked: int
    not_rotated: int
    rotation_days: int = 90


@dataclass(frozen=True, slots=True)
class PortfolioData:
    """Everything the portfolio report shows: all AI systems of the engagement."""

    document: DocumentControl
    branding: Branding
    profile: str
    systems: tuple[PortfolioSystem, ...]
    heatmap_columns: tuple[str, ...]
    heatmap: tuple[HeatmapRow, ...]
    kpis: IdentityKpis
    top_findings: tuple[Finding, ...] = ()
    summary: str = ""
    method_text: str = ""
    organisation: PortfolioOrganisation | None = None

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {self.profile!r}")
        for row in self.heatmap:
            if len(row.values) != len(self.heatmap_columns):
                raise ValueError(
                    f"heat-map row {row.system_id} has {len(row.values)} values for "
                    f"{len(self.heatmap_columns)} columns"
                )
