"""Vocabularies stored in the workspace and in questionnaire files.

Every persisted enum is a ``StrEnum`` so the database, YAML and JSON hold readable words.
"""

from __future__ import annotations

from enum import StrEnum


class Autonomy(StrEnum):
    """How far an AI system acts on its own."""

    ADVISORY = "advisory"
    HUMAN_IN_THE_LOOP = "human-in-the-loop"
    HUMAN_ON_THE_LOOP = "human-on-the-loop"
    AUTONOMOUS = "autonomous"


class Environment(StrEnum):
    """Deployment environment of a system, identity or resource."""

    PRODUCTION = "production"
    STAGING = "staging"
    TEST = "test"
    DEVELOPMENT = "development"


class LifecycleStage(StrEnum):
    """Where an AI system stands in its life."""

    PLANNED = "planned"
    DEVELOPMENT = "development"
    PILOT = "pilot"
    PRODUCTION = "production"
    RETIRED = "retired"


class Sensitivity(StrEnum):
    """Data classification of a system's data or a resource."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class Exposure(StrEnum):
    """Who can reach an AI system."""

    INTERNAL = "internal"
    PARTNER = "partner"
    PUBLIC = "public"


class IdentityKind(StrEnum):
    """Kinds of identity that let an AI system act."""

    SERVICE_ACCOUNT = "service-account"
    API_KEY = "api-key"
    OAUTH_CLIENT = "oauth-client"
    AGENT_IDENTITY = "agent-identity"
    MANAGED_IDENTITY = "managed-identity"
    ROLE = "role"
    HUMAN_DELEGATION = "human-delegation"
    HUMAN_USER = "human-user"


class Action(StrEnum):
    """What a grant allows on a resource, weakest first."""

    READ = "read"
    EXECUTE = "execute"
    WRITE = "write"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Return the strength of the action: read 1, execute 2, write 3, admin 4."""
        return _ACTION_RANK[self]


_ACTION_RANK = {Action.READ: 1, Action.EXECUTE: 2, Action.WRITE: 3, Action.ADMIN: 4}


class DelegationKind(StrEnum):
    """How one identity can act as another."""

    ASSUME_ROLE = "assume-role"
    IMPERSONATE = "impersonate"
    ON_BEHALF_OF = "on-behalf-of"


class Scope(StrEnum):
    """Who answers a question: the organisation once, each AI system, or either."""

    ORGANISATION = "organisation"
    SYSTEM = "system"
    EITHER = "either"


class Origin(StrEnum):
    """Where the answer of a system assessment's question comes from."""

    OWN = "own"
    INHERITED = "inherited"
    OVERRIDDEN = "overridden"


class AssessmentKind(StrEnum):
    """What an assessment covers: one AI system, or the organisation once per engagement."""

    SYSTEM = "system"
    ORGANISATION = "organisation"


class AssessmentStatus(StrEnum):
    """Lifecycle of an assessment."""

    DRAFT = "draft"
    IN_REVIEW = "in-review"
    FINAL = "final"


class EvidenceStrength(StrEnum):
    """How strongly an answer is backed, weakest first."""

    SELF_DECLARED = "self-declared"
    DOCUMENT = "document"
    OBSERVED = "observed"
    TESTED = "tested"


class FindingSource(StrEnum):
    """Where a finding came from."""

    GAP = "gap"
    IDENTITY_RULE = "identity-rule"
    MANUAL = "manual"
    THEME = "theme"


class FindingStatus(StrEnum):
    """Triage state of a finding: open, in progress, risk accepted or closed.

    The stored values stay as first recorded; :data:`FINDING_STATUS_LABELS` gives the words a
    client reads (``accepted`` is a risk the client accepted, ``resolved`` a closed finding).
    """

    OPEN = "open"
    IN_PROGRESS = "in-progress"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"


#: The words a client reads for each finding status.
FINDING_STATUS_LABELS: dict[str, str] = {
    FindingStatus.OPEN.value: "Open",
    FindingStatus.IN_PROGRESS.value: "In progress",
    FindingStatus.ACCEPTED.value: "Risk accepted",
    FindingStatus.RESOLVED.value: "Closed",
}


class Severity(StrEnum):
    """Severity of a finding, weakest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_ORDER: tuple[Severity, ...] = tuple(reversed(Severity))
"""Severities most severe first: the one order lists, reports and charts use."""


def severity_rank(value: str) -> int:
    """Return 0 for critical, 1 for high, 2 for medium, 3 for low; 4 for anything else."""
    try:
        return SEVERITY_ORDER.index(Severity(value))
    except ValueError:
        return len(SEVERITY_ORDER)


class RiskTier(StrEnum):
    """Risk tier of an AI system, which sets its default target maturity."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"


class FocusArea(StrEnum):
    """The three focus areas of the NIST Cyber AI Profile."""

    SECURE = "secure"
    DEFEND = "defend"
    THWART = "thwart"
