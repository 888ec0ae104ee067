"""Presets for new assessments: the shipped ones and the user's own, saved as YAML.

Shipped presets live in ``assessments/presets.yaml``; a user's own are kept in
``presets.yaml`` of the user's settings folder and may not reuse a shipped id.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.catalog.errors import CatalogError
from app.catalog.loader import load_presets_text
from app.catalog.presets import Preset, PresetFile, PresetFramework
from app.services.assessment_selection import FrameworkFilter
from app.services.errors import UserError
from app.support.paths import assessments_dir, user_config_dir

logger = logging.getLogger(__name__)

PRESETS_FILE = "presets.yaml"


@dataclass(frozen=True)
class PresetInfo:
    """A preset as the assessment services use it.

    Attributes:
        preset: The preset as written.
        custom: True for a user's own preset.
    """

    preset: Preset
    custom: bool = False

    @property
    def id(self) -> str:
        """Return the preset's id."""
        return self.preset.id

    @property
    def label(self) -> str:
        """Return the name shown to users."""
        return self.preset.label

    @property
    def framework_ids(self) -> list[str]:
        """Return the preset's framework ids in order."""
        return [fw.id for fw in self.preset.frameworks]

    @property
    def filters(self) -> dict[str, FrameworkFilter]:
        """Return what the preset keeps of each framework."""
        return {
            fw.id: FrameworkFilter(
                tuple(f.value for f in fw.focus_areas) if fw.focus_areas is not None else None,
                fw.max_priority,
                tuple(fw.nodes),
            )
            for fw in self.preset.frameworks
        }


def _read(path: Path) -> PresetFile:
    if not path.is_file():
        return PresetFile(schema_version=1)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"cannot read {path.name}: {exc.strerror}") from exc
    try:
        return load_presets_text(text, path.name)
    except CatalogError as exc:
        raise UserError(str(exc)) from exc


def user_presets_path() -> Path:
    """Return the file holding the user's own presets."""
    return user_config_dir() / PRESETS_FILE


def list_presets(user_file: Path | None = None) -> list[PresetInfo]:
    """Return the shipped presets, then the user's own.

    Raises:
        UserError: A presets file cannot be read or has problems.
    """
    shipped = [PresetInfo(p) for p in _read(assessments_dir() / PRESETS_FILE).presets]
    own = [PresetInfo(p, True) for p in _read(user_file or user_presets_path()).presets]
    return shipped + own


def find_preset(preset_id: str, user_file: Path | None = None) -> PresetInfo:
    """Return the preset with this id.

    Raises:
        UserError: No preset has this id (the message lists the known ones).
    """
    found = {p.id: p for p in list_presets(user_file)}
    if preset_id not in found:
        raise UserError(f"no preset {preset_id!r} (known: {', '.join(found)})")
    return found[preset_id]


def save_preset(
    preset_id: str,
    title: str,
    frameworks: Sequence[str],
    filters: dict[str, FrameworkFilter],
    *,
    description: str = "",
    kind: str = "system",
    user_file: Path | None = None,
) -> PresetInfo:
    """Save (or replace) one of the user's own presets.

    Raises:
        UserError: A shipped id, a bad id or title, or the file cannot be written.
    """
    path = user_file or user_presets_path()
    shipped = {p.id for p in list_presets(path) if not p.custom}
    if preset_id in shipped:
        raise UserError(f"{preset_id!r} is a shipped preset; choose another id")
    try:
        preset = Preset(
            id=preset_id, title=title.strip(), description=description.strip(), kind=kind,
            frameworks=tuple(_framework(fw, filters.get(fw)) for fw in frameworks),
        )  # fmt: skip
    except ValueError as exc:
        raise UserError(f"cannot save preset {preset_id!r}: {exc}") from None
    kept = [p for p in _read(path).presets if p.id != preset_id] + [preset]
    _write(path, PresetFile(schema_version=1, presets=tuple(kept)))
    logger.info("saved preset %s to %s", preset_id, path)
    return PresetInfo(preset, True)


def _framework(framework_id: str, chosen: FrameworkFilter | None) -> PresetFramework:
    chosen = chosen or FrameworkFilter()
    return PresetFramework.model_validate(
        {"id": framework_id} | {k: v for k, v in chosen.as_dict().items() if v not in (None, [])}
    )


def _write(path: Path, content: PresetFile) -> None:
    data = content.model_dump(mode="json", exclude_defaults=True)
    data["schema_version"] = 1
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    temp = path.with_suffix(".tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        raise UserError(f"cannot write {path.name}: {exc.strerror}") from exc
