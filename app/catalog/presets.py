"""Presets: named assessment scopes as data (``assessments/presets.yaml`` and the user's own).

A preset names the frameworks an assessment uses and, per framework, the focus areas, the
highest priority and the nodes it keeps::

    schema_version: 1
    presets:
      - id: agentic
        title: "Agentic AI system"
        description: "OWASP Agentic + NHI + IR 8596 Secure, priority 1"
        kind: system                # system | organisation: what it is meant for
        frameworks:
          - {id: owasp-asi}
          - {id: nist-ir-8596, focus_areas: [secure], max_priority: 1, nodes: []}
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.domain.enums import AssessmentKind, FocusArea

logger = logging.getLogger(__name__)

_ID = r"^[a-z0-9][a-z0-9-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PresetFramework(_Model):
    """One framework of a preset and what of it the preset keeps."""

    id: str = Field(pattern=_ID)
    focus_areas: tuple[FocusArea, ...] | None = None
    max_priority: Literal[1, 2, 3] | None = None
    nodes: tuple[str, ...] = ()


class Preset(_Model):
    """A named scope for a new assessment."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    description: str = ""
    kind: AssessmentKind = AssessmentKind.SYSTEM
    frameworks: tuple[PresetFramework, ...] = Field(min_length=1)

    @property
    def label(self) -> str:
        """Return the name shown to users: title and description."""
        return f"{self.title}: {self.description}" if self.description else self.title


class PresetFile(_Model):
    """A presets file: the shipped one or the user's own."""

    schema_version: Literal[1]
    presets: tuple[Preset, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> PresetFile:
        seen: set[str] = set()
        for preset in self.presets:
            if preset.id in seen:
                raise ValueError(f"preset id {preset.id!r} is used twice")
            seen.add(preset.id)
        return self
