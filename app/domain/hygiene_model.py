"""Types shared by the identity hygiene rules: findings, thresholds and what a rule sees."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.domain.enums import IdentityKind, Severity
from app.domain.identity_graph import IdentityGraph
from app.domain.identity_names import readable
from app.domain.inventory_facts import GrantFacts, InventoryFacts
from app.support.frozen import quick_init

logger = logging.getLogger(__name__)

#: Kinds of identity that hold a secret of their own, which should rotate and expire.
SECRET_KINDS = frozenset(
    {IdentityKind.API_KEY, IdentityKind.SERVICE_ACCOUNT, IdentityKind.OAUTH_CLIENT}
)
#: Kinds of identity whose credential should expire.
EXPIRING_KINDS = SECRET_KINDS | {IdentityKind.HUMAN_DELEGATION}
_SEVERITY_ORDER = {s: n for n, s in enumerate(Severity)}


@quick_init  # built by the hundred thousand
@dataclass(frozen=True, slots=True)
class HygieneFinding:
    """One breach of an identity hygiene rule.

    Attributes:
        rule_id: The rule's stable id (e.g. ``key-not-rotated``).
        severity: How serious the breach is.
        title: One line naming the subject and the problem.
        detail: The facts behind it (dates, thresholds, resources).
        recommendation: What to do about it.
        references: OWASP NHI / ASI entries, e.g. ``("OWASP NHI7:2025", "OWASP ASI03:2026")``.
        system: Inventory id of the AI system concerned, if any.
        identity: Inventory id of the identity concerned, if any.
    """

    rule_id: str
    severity: Severity
    title: str
    detail: str
    recommendation: str
    references: tuple[str, ...]
    system: str | None = None
    identity: str | None = None

    @property
    def key(self) -> str:
        """Return a key that stays the same for the same rule and subject on every run."""
        return f"identity-rule:{self.rule_id}:{self.system or '-'}:{self.identity or '-'}"

    def sort_key(self) -> tuple[int, str, str, str]:
        """Return the order findings are listed in: most severe first, then rule and subject."""
        return (
            -_SEVERITY_ORDER[self.severity],
            self.rule_id,
            self.system or "",
            self.identity or "",
        )


@dataclass(frozen=True, slots=True)
class HygieneSettings:
    """Thresholds of the hygiene rules (workspace settings ``hygiene.*``).

    Attributes:
        rotation_days: A secret not rotated for more days than this is stale.
        unused_days: An identity or grant not used for more days than this is unused.
        max_delegation_depth: A delegation chain with more hops than this is too deep.
        max_credential_age_days: A credential valid for more days ahead than this is long-lived.
    """

    rotation_days: int = 90
    unused_days: int = 90
    max_delegation_depth: int = 3
    max_credential_age_days: int = 365

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> HygieneSettings:
        """Read the thresholds from workspace settings (``hygiene.rotation_days`` …)."""
        defaults = cls()
        picked = {
            name: int(values.get(f"hygiene.{name}", getattr(defaults, name)))
            for name in (
                "rotation_days",
                "unused_days",
                "max_delegation_depth",
                "max_credential_age_days",
            )
        }
        return cls(**picked)


@dataclass
class HygieneContext:
    """Everything a rule may look at, with look-ups computed once.

    Attributes:
        facts: The inventory.
        graph: Its identity graph.
        settings: The thresholds.
        today: The day the rules are evaluated on.
    """

    facts: InventoryFacts
    graph: IdentityGraph
    settings: HygieneSettings = field(default_factory=HygieneSettings)
    today: dt.date = field(default_factory=dt.date.today)

    @cached_property
    def users(self) -> dict[str, list[str]]:
        """Return the systems using each identity."""
        return self.facts.systems_by_identity()

    @cached_property
    def grants(self) -> dict[str, list[GrantFacts]]:
        """Return the grants of each identity."""
        return self.facts.grants_by_identity()

    @cached_property
    def _names(self) -> dict[str, str]:
        return {}

    def named(self, identity: str) -> str:
        """Return how a finding names an identity: ``name (id)`` when the id is opaque."""
        known = self._names.get(identity)
        if known is None:
            facts = self.facts.identities.get(identity)
            known = self._names[identity] = readable(identity, facts.name if facts else "")
        return known

    def days_since(self, day: dt.date) -> int:
        """Return how many days ago ``day`` was (negative when it is in the future)."""
        return (self.today - day).days


Rule = Callable[[HygieneContext], Iterator[HygieneFinding]]


@dataclass(frozen=True, slots=True)
class HygieneRule:
    """A hygiene rule: its id, what it checks, and the function that checks it.

    Attributes:
        rule_id: The stable id carried by its findings.
        summary: One line saying what the rule looks for.
        references: The OWASP entries its findings cite.
        check: Yields the rule's findings for an inventory.
    """

    rule_id: str
    summary: str
    references: tuple[str, ...]
    check: Rule


def listing(items: list[str], limit: int = 8) -> str:
    """Join items with commas, naming at most ``limit`` and counting the rest."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
