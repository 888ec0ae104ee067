"""Read identity-platform exports (a file, or a folder of them) into one inventory.

Each file's content says which export it is (see :mod:`app.ingest.cloud.detect`); a format can
also be forced. The files of a folder are read together, platform by platform, so that exports
which complete each other (Azure role assignments and service principals, Google Cloud policies
and service accounts) link up.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.ingest.cloud import aws_iam, azure, gcp, kubernetes
from app.ingest.cloud.collector import Collector, inherit_admin
from app.ingest.cloud.detect import FORMATS, detect, matches
from app.ingest.cloud.documents import (
    JSON_SUFFIXES,
    YAML_SUFFIXES,
    Document,
    load_document,
    looks_structured,
)
from app.ingest.limits import DEFAULT_LIMITS, Limits
from app.ingest.problems import WARNING, IngestError, Problem
from app.ingest.records import ParsedInventory

logger = logging.getLogger(__name__)

#: The format recorded for a folder of several exports.
FOLDER_FORMAT = "identity-exports"
#: Export files one folder may hold.
MAX_FILES = 200


def is_export(path: Path) -> bool:
    """Return True when a path is a folder, or a JSON/YAML file (an identity export)."""
    path = Path(path)
    return path.is_dir() or (path.is_file() and looks_structured(path))


def is_export_format(name: str) -> bool:
    """Return True for the format of an identity export (or a folder of them)."""
    return name in FORMATS or name == FOLDER_FORMAT


def read_exports(
    path: Path, *, format: str = "auto", limits: Limits = DEFAULT_LIMITS
) -> ParsedInventory:  # noqa: A002, E501
    """Read one export file, or every JSON/YAML export in a folder.

    Args:
        path: The file or folder.
        format: ``auto`` (by content) or one export format (see ``detect.FORMATS``).
        limits: The size cap per file.

    Returns:
        The identities, resources, grants and delegations, with every problem.

    Raises:
        IngestError: Nothing can be read: a file is damaged or is not the forced export, or the
            folder holds no export.
    """
    path = Path(path)
    files, skipped = _files(path)
    docs = [_load(p, format, limits, _display(path, p)) for p in files]
    name = path.name
    formats = sorted({f for _doc, f in docs})
    collector = Collector(
        name, formats[0] if len(formats) == 1 and not path.is_dir() else FOLDER_FORMAT
    )
    covered: set[str] = set()
    for platform in _PLATFORMS:
        mine = [(d, f) for d, f in docs if f in platform.formats]
        if not mine:
            continue
        platform.read(collector, mine)
        for _doc, fmt in mine:
            covered |= platform.covered(fmt)
    inherit_admin(collector)
    inventory = collector.finish(covered)
    inventory.sources = collector.sources_seen
    for other in skipped:
        reason = f"{_display(path, other)} is not JSON or YAML: not read as an export"
        inventory.problems.append(Problem(name, "", 0, "", reason, WARNING, "$"))
    return inventory


def describe_exports(path: Path, format: str = "auto", limits: Limits = DEFAULT_LIMITS) -> str:  # noqa: A002, E501
    """Return which export each file of ``path`` is, in words (for the import wizard).

    Raises:
        IngestError: As :func:`read_exports` does for a file it cannot read.
    """
    path = Path(path)
    docs = [_load(p, format, limits, _display(path, p)) for p in _files(path)[0]]
    return "; ".join(f"{doc.name} ({FORMATS[fmt]})" for doc, fmt in docs)


def _files(path: Path) -> tuple[list[Path], list[Path]]:
    """Return the export files of ``path`` (its subfolders' too) and the other files skipped.

    Hidden files and folders (``.git``, ``.DS_Store``) are neither read nor reported.
    """
    if not path.exists():
        raise IngestError(f"{path.name}: no such file or folder")
    if path.is_file():
        return [path], []
    files: list[Path] = []
    skipped: list[Path] = []
    for found in path.rglob("*"):
        if any(part.startswith(".") for part in found.relative_to(path).parts):
            continue
        if found.suffix.lower() in JSON_SUFFIXES + YAML_SUFFIXES and found.is_file():
            files.append(found)
            if len(files) > MAX_FILES:
                raise IngestError(f"{path.name} holds more than {MAX_FILES} JSON or YAML files")
        elif found.is_file() and len(skipped) < MAX_FILES:
            skipped.append(found)
    if not files:
        raise IngestError(f"{path.name} is a folder without JSON or YAML exports")
    return sorted(files), sorted(skipped)


def _display(root: Path, path: Path) -> str:
    """Return how messages name a file: its path within the imported folder."""
    return path.relative_to(root).as_posix() if root.is_dir() else path.name


def _load(path: Path, format: str, limits: Limits, display: str) -> tuple[Document, str]:  # noqa: A002
    doc = load_document(path, limits, display)
    found = detect(doc.data)
    if format not in ("auto", "") and format in FORMATS:
        if not matches(doc.data, format):
            seen = f" (it looks like {FORMATS[found]})" if found else ""
            raise IngestError(f"{doc.name} is not {FORMATS[format]}{seen}")
        return doc, format
    if found is None:
        raise IngestError(
            f"{doc.name} is JSON/YAML but not an identity export Assay reads (expected one of: "
            f"{'; '.join(FORMATS.values())})"
        )
    return doc, found


class _Platform:
    def __init__(self, formats: tuple[str, ...], reader, covered) -> None:  # noqa: ANN001
        self.formats, self._reader, self._covered = formats, reader, covered

    def read(self, collector: Collector, docs: list[tuple[Document, str]]) -> None:
        self._reader(collector, docs)

    def covered(self, fmt: str) -> set[str]:
        return set(self._covered(fmt))


def _each(read_one):  # noqa: ANN001, ANN202
    def read_all(collector: Collector, docs: list[tuple[Document, str]]) -> None:
        for doc, _fmt in docs:
            read_one(collector, doc)

    return read_all


_PLATFORMS = (
    _Platform((aws_iam.FORMAT,), _each(aws_iam.read), lambda _f: aws_iam.COVERED),
    _Platform(azure.FORMATS, azure.read, lambda f: azure.COVERED[f]),
    _Platform(gcp.FORMATS, gcp.read, lambda f: gcp.COVERED[f]),
    _Platform((kubernetes.FORMAT,), _each(kubernetes.read), lambda _f: kubernetes.COVERED),
)
