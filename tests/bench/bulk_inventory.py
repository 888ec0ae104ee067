"""A large inventory written straight through the storage layer (bulk INSERTs), for benchmarks.

Importing 100,000 systems through the import service takes longer than a benchmark should
spend building its data; these rows are written in a few seconds. Each system has an owner
(one in eight has none), an environment, autonomy, data classification and exposure, and two
identities of its own; half the identities hold a grant on one of 1,000 resources.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from app.services.workspace import open_workspace
from app.storage.models import AISystem, Grant, Identity, Person, Resource, SystemIdentity

PEOPLE, RESOURCES = 500, 1_000
ENVIRONMENTS = ("production", "staging", "test", "dev")
AUTONOMY = ("advisory", "human-in-the-loop", "human-on-the-loop", "autonomous")
CLASSES = ("public", "internal", "confidential", "restricted")
EXPOSURE = ("internal", "partner", "public")


def build_inventory(path: Path, systems: int) -> Path:
    """Write a workspace at ``path`` holding ``systems`` AI systems and twice as many identities."""
    day = dt.date(2026, 1, 5)
    workspace = open_workspace(path, actor="bench")
    with workspace.db.write() as session:
        session.execute(
            sa.insert(Person),
            [{"name": f"Owner {i}", "email": f"owner{i}@example.com"} for i in range(PEOPLE)],
        )
        session.execute(
            sa.insert(AISystem),
            [
                {"external_id": f"AIS-{i:06}", "name": f"System {i}",
                 "business_unit": f"Unit {i % 40}",
                 "owner_id": None if i % 8 == 0 else 1 + i % PEOPLE,
                 "environment": ENVIRONMENTS[i % 4], "autonomy": AUTONOMY[i % 4],
                 "data_classification": CLASSES[i % 4], "exposure": EXPOSURE[i % 3],
                 "lifecycle_stage": "production", "tools": [], "tags": [], "attributes": {}}
                for i in range(systems)
            ],
        )  # fmt: skip
        session.execute(
            sa.insert(Identity),
            [
                {"external_id": f"svc-{i:06}", "name": f"svc {i}", "kind": "service-account",
                 "owner_id": None if i % 5 == 0 else 1 + i % PEOPLE,
                 "environment": ENVIRONMENTS[i % 4],
                 "created": day - dt.timedelta(days=100 + i % 700),
                 "last_rotated": day - dt.timedelta(days=i % 400),
                 "last_used": day - dt.timedelta(days=i % 120), "attributes": {}}
                for i in range(systems * 2)
            ],
        )  # fmt: skip
        session.execute(
            sa.insert(SystemIdentity),
            [{"system_id": i // 2 + 1, "identity_id": i + 1} for i in range(systems * 2)],
        )
        session.execute(
            sa.insert(Resource),
            [{"external_id": f"res-{i:04}", "name": f"Resource {i}", "kind": "database",
              "sensitivity": CLASSES[i % 4], "attributes": {}} for i in range(RESOURCES)],
        )  # fmt: skip
        session.execute(
            sa.insert(Grant),
            [{"identity_id": i + 1, "resource_id": 1 + i % RESOURCES,
              "action": ("read", "write")[i % 4 == 0], "scope": "*"}
             for i in range(0, systems * 2, 2)],
        )  # fmt: skip
    workspace.close()
    return path
