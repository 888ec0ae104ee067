"""Find the files an earlier OSCAL export left in a folder that a new export does not write.

Exporting a second assessment (or the same one after an upgrade) into the folder of an earlier
export would otherwise leave the earlier export's profile or catalogs and its evidence files
beside the new documents: a GRC tool loading the folder would read content the new documents do
not use, and evidence of another system would travel with them. Only files Assay wrote are
touched: OSCAL JSON documents whose metadata names Assay as generator, and the evidence files
those documents link to. Anything else in the folder is left alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
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
_GENERATOR = "Assay "


def earlier_export_files(folder: Path, written: Iterable[str]) -> list[str]:
    """Return the files of an earlier Assay OSCAL export in ``folder`` not among ``written``.

    Args:
        folder: The export folder (it may not exist yet).
        written: The relative paths (POSIX) the new export writes.

    Returns:
        Relative POSIX paths, sorted: the earlier export's OSCAL documents, and the evidence
        files those documents link to.
    """
    if not folder.is_dir():
        return []
    keep = set(written)
    documents = {p.name: _assay_document(p) for p in sorted(folder.glob("*.json"))}
    found = {name for name, doc in documents.items() if doc is not None}
    for doc in documents.values():
        found |= {
            href
            for href in _evidence_links(doc)
            if (folder / href).is_file() and ".." not in PurePosixPath(href).parts
        }
    return sorted(found - keep)


def remove_files(folder: Path, names: Iterable[str]) -> None:
    """Delete ``names`` (relative to ``folder``); a file already gone is no error."""
    for name in names:
        (folder / name).unlink(missing_ok=True)
        logger.info("removed %s of an earlier OSCAL export in %s", name, folder)


def _assay_document(path: Path) -> Any:
    """Return the OSCAL document in ``path`` if Assay wrote it, else None."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or len(document) != 1:
        return None
    ((model, body),) = document.items()
    if model not in _MODELS or not isinstance(body, dict):
        return None
    generated = any(_is_generator(p) for p in body.get("metadata", {}).get("props", []))
    return document if generated else None


def _evidence_links(document: Any) -> Iterator[str]:
    """Yield the ``evidence/…`` hrefs of a document's back-matter resources."""
    if document is None:
        return
    ((_model, body),) = document.items()
    for resource in body.get("back-matter", {}).get("resources", []):
        for link in resource.get("rlinks", []):
            href = str(link.get("href", ""))
            if href.startswith(f"{EVIDENCE_FOLDER}/"):
                yield href


def _is_generator(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("name") == "generator"
        and item.get("ns") == ASSAY_NS
        and str(item.get("value", "")).startswith(_GENERATOR)
    )
