"""The ``.assaypkg`` file: one zip holding a manifest, JSON parts and evidence files.

Layout::

    manifest.json          what the package is, and the SHA-256 of every other member
    manifest.p7s           optional: a detached CMS signature of manifest.json
    parts/<name>.json      records of one kind (or the package's change list)
    blobs/<sha256>         evidence bytes, each file once, named by its own hash

Reading checks everything before anything is used: the zip is whole, the manifest names every
member with its hash and size, each member matches, evidence matches its name, and nothing
else is in the file. A package that fails any check is refused as a whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.support.safe_files import create_private

logger = logging.getLogger(__name__)

FORMAT = "assay-package/1"
SUFFIX = ".assaypkg"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.p7s"
_PARTS = "parts/"
_BLOBS = "blobs/"


class PackageFileError(ValueError):
    """The file is not a whole, untouched Assay package; the message says why."""


@dataclass
class PackageFile:
    """A package read and checked.

    Attributes:
        path: The file.
        sha256: The SHA-256 of the whole file (how the journal names it).
        manifest: The manifest's values.
        manifest_bytes: The manifest as stored (what a signature covers).
        signature: The detached signature, or empty bytes when unsigned.
        parts: The JSON parts by name.
    """

    path: Path
    sha256: str
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    parts: dict[str, Any]
    _zip_path: Path = field(repr=False, default=Path())

    def blob(self, sha256: str) -> bytes:
        """Return one evidence file's bytes (checked against its hash when read)."""
        with zipfile.ZipFile(self._zip_path) as archive:
            data = archive.read(_BLOBS + sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise PackageFileError(f"{self.path.name}: evidence {sha256[:12]}… was changed")
        return data


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def write_package(
    path: Path,
    manifest: dict[str, Any],
    parts: dict[str, Any],
    blobs: Iterable[tuple[str, bytes]],
    sign: Callable[[bytes], bytes] | None = None,
) -> str:
    """Write a package and return the SHA-256 of the file.

    Args:
        path: Where to write it (replaced when it exists; readable by its owner only).
        manifest: The package's own values; ``format``, ``parts`` and ``blobs`` are added.
        parts: JSON-ready values by part name.
        blobs: Evidence as ``(sha256, bytes)``; a hash given twice is stored once.
        sign: Makes a detached signature of the manifest's bytes, when the package is signed.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    create_private(partial)
    try:
        _write_members(partial, manifest, parts, blobs, sign)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)  # a package is written whole or not at all
        raise
    return _file_hash(path)


def _write_members(
    partial: Path,
    manifest: dict[str, Any],
    parts: dict[str, Any],
    blobs: Iterable[tuple[str, bytes]],
    sign: Callable[[bytes], bytes] | None,
) -> None:
    listed: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, value in parts.items():
            data = _canonical(value)
            archive.writestr(f"{_PARTS}{name}.json", data)
            listed[f"{_PARTS}{name}.json"] = _entry(data)
        for sha256, data in blobs:
            member = _BLOBS + sha256
            if member not in listed:
                archive.writestr(member, data, compress_type=zipfile.ZIP_STORED)
                listed[member] = _entry(data)
        manifest_bytes = _canonical(dict(manifest, format=FORMAT, members=listed))
        archive.writestr(MANIFEST, manifest_bytes)
        if sign is not None:
            archive.writestr(SIGNATURE, sign(manifest_bytes))


def _entry(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_package(path: Path) -> PackageFile:
    """Read a package and check every member against the manifest.

    Raises:
        PackageFileError: Missing, not a zip or truncated, no manifest, a member missing,
            added, changed or of another size, or a manifest of another format.
    """
    path = Path(path)
    if not path.is_file():
        raise PackageFileError(f"{path.name}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            return _checked(path, archive)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        logger.info("package %s cannot be read as a zip file: %s", path.name, exc)
        raise PackageFileError(
            f"{path.name} is not a whole package: it is truncated, damaged or not a zip file; "
            "ask its author to send it again"
        ) from exc


def _checked(path: Path, archive: zipfile.ZipFile) -> PackageFile:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise PackageFileError(f"{path.name} has no manifest: it is not an Assay package")
    manifest_bytes = archive.read(MANIFEST)
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise PackageFileError(f"{path.name}: the manifest cannot be read ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageFileError(f"{path.name}: not a package format this Assay reads")
    members: dict[str, Any] = manifest.get("members") or {}
    extra = sorted(names - set(members) - {MANIFEST, SIGNATURE})
    if extra:
        raise PackageFileError(f"{path.name}: {extra[0]} is not named in the manifest (added)")
    parts: dict[str, Any] = {}
    for member, expected in members.items():
        if member not in names:
            raise PackageFileError(f"{path.name}: {member} is missing (truncated or removed)")
        data = archive.read(member)
        if _entry(data) != expected:
            raise PackageFileError(f"{path.name}: {member} does not match its manifest hash")
        if member.startswith(_PARTS):
            parts[member.removeprefix(_PARTS).removesuffix(".json")] = json.loads(data)
    signature = archive.read(SIGNATURE) if SIGNATURE in names else b""
    return PackageFile(
        path=path,
        sha256=_file_hash(path),
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        signature=signature,
        parts=parts,
        _zip_path=path,
    )


def blob_hashes(package: PackageFile) -> list[str]:
    """Return the SHA-256 of every evidence file a package carries."""
    members: dict[str, Any] = package.manifest.get("members") or {}
    return sorted(m.removeprefix(_BLOBS) for m in members if m.startswith(_BLOBS))
