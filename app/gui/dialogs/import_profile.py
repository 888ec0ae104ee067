"""Mapping profiles and the id rule in the import wizard.

A profile loaded on the first step seeds the column mappings, the meanings of values, the
header rows and the id rule; Save profile on the last step writes the choices the dry run was
made with, so next quarter's export of the same register imports without mapping anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.gui.dialogs.import_values import ValueChoices
from app.ingest.fields import header_key
from app.services.inventory_import.inspection import SheetPreview
from app.services.inventory_import.profile import MappingProfile, profile_of
from app.support.text import plural

logger = logging.getLogger(__name__)

PROFILE_FILTER = "Assay mapping profile (*.json);;All files (*)"
GENERATED_LABEL = "Generate a stable id from the row's name"
_ID_ENTITIES = ("systems", "identities", "resources")


@dataclass
class WizardChoices:
    """What the user chose beyond the column mapping: profile, value meanings, id rule.

    Attributes:
        profile: The profile loaded on the first step (empty when none).
        profile_name: Its file name, for the wizard's messages.
        values: The values not understood and their chosen meanings.
        id_rule: How rows without an id get one (empty: generated).
    """

    profile: MappingProfile = field(default_factory=MappingProfile)
    profile_name: str = ""
    values: ValueChoices = field(default_factory=ValueChoices)
    id_rule: str = ""

    def load(self, profile: MappingProfile, name: str) -> None:
        """Take a profile's choices (value meanings and id rule replace the current ones)."""
        self.profile, self.profile_name = profile, name
        chosen = {}
        for left, meaning in profile.values.items():
            column, _, text = left.partition(":")
            chosen[(column, text)] = meaning
        self.values = ValueChoices(chosen)
        self.id_rule = profile.id_rule

    def column_overrides(self) -> dict[str, str]:
        """Return the profile's column mappings keyed as the mapping step keys them."""
        return {header_key(column): text for column, text in self.profile.columns.items()}

    def plan_arguments(
        self, mapping: dict[str, str], header_rows: dict[str, int], sheets: list[str]
    ) -> dict[str, Any]:
        """Return ``plan_import``'s mapping, values, header rows and id rule for the choices.

        The profile's header rows apply to the sheets this file has; the mapping step's and
        the sheet step's own choices win over the profile's.
        """
        rows = {s: r for s, r in self.profile.header_rows.items() if s in sheets}
        return {
            "mapping": {**self.profile.columns, **mapping},
            "values": self.values.written(),
            "header_rows": {**rows, **header_rows},
            "id_rule": self.id_rule or None,
        }

    def summary(self) -> str:
        """Return one line about the profile loaded (empty when none)."""
        if not self.profile_name:
            return ""
        profile = self.profile
        return (
            f"Mapping profile {self.profile_name}: "
            f"{plural(len(profile.columns), 'column mapping')}, "
            f"{plural(len(profile.values), 'value meaning')}, "
            f"{plural(len(profile.header_rows), 'header row')}"
            + (f", ids {profile.id_rule}" if profile.id_rule else "")
            + "."
        )


def profile_for_plan(options: dict[str, Any]) -> MappingProfile:
    """Return the profile to save for a dry run's reading options."""
    return profile_of(options)


def id_rule_options(sheets: list[SheetPreview]) -> list[tuple[str, str]]:
    """Return the id rules offered for the sheets being imported: ``(label, rule)`` pairs."""
    options = [(GENERATED_LABEL, "")]
    seen: set[str] = set()
    for sheet in sheets:
        if sheet.entity not in _ID_ENTITIES:
            continue
        by_field = {c.suggested: c.header for c in sheet.columns if c.suggested}
        unit, name = by_field.get("systems.business_unit"), by_field.get("systems.name")
        if unit and name and f"{unit}+{name}" not in seen:
            seen.add(f"{unit}+{name}")
            options.append((f"Combine columns {unit!r} and {name!r}", f"{unit}+{name}"))
        for column in sheet.columns:
            if column.header not in seen and not column.suggested.endswith(".id"):
                seen.add(column.header)
                options.append((f"Take the id from column {column.header!r}", column.header))
    return options
