"""Write the fixture workspace for the current schema revision (run by hand at release time)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from app.services.workspace import open_workspace
from app.storage import journal
from app.storage.migrate import HEAD_REVISION
from app.storage.models import (
    AISystem,
    Delegation,
    Engagement,
    Identity,
    Person,
    SystemIdentity,
)


def main() -> int:
    """Create ``schema-<head>.assay`` beside this script with a few records and journal entries."""
    target = Path(__file__).with_name(f"schema-{HEAD_REVISION}.assay")
    target.unlink(missing_ok=True)
    ws = open_workspace(target, actor="fixture")
    with ws.db.write() as session:
        session.add(Engagement(client="Fixture Client", title="Fixture engagement"))
        owner = Person(name="Dana Owner", email="dana@example.org")
        session.add(owner)
        session.flush()
        system = AISystem(
            external_id="AIS-001",
            name="Claims triage agent",
            owner_id=owner.id,
            autonomy="human-on-the-loop",
            review_due=dt.date(2027, 1, 31),
        )
        identity = Identity(external_id="svc-claims", name="svc-claims", kind="service-account")
        role = Identity(external_id="role-claims-db", name="claims DB role", kind="role")
        session.add_all([system, identity, role])
        session.flush()
        session.add(SystemIdentity(system_id=system.id, identity_id=identity.id))
        session.add(
            Delegation(
                from_identity_id=identity.id,
                to_identity_id=role.id,
                kind="assume-role",
                attributes={"Change ticket": "CHG-1042"},
            )
        )
        journal.record(
            session,
            actor="fixture",
            action="fixture.create",
            entity="ai_system",
            entity_id="AIS-001",
            after={"name": system.name},
        )
    ws.close()
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
