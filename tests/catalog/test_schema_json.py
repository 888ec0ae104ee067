"""The committed JSON Schemas match the pydantic models."""

from __future__ import annotations

from app.catalog.schema_json import (
    CROSSWALK_SCHEMA_FILE,
    SCHEMA_FILE,
    crosswalk_json_schema,
    framework_json_schema,
    render,
)
from app.support.paths import assessments_dir

REGENERATE = "regenerate with: python -m app.catalog.schema_json"


def test_committed_framework_schema_is_current():
    committed = (assessments_dir() / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render(framework_json_schema()), REGENERATE


def test_committed_crosswalk_schema_is_current():
    committed = (assessments_dir() / CROSSWALK_SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render(crosswalk_json_schema()), REGENERATE


def test_schema_forbids_unknown_keys_and_lists_inventory_facts():
    schema = framework_json_schema()
    question = schema["$defs"]["Question"]
    assert question["additionalProperties"] is False
    assert "identity.last_rotated" in question["properties"]["inventory_facts"]["items"]["enum"]
    assert question["properties"]["evidence"]["minItems"] == 1
