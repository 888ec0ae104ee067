"""Identity hygiene rules (DESIGN §5): each breach becomes a finding with OWASP references.

The rules, with their ids:

- ``system-no-owner``, ``identity-no-owner``: nobody is accountable.
- ``key-not-rotated``: a secret older than ``hygiene.rotation_days`` (default 90).
- ``identity-unused``, ``grant-unused``: no use for more than ``hygiene.unused_days`` (90).
- ``wildcard-or-admin-scope``: admin action, or a scope with ``*`` or full-control words.
- ``no-revocation-procedure``: no documented way to revoke the identity.
- ``autonomous-write-without-approval``: an autonomous system can write or administer
  confidential or restricted data (unclassified counts as confidential) without approval.
- ``identity-shared-by-systems``, ``identity-across-environments``: one identity for several
  systems, or tied to several environments.
- ``delegation-chain-too-deep``: more hops than ``hygiene.max_delegation_depth`` (3).
- ``credential-expired``, ``credential-never-expires``: past its expiry, or a secret without
  one or valid further ahead than ``hygiene.max_credential_age_days`` (365).
- ``human-credential-used-by-ai``: a human user account used by an AI system.
- ``access-not-recorded``: an AI system with no identity, or whose identities carry no recorded
  grant: its blast radius is unknown, not zero.

``today`` is always a parameter, so a report can be reproduced for the day it was made.
"""

from __future__ import annotations

import datetime as dt
import logging

from app.domain.hygiene_access_rules import ACCESS_RULES
from app.domain.hygiene_identity_rules import IDENTITY_RULES
from app.domain.hygiene_model import (
    HygieneContext,
    HygieneFinding,
    HygieneRule,
    HygieneSettings,
)
from app.domain.identity_graph import IdentityGraph
from app.domain.inventory_facts import InventoryFacts

logger = logging.getLogger(__name__)

__all__ = [
    "RULES",
    "HygieneFinding",
    "HygieneRule",
    "HygieneSettings",
    "evaluate_hygiene",
    "rule_by_id",
]

#: Every hygiene rule, in the order they run.
RULES: tuple[HygieneRule, ...] = IDENTITY_RULES + ACCESS_RULES


def rule_by_id(rule_id: str) -> HygieneRule:
    """Return the rule with this id.

    Raises:
        KeyError: No rule has this id.
    """
    for rule in RULES:
        if rule.rule_id == rule_id:
            return rule
    raise KeyError(rule_id)


def evaluate_hygiene(
    facts: InventoryFacts,
    *,
    today: dt.date,
    settings: HygieneSettings | None = None,
    graph: IdentityGraph | None = None,
    rules: tuple[HygieneRule, ...] = RULES,
) -> list[HygieneFinding]:
    """Run the hygiene rules over an inventory.

    Args:
        facts: The inventory.
        today: The day of the evaluation (ages and expiries are measured to it).
        settings: Thresholds; the defaults when None.
        graph: The inventory's identity graph, if already built.
        rules: The rules to run (all of them by default).

    Returns:
        The findings, most severe first, then by rule and subject.
    """
    context = HygieneContext(
        facts=facts,
        graph=graph if graph is not None else IdentityGraph.from_facts(facts),
        settings=settings or HygieneSettings(),
        today=today,
    )
    findings = [finding for rule in rules for finding in rule.check(context)]
    findings.sort(key=HygieneFinding.sort_key)
    logger.debug("hygiene rules gave %d findings", len(findings))
    return findings
