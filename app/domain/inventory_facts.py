"""Plain facts about an inventory that identity analysis works on.

Every record is keyed by its inventory (external) id, so tests and services speak the same
language as the client's spreadsheets. The facts carry no storage types: a service reads the
workspace into them, a test builds them by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    Sensitivity,
)
from app.support.frozen import quick_init

logger = logging.getLogger(__name__)


@quick_init  # built by the hundred thousand
@dataclass(frozen=True, slots=True)
class SystemFacts:
    """An AI system as identity analysis sees it.

    Attributes:
        ext_id: The system's inventory id (e.g. ``AIS-001``).
        name: Display name.
        owner: Accountable owner (name or e-mail); empty when none is recorded.
        autonomy: How far the system acts on its own; None when not recorded.
        environment: Deployment environment; None when not recorded.
        data_classification: The most sensitive data the system handles; None when not recorded.
        exposure: Who can reach the system; None when not recorded.
        identities: Inventory ids of the identities the system uses.
        designation: The client's own risk designation as written (``Tier 1``, ``high-impact``);
            empty when none is recorded.
    """

    ext_id: str
    name: str = ""
    owner: str = ""
    autonomy: Autonomy | None = None
    environment: Environment | None = None
    data_classification: Sensitivity | None = None
    exposure: Exposure | None = None
    identities: tuple[str, ...] = ()
    designation: str = ""


@quick_init  # built by the hundred thousand
@dataclass(frozen=True, slots=True)
class IdentityFacts:
    """A non-human identity, or a human's credential, with its lifecycle dates.

    Attributes:
        ext_id: The identity's inventory id.
        name: Display name.
        kind: Kind of identity; None when not recorded.
        owner: Accountable owner; empty when none is recorded.
        environment: Environment the identity belongs to; None when not recorded.
        created: When the identity or its credential was created.
        last_rotated: When its secret was last rotated.
        last_used: When it was last used.
        expires: When its credential expires; None when it never expires or is not recorded.
        revocation_procedure: How to revoke it in an emergency; empty when none is documented.
    """

    ext_id: str
    name: str = ""
    kind: IdentityKind | None = None
    owner: str = ""
    environment: Environment | None = None
    created: dt.date | None = None
    last_rotated: dt.date | None = None
    last_used: dt.date | None = None
    expires: dt.date | None = None
    revocation_procedure: str = ""


@quick_init  # built by the hundred thousand
@dataclass(frozen=True, slots=True)
class ResourceFacts:
    """Something an identity can reach.

    Attributes:
        ext_id: The resource's inventory id.
        name: Display name.
        environment: Environment of the resource; None when not recorded.
        sensitivity: Data classification; None when not recorded.
        kind: What it is (``AWS account``, ``Azure resource group``…); empty when not recorded.
    """

    ext_id: str
    name: str = ""
    environment: Environment | None = None
    sensitivity: Sensitivity | None = None
    kind: str = ""


@quick_init  # built by the hundred thousand
@dataclass(frozen=True, slots=True)
class GrantFacts:
    """A permission of an identity on a resource.

    Attributes:
        identity: Inventory id of the identity holding the permission.
        resource: Inventory id of the resource.
        action: What the permission allows.
        scope: The scope text as the client's system states it (e.g. ``s3:*``).
        approval_required: Whether a human must approve each use; None when unknown.
        last_used: When the permission was last used.
        conditional: True when a deny, a condition or a boundary may narrow it (it still
            counts at full strength).
    """

    identity: str
    resource: str
    action: Action
    scope: str = ""
    approval_required: bool | None = None
    last_used: dt.date | None = None
    conditional: bool = False


@quick_init  # built by the hundred thousand
@dataclass(frozen=True, slots=True)
class DelegationFacts:
    """One identity can act as another.

    Attributes:
        source: Inventory id of the identity that delegates (acts as ``target``).
        target: Inventory id of the identity it can act as.
        kind: How it acts as the other.
    """

    source: str
    target: str
    kind: DelegationKind = DelegationKind.ASSUME_ROLE


@dataclass
class InventoryFacts:
    """A whole inventory: systems, identities, resources, grants and delegations.

    Attributes:
        systems: Systems by inventory id.
        identities: Identities by inventory id.
        resources: Resources by inventory id.
        grants: Every grant.
        delegations: Every delegation.
    """

    systems: dict[str, SystemFacts] = field(default_factory=dict)
    identities: dict[str, IdentityFacts] = field(default_factory=dict)
    resources: dict[str, ResourceFacts] = field(default_factory=dict)
    grants: list[GrantFacts] = field(default_factory=list)
    delegations: list[DelegationFacts] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        systems: list[SystemFacts] | tuple[SystemFacts, ...] = (),
        identities: list[IdentityFacts] | tuple[IdentityFacts, ...] = (),
        resources: list[ResourceFacts] | tuple[ResourceFacts, ...] = (),
        grants: list[GrantFacts] | tuple[GrantFacts, ...] = (),
        delegations: list[DelegationFacts] | tuple[DelegationFacts, ...] = (),
    ) -> InventoryFacts:
        """Build an inventory from lists of records (keys taken from their ids)."""
        return cls(
            systems={s.ext_id: s for s in systems},
            identities={i.ext_id: i for i in identities},
            resources={r.ext_id: r for r in resources},
            grants=list(grants),
            delegations=list(delegations),
        )

    def systems_by_identity(self) -> dict[str, list[str]]:
        """Return, for each identity id, the ids of the systems that use it (in system order)."""
        users: dict[str, list[str]] = {}
        for system in self.systems.values():
            for identity in dict.fromkeys(system.identities):
                users.setdefault(identity, []).append(system.ext_id)
        return users

    def grants_by_identity(self) -> dict[str, list[GrantFacts]]:
        """Return the grants of each identity, in inventory order."""
        held: dict[str, list[GrantFacts]] = {}
        for grant in self.grants:
            held.setdefault(grant.identity, []).append(grant)
        return held

    def neighbourhood(
        self, identities: Iterable[str], systems: Iterable[str] = ()
    ) -> InventoryFacts:
        """Return the part of the inventory that bears on some identities and systems.

        That is the identities they can act as (through delegations), those identities'
        delegations, grants and resources, and every system using one of them. Hygiene rules
        give the same findings about these subjects on the part as on the whole.

        Args:
            identities: Starting identities (a system's, or one identity).
            systems: Systems to keep even if they use none of the identities.
        """
        targets: dict[str, list[DelegationFacts]] = {}
        for delegation in self.delegations:
            targets.setdefault(delegation.source, []).append(delegation)
        reached = set(identities)
        todo = list(reached)
        kept_delegations: list[DelegationFacts] = []
        while todo:
            for delegation in targets.get(todo.pop(), ()):
                kept_delegations.append(delegation)
                if delegation.target not in reached:
                    reached.add(delegation.target)
                    todo.append(delegation.target)
        grants = [g for g in self.grants if g.identity in reached]
        resources = {g.resource for g in grants}
        keep_systems = set(systems)
        return InventoryFacts(
            systems={
                k: s
                for k, s in self.systems.items()
                if k in keep_systems or not reached.isdisjoint(s.identities)
            },
            identities={k: i for k, i in self.identities.items() if k in reached},
            resources={k: r for k, r in self.resources.items() if k in resources},
            grants=grants,
            delegations=kept_delegations,
        )
