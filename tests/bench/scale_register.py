"""A generated inventory register of any size, written as a real workbook.

The register has, per AI system, two identities, five grants and 0.6 delegations; one resource
per ten systems. :func:`write_register` writes it with openpyxl's streaming writer; the
100,000-system register (200,000 identities, 500,000 grants, 60,000 delegations) is built
once per benchmark run by the ``scale_register`` fixture and shared by the scale benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.bench.xlsx_writer import write_workbook

SYSTEM_HEADERS = ["System ID", "Name", "Description", "Owner", "Owner email", "Business unit",
                  "Provider", "Model", "Stage", "Env", "Autonomy", "Classification", "Exposure",
                  "Tools", "Identities", "Tags", "Review due", "Cost centre"]  # fmt: skip
IDENTITY_HEADERS = ["Identity", "Name", "Type", "Provider", "Owner email", "Env", "Created",
                    "Last rotated", "Last used", "Expires", "Revocation procedure"]  # fmt: skip
RESOURCE_HEADERS = ["Resource", "Name", "Type", "Env", "Sensitivity"]
GRANT_HEADERS = ["Identity", "Resource", "Action", "Scope", "Approval required", "Logged",
                 "Last used"]  # fmt: skip
DELEGATION_HEADERS = ["From", "To", "Type"]

_DAY = dt.date.today()
_ENVS = ["production", "Staging", "test", "dev"]
_STAGES = ["production", "pilot", "planned"]
_AUTONOMY = ["advisory", "Human in the loop", "HOTL", "autonomous"]
_CLASSES = ["internal", "Confidential", "restricted", "public"]
_KINDS = ["service account", "API key", "OAuth client"]
_ACTIONS = ["read", "read", "write", "execute"] * 12 + ["admin"]


@dataclass(frozen=True)
class RegisterSize:
    """How many records of each kind a generated register holds."""

    systems: int

    @property
    def identities(self) -> int:
        return 2 * self.systems

    @property
    def roles(self) -> int:
        """The last identities are roles, the targets of every delegation."""
        return self.identities // 10

    @property
    def resources(self) -> int:
        return max(self.systems // 40 * 4, 12)

    @property
    def grants(self) -> int:
        return 5 * self.systems

    @property
    def delegations(self) -> int:
        return self.systems * 6 // 10

    def describe(self) -> str:
        """Return e.g. ``100,000 systems, 200,000 identities, ...``."""
        return (
            f"{self.systems:,} systems, {self.identities:,} identities, {self.grants:,} grants, "
            f"{self.delegations:,} delegations, {self.resources:,} resources"
        )


def _systems(size: RegisterSize) -> Iterator[list]:
    for i in range(size.systems):
        yield [f"AIS-{i:06}", f"System {i}", f"Helps team {i % 400}", f"Owner {i % 3000}",
               f"owner{i % 3000}@example.com", f"Unit {i % 40}", "Vendor", "model-x",
               _STAGES[i % 3], _ENVS[i % 4], _AUTONOMY[i % 4], _CLASSES[i % 4], "internal",
               "crm; email", f"svc-{2 * i:06}; svc-{2 * i + 1:06}", "a; b",
               _DAY + dt.timedelta(days=i % 365), f"CC{i % 50}"]  # fmt: skip


def _identities(size: RegisterSize) -> Iterator[list]:
    first_role = size.identities - size.roles
    for i in range(size.identities):
        kind = "role" if i >= first_role else _KINDS[i % 3]
        yield [f"svc-{i:06}", f"Service {i}", kind, "Entra ID",
               "" if i % 97 == 0 else f"team{i % 1000}@example.com", _ENVS[i // 2 % 4],
               _DAY - dt.timedelta(days=400 + i % 100), _DAY - dt.timedelta(days=i % 95),
               _DAY - dt.timedelta(days=i * 7 % 95), _DAY + dt.timedelta(days=i % 370),
               "" if i % 25 == 0 else "Disable in the directory"]  # fmt: skip


def _resources(size: RegisterSize) -> Iterator[list]:
    for i in range(size.resources):
        yield [f"res-{i:05}", f"Resource {i}", "database", _ENVS[i % 4], _CLASSES[i % 4]]


def _grants(size: RegisterSize, rng: random.Random) -> Iterator[list]:
    for i in range(size.grants):
        identity = i % size.identities
        resource = rng.randrange(size.resources // 4) * 4 + identity // 2 % 4
        yield [f"svc-{identity:06}", f"res-{resource:05}", _ACTIONS[i % len(_ACTIONS)],
               f"scope-{i}", "yes" if i % 7 == 0 else "no", "yes",
               _DAY - dt.timedelta(days=i % 100)]  # fmt: skip


def _delegations(size: RegisterSize, rng: random.Random) -> Iterator[list]:
    first_role = size.identities - size.roles
    seen: set[tuple[int, int]] = set()
    while len(seen) < size.delegations:
        source = (
            rng.randrange(first_role, size.identities)
            if rng.random() < 0.3
            else rng.randrange(size.identities)
        )
        target = rng.randrange(first_role, size.identities)
        if source != target and (source, target) not in seen:
            seen.add((source, target))
            yield [f"svc-{source:06}", f"svc-{target:06}", "assume-role"]


def write_register(path: Path, size: RegisterSize, *, seed: int = 8596) -> Path:
    """Write the generated register of ``size`` to ``path`` (an .xlsx workbook)."""
    rng = random.Random(seed)
    sheets = {
        "AI systems": (SYSTEM_HEADERS, _systems(size)),
        "Identities": (IDENTITY_HEADERS, _identities(size)),
        "Resources": (RESOURCE_HEADERS, _resources(size)),
        "Grants": (GRANT_HEADERS, _grants(size, rng)),
        "Delegations": (DELEGATION_HEADERS, _delegations(size, rng)),
    }
    write_workbook(path, sheets)
    return path
