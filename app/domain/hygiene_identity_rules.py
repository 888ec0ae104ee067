"""Hygiene rules about each identity's lifecycle: ownership, rotation, use, expiry, sharing.

Thresholds are strict: a key rotated exactly ``rotation_days`` ago is still in time; one day
more and the rule fires. Missing dates never fire a date rule, except that an identity with a
creation date and no recorded use counts as unused since its creation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from operator import attrgetter

from app.domain.enums import Environment, Severity
from app.domain.hygiene_model import (
    EXPIRING_KINDS,
    SECRET_KINDS,
    HygieneContext,
    HygieneFinding,
    HygieneRule,
    listing,
)

logger = logging.getLogger(__name__)

NO_OWNER_REFS = ("OWASP NHI1:2025", "OWASP ASI03:2026")
SYSTEM_NO_OWNER_REFS = ("OWASP ASI10:2026", "OWASP NHI1:2025")
ROTATION_REFS = ("OWASP NHI7:2025", "OWASP ASI03:2026")
UNUSED_REFS = ("OWASP NHI1:2025", "OWASP ASI03:2026")
REVOCATION_REFS = ("OWASP NHI1:2025", "OWASP ASI10:2026")
EXPIRED_REFS = ("OWASP NHI1:2025", "OWASP ASI03:2026")
LONG_LIVED_REFS = ("OWASP NHI7:2025", "OWASP ASI03:2026")
REUSE_REFS = ("OWASP NHI9:2025", "OWASP ASI08:2026")
ENVIRONMENT_REFS = ("OWASP NHI8:2025", "OWASP ASI08:2026")


def identity_no_owner(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An identity has no accountable owner."""
    for identity in ctx.facts.identities.values():
        if identity.owner.strip():
            continue
        used_by = ctx.users.get(identity.ext_id)
        name = ctx.named(identity.ext_id)
        detail = f"No owner is recorded for identity {name}"
        detail += f" (used by {listing(used_by)})." if used_by else "."
        yield HygieneFinding(
            "identity-no-owner",
            Severity.MEDIUM,
            f"Identity {name} has no owner",
            detail,
            "Name a person accountable for the identity: its need, its permissions, its "
            "rotation and its removal when the system it serves is retired.",
            NO_OWNER_REFS,
            identity=identity.ext_id,
        )


def system_no_owner(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An AI system has no accountable owner."""
    for system in ctx.facts.systems.values():
        if system.owner.strip():
            continue
        yield HygieneFinding(
            "system-no-owner",
            Severity.HIGH,
            f"AI system {system.ext_id} has no owner",
            f"No owner is recorded for AI system {system.ext_id}"
            f"{f' ({system.name})' if system.name else ''}; nobody is accountable for what "
            "its identities can do.",
            "Assign an accountable owner who approves the system's access, reviews it and "
            "can stop the system.",
            SYSTEM_NO_OWNER_REFS,
            system=system.ext_id,
        )


def key_not_rotated(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """A secret is older than the rotation limit.

    Secrets are those of API keys, service accounts and OAuth clients, and of identities of
    unrecorded kind that have a rotation date; the age counts from the last rotation, or from
    creation when the secret was never rotated.
    """
    limit = ctx.settings.rotation_days
    for identity in ctx.facts.identities.values():
        if identity.kind is not None and identity.kind not in SECRET_KINDS:
            continue
        if identity.kind is None and identity.last_rotated is None:
            continue
        basis = identity.last_rotated or identity.created
        if basis is None or ctx.days_since(basis) <= limit:
            continue
        age = ctx.days_since(basis)
        what = "last rotated" if identity.last_rotated else "created and never rotated"
        name = ctx.named(identity.ext_id)
        yield HygieneFinding(
            "key-not-rotated",
            Severity.HIGH if age > 2 * limit else Severity.MEDIUM,
            f"Secret of {name} not rotated for {age} days",
            f"{name} was {what} on {basis.isoformat()}, {age} days before "
            f"{ctx.today.isoformat()}; the limit is {limit} days.",
            "Rotate the secret now and automate rotation within the limit, or replace it with "
            "a short-lived credential issued on demand.",
            ROTATION_REFS,
            identity=identity.ext_id,
        )


def identity_unused(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An identity has not been used for longer than the unused limit."""
    limit = ctx.settings.unused_days
    for identity in ctx.facts.identities.values():
        if identity.last_used is not None:
            idle = ctx.days_since(identity.last_used)
            fact = f"last used on {identity.last_used.isoformat()}"
        elif identity.created is not None:
            idle = ctx.days_since(identity.created)
            fact = f"created on {identity.created.isoformat()} and has no recorded use"
        else:
            continue
        if idle <= limit:
            continue
        name = ctx.named(identity.ext_id)
        yield HygieneFinding(
            "identity-unused",
            Severity.MEDIUM,
            f"Identity {name} unused for {idle} days",
            f"{name} was {fact}, {idle} days before {ctx.today.isoformat()}; "
            f"the limit is {limit} days.",
            "Confirm with the owner whether the identity is still needed; disable it, then "
            "delete it once nothing breaks.",
            UNUSED_REFS,
            identity=identity.ext_id,
        )


def no_revocation_procedure(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """Nobody has written down how to revoke an identity in an emergency."""
    for identity in ctx.facts.identities.values():
        if identity.revocation_procedure.strip():
            continue
        name = ctx.named(identity.ext_id)
        yield HygieneFinding(
            "no-revocation-procedure",
            Severity.MEDIUM,
            f"No revocation procedure for {name}",
            f"No procedure is documented for revoking {name} if it is "
            "leaked or its system misbehaves.",
            "Document who revokes the identity, how, and how long it takes; test it as part "
            "of incident exercises.",
            REVOCATION_REFS,
            identity=identity.ext_id,
        )


def credential_expired(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """A credential's expiry date has passed but the identity is still in the inventory."""
    for identity in ctx.facts.identities.values():
        if identity.expires is None or identity.expires >= ctx.today:
            continue
        used_by = ctx.users.get(identity.ext_id, [])
        name = ctx.named(identity.ext_id)
        yield HygieneFinding(
            "credential-expired",
            Severity.MEDIUM,
            f"Credential of {name} expired",
            f"{name} expired on {identity.expires.isoformat()}"
            f"{f' and is still linked to {listing(used_by)}' if used_by else ''}.",
            "Remove the expired credential and its grants, or renew it through the normal "
            "issuing process and record the new expiry.",
            EXPIRED_REFS,
            identity=identity.ext_id,
        )


def credential_never_expires(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """A secret has no expiry, or expires further ahead than the credential age limit."""
    limit = ctx.settings.max_credential_age_days
    for identity in ctx.facts.identities.values():
        if identity.kind not in EXPIRING_KINDS:
            continue
        if identity.expires is None:
            fact = "has no expiry date"
        elif -ctx.days_since(identity.expires) > limit:
            ahead = -ctx.days_since(identity.expires)
            fact = f"is valid until {identity.expires.isoformat()}, {ahead} days ahead"
        else:
            continue
        name = ctx.named(identity.ext_id)
        yield HygieneFinding(
            "credential-never-expires",
            Severity.MEDIUM,
            f"Long-lived credential {name}",
            f"{name} ({identity.kind.value}) {fact}; credentials should "
            f"expire within {limit} days.",
            "Give the credential an expiry within the limit, or switch to short-lived tokens "
            "issued per task.",
            LONG_LIVED_REFS,
            identity=identity.ext_id,
        )


def identity_shared_by_systems(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """One identity is used by several AI systems."""
    for identity, systems in ctx.users.items():
        if len(systems) < 2:
            continue
        name = ctx.named(identity)
        yield HygieneFinding(
            "identity-shared-by-systems",
            Severity.MEDIUM,
            f"Identity {name} shared by {len(systems)} AI systems",
            f"{name} is used by {listing(systems)}; a leak or misuse in one of them "
            "exposes the others, and its use cannot be told apart.",
            "Give each AI system its own identity with only the access that system needs.",
            REUSE_REFS,
            identity=identity,
        )


def identity_across_environments(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """One identity spans environments (its own, its systems' and its resources')."""
    facts = ctx.facts
    system_env = {ext: system.environment for ext, system in facts.systems.items()}
    resource_env = {ext: resource.environment for ext, resource in facts.resources.items()}
    recorded = {*system_env.values(), *resource_env.values()}
    recorded.update(identity.environment for identity in facts.identities.values())
    if len(recorded - {None}) < 2:  # one environment in the whole inventory: nothing spans two
        return
    users, grants = ctx.users, ctx.grants
    resource_of = attrgetter("resource")
    for identity in facts.identities.values():
        # every identity is tested: mapped in C, without a list or a generator of its own
        found = set(map(resource_env.get, map(resource_of, grants.get(identity.ext_id, ()))))
        found.update(map(system_env.__getitem__, users.get(identity.ext_id, ())))
        found.add(identity.environment)
        found.discard(None)  # not recorded, or a resource outside the inventory
        if len(found) < 2:  # a cheap test before any text is made
            continue
        seen: dict[Environment, list[str]] = {}
        if identity.environment:
            seen.setdefault(identity.environment, []).append(
                f"identity {ctx.named(identity.ext_id)}"
            )
        for system in ctx.users.get(identity.ext_id, []):
            environment = facts.systems[system].environment
            if environment:
                seen.setdefault(environment, []).append(f"system {system}")
        for grant in ctx.grants.get(identity.ext_id, []):
            resource = facts.resources.get(grant.resource)
            if resource is not None and resource.environment:
                seen.setdefault(resource.environment, []).append(f"resource {resource.ext_id}")
        if len(seen) < 2:
            continue
        parts = [f"{env.value} ({listing(sorted(set(who)), 3)})" for env, who in seen.items()]
        yield HygieneFinding(
            "identity-across-environments",
            Severity.HIGH if Environment.PRODUCTION in seen else Severity.MEDIUM,
            f"Identity {ctx.named(identity.ext_id)} spans {len(seen)} environments",
            f"{ctx.named(identity.ext_id)} is tied to {'; '.join(parts)}.",
            "Use a separate identity in each environment so that a test or development "
            "compromise cannot reach production.",
            ENVIRONMENT_REFS,
            identity=identity.ext_id,
        )


IDENTITY_RULES: tuple[HygieneRule, ...] = (
    HygieneRule(
        "system-no-owner", "AI system without an owner", SYSTEM_NO_OWNER_REFS, system_no_owner
    ),
    HygieneRule("identity-no-owner", "Identity without an owner", NO_OWNER_REFS, identity_no_owner),
    HygieneRule(
        "key-not-rotated", "Secret not rotated within the limit", ROTATION_REFS, key_not_rotated
    ),
    HygieneRule(
        "identity-unused", "Identity unused beyond the limit", UNUSED_REFS, identity_unused
    ),
    HygieneRule(
        "no-revocation-procedure",
        "No documented revocation procedure",
        REVOCATION_REFS,
        no_revocation_procedure,
    ),
    HygieneRule(
        "credential-expired", "Expired credential still present", EXPIRED_REFS, credential_expired
    ),
    HygieneRule(
        "credential-never-expires",
        "Credential without expiry or valid beyond the limit",
        LONG_LIVED_REFS,
        credential_never_expires,
    ),
    HygieneRule(
        "identity-shared-by-systems",
        "Identity shared by several AI systems",
        REUSE_REFS,
        identity_shared_by_systems,
    ),
    HygieneRule(
        "identity-across-environments",
        "Identity spanning several environments",
        ENVIRONMENT_REFS,
        identity_across_environments,
    ),
)
