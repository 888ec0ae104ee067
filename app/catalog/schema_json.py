"""The JSON Schema of framework files, for editor completion; ``assessments/schema.json``.

Regenerate after changing the models with ``python -m app.catalog.schema_json``; a test checks
that the committed file is current.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from app.catalog.schema import Crosswalk, Framework
from app.support.paths import assessments_dir

logger = logging.getLogger(__name__)

SCHEMA_FILE = "schema.json"
CROSSWALK_SCHEMA_FILE = "crosswalk.schema.json"


def framework_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a framework file."""
    schema = Framework.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def crosswalk_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the crosswalk file."""
    schema = Crosswalk.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def render(schema: dict[str, Any]) -> str:
    """Return a schema as the committed text (sorted keys, two-space indent, final newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema_files(folder: Path | None = None) -> list[Path]:
    """Write both schema files into ``folder`` (the shipped ``assessments/`` by default)."""
    base = folder or assessments_dir()
    written = []
    for name, schema in (
        (SCHEMA_FILE, framework_json_schema()),
        (CROSSWALK_SCHEMA_FILE, crosswalk_json_schema()),
    ):
        path = base / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for written_path in write_schema_files():
        logger.info("wrote %s", written_path)
