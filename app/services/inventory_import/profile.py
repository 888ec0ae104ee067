"""Mapping profiles: how one client's register is read, saved to reuse next quarter.

A profile holds the column mappings, the value mappings, the header rows and the id rule of
a register, as JSON. The CLI's ``--profile FILE`` and the import wizard's Save/Load profile
read and write the same file, so the next export of the same register imports in one step.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.ingest.choices import parse_id_rule, parse_values
from app.ingest.pipeline import parse_header_rows, parse_mapping
from app.ingest.problems import IngestError
from app.services.errors import UserError

logger = logging.getLogger(__name__)

FORMAT_KEY = "assay_mapping_profile"
FORMAT_VERSION = 1


@dataclass
class MappingProfile:
    """The reading choices of one register.

    Attributes:
        columns: Column header → field (``entity.field`` or ``attribute``).
        values: ``Column:Text`` → canonical value ('' leaves it unrecorded).
        header_rows: Sheet name → 1-based header row.
        id_rule: ``generated``, a column, or columns joined with ``+``; empty for the default.
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    header_rows: dict[str, int] = field(default_factory=dict)
    id_rule: str = ""

    def plan_options(self) -> dict[str, Any]:
        """Return the profile as keyword arguments of ``plan_import``."""
        return {
            "mapping": dict(self.columns),
            "values": [f"{k}={v}" for k, v in self.values.items()],
            "header_rows": dict(self.header_rows),
            "id_rule": self.id_rule or None,
        }

    def updated(
        self,
        *,
        columns: list[str] | dict[str, str] | None = None,
        values: list[str] | dict[str, str] | None = None,
        header_rows: list[str] | dict[str, int] | None = None,
        id_rule: str | None = None,
    ) -> MappingProfile:
        """Return a copy with further choices added (they win over the profile's own).

        Raises:
            UserError: A header row is malformed.
        """
        try:
            rows = parse_header_rows(header_rows) if header_rows else {}
        except IngestError as exc:
            raise UserError(str(exc)) from exc
        return MappingProfile(
            {**self.columns, **_pairs(columns, "=")},
            {**self.values, **_pairs(values, "=", last=True)},
            {**self.header_rows, **rows},
            id_rule or self.id_rule,
        )

    def to_json(self) -> str:
        """Return the profile as JSON text."""
        data = {
            FORMAT_KEY: FORMAT_VERSION,
            "columns": self.columns,
            "values": self.values,
            "header_rows": self.header_rows,
            "id_rule": self.id_rule,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _pairs(
    items: list[str] | dict[str, Any] | None, sep: str, *, last: bool = False
) -> dict[str, str]:
    if not items:
        return {}
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    out = {}
    for item in items:
        left, found, right = item.rpartition(sep) if last else item.partition(sep)
        if found:
            out[left.strip()] = right.strip()
    return out


def load_profile(path: Path) -> MappingProfile:
    """Read a mapping profile.

    Raises:
        UserError: The file cannot be read, is not a mapping profile, or holds a bad choice.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"mapping profile {Path(path).name}: cannot be read ({exc})") from exc
    if not isinstance(data, dict) or data.get(FORMAT_KEY) != FORMAT_VERSION:
        raise UserError(f"mapping profile {Path(path).name}: not an Assay mapping profile")
    profile = MappingProfile(
        {str(k): str(v) for k, v in (data.get("columns") or {}).items()},
        {str(k): str(v) for k, v in (data.get("values") or {}).items()},
        {str(k): int(v) for k, v in (data.get("header_rows") or {}).items()},
        str(data.get("id_rule") or ""),
    )
    check_profile(profile, Path(path).name)
    return profile


def check_profile(profile: MappingProfile, name: str) -> None:
    """Check every choice of a profile reads (raises UserError naming the profile)."""
    options = profile.plan_options()
    try:
        parse_mapping(options["mapping"])
        parse_values(options["values"])
        parse_header_rows(options["header_rows"])
        parse_id_rule(options["id_rule"])
    except IngestError as exc:
        raise UserError(f"mapping profile {name}: {exc}") from exc


def save_profile(path: Path, profile: MappingProfile) -> Path:
    """Write a mapping profile (replacing the file whole)."""
    target = Path(path)
    temporary = target.with_name(target.name + ".part")
    temporary.write_text(profile.to_json(), encoding="utf-8")
    temporary.replace(target)
    logger.info("saved mapping profile %s", target.name)
    return target


def profile_of(options: dict[str, Any]) -> MappingProfile:
    """Return the profile of a plan's reading options (``ImportPlan.options``)."""
    return MappingProfile().updated(
        columns=options.get("mapping") or None,
        values=options.get("values") or None,
        header_rows=options.get("header_rows") or None,
        id_rule=options.get("id_rule") or None,
    )
