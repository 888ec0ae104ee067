"""Find the files an earlier OSCAL export left in a folder that a new export does not write.

Exporting a second assessment (or the same one after an upgrade) into the folder of an earlier
export would otherwise leave the earlier export's profile or catalogs and its evidence files
beside the new documents: a GRC tool loading the folder would read content the new documents do
not use, and evidence of another system would travel with them. Only files Assay wrote are
touched: OSCAL JSON documents whose metadata names Assay as generator, and evidence files named
``<id>-<name>`` in the ``evidence`` folder. Anything else in the folder is left alone.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.services.oscal.common import ASSAY_NS
from app.services.oscal.observations import EVIDENCE_FOLDER

logger = logging.getLogger(__name__)

_MODELS = frozenset(
    {
        "catalog",
        "profile",
        "assessment-plan",
        "assessment-results",
        "plan-of-action-and-milestones",
    }
)
_EVIDENCE_NAME = re.compile(r"\d+-.+")
_GENERATOR = "Assay "


def earlier_export_files(folder: Path, written: Iterable[str]) -> list[str]:
    """Return the files of an earlier Assay OSCAL export in ``folder`` not among ``written``.

    Args:
        folder: The export folder (it may not exist yet).
        written: The relative paths (POSIX) the new export writes.

    Returns:
        Relative POSIX paths, sorted, of the earlier export's documents and evidence files.
    """
    if not folder.is_dir():
        return []
    keep = set(written)
    stale = [p.name for p in sorted(folder.glob("*.json")) if _written_by_assay(p)]
    evidence = folder / EVIDENCE_FOLDER
    if evidence.is_dir():
        stale += [
            f"{EVIDENCE_FOLDER}/{p.name}"
            for p in sorted(evidence.iterdir())
            if p.is_file() and _EVIDENCE_NAME.fullmatch(p.name)
        ]
    return [name for name in stale if name not in keep]


def remove_files(folder: Path, names: Iterable[str]) -> None:
    """Delete ``names`` (relative to ``folder``); a file already gone is no error."""
    for name in names:
        (folder / name).unlink(missing_ok=True)
        logger.info("removed %s of an earlier OSCAL export in %s", name, folder)


def _written_by_assay(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(document, dict) or len(document) != 1:
        return False
    ((model, body),) = document.items()
    if model not in _MODELS or not isinstance(body, dict):
        return False
    return any(_is_generator(p) for p in body.get("metadata", {}).get("props", []))


def _is_generator(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("name") == "generator"
        and item.get("ns") == ASSAY_NS
        and str(item.get("value", "")).startswith(_GENERATOR)
    )
