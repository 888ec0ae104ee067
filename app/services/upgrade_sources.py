"""Where a framework version to move an assessment to comes from.

The shipped files (``assessments/<id>/<version>.yaml``), the versions already stored in the
workspace (the text of every version an assessment used, and custom sets), or a framework
file the user names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.catalog.errors import CatalogError
from app.catalog.loader import load_framework_text
from app.catalog.registry import load_default_catalog, shipped_versions
from app.catalog.schema import Framework
from app.services.errors import UserError
from app.services.frameworks import read_framework_file
from app.services.unit import reads
from app.storage.repositories.frameworks import FrameworkVersionRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.paths import assessments_dir

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionSource:
    """One framework version with its file text; ``custom`` when no shipped framework has its id."""

    framework: Framework
    text: str
    custom: bool


def shipped_sources(framework_id: str) -> list[VersionSource]:
    """Return the shipped versions of a framework, oldest first."""
    try:
        versions = shipped_versions(framework_id)
    except CatalogError as exc:
        raise UserError(str(exc)) from exc
    out = []
    for framework in versions:
        path = assessments_dir() / framework_id / framework.source_name
        out.append(VersionSource(framework, path.read_bytes().decode("utf-8-sig"), False))
    return out


@reads
def stored_sources(uow: UnitOfWork, framework_id: str) -> list[VersionSource]:
    """Return the versions of a framework stored in the workspace (those that still load)."""
    out = []
    for row in uow.repository(FrameworkVersionRepository).of(framework_id):
        try:
            framework = load_framework_text(
                row.content, row.source_name or framework_id, custom=row.custom, sha256=row.sha256
            )
        except CatalogError:
            logger.warning("stored %s %s no longer loads; skipped", framework_id, row.version)
            continue
        out.append(VersionSource(framework, row.content, row.custom))
    return out


@reads
def available_versions(uow: UnitOfWork, framework_id: str) -> list[str]:
    """Return the versions of a framework Assay can move an assessment to, oldest first."""
    found = shipped_sources(framework_id) + stored_sources(uow, framework_id)
    return list(dict.fromkeys(c.framework.version for c in found))


@reads
def known_versions(uow: UnitOfWork, framework_id: str) -> set[str]:
    """Return every version of a framework, shipped or stored."""
    return {
        c.framework.version
        for c in shipped_sources(framework_id) + stored_sources(uow, framework_id)
    }


@reads
def find_source(
    uow: UnitOfWork, current: Framework, to_version: str, file: VersionSource | None
) -> VersionSource:
    """Return the version ``to_version`` of the assessment's current framework.

    Raises:
        UserError: The file holds another framework or version, or no such version is known.
    """
    if file is not None:
        if file.framework.id != current.id:
            raise UserError(
                f"{file.framework.source_name} is {file.framework.id}, not {current.id}"
            )
        if file.framework.version != to_version:
            raise UserError(
                f"{file.framework.source_name} holds version {file.framework.version}, "
                f"not {to_version}"
            )
        return file
    found = [
        c
        for c in shipped_sources(current.id) + stored_sources(uow, current.id)
        if c.framework.version == to_version
    ]
    if not found:
        known = ", ".join(sorted(known_versions(uow, current.id)))
        raise UserError(
            f"no version {to_version!r} of {current.id} (known: {known or 'none'}); "
            "give the new version's file with --file"
        )
    return found[-1]


def file_source(file: Path | None) -> VersionSource | None:
    """Read a framework file the user named (None when none was named).

    Raises:
        FrameworkFileError: The file has problems; all are listed.
        UserError: The file is missing or of an unknown type.
    """
    if file is None:
        return None
    framework, text = read_framework_file(file)
    shipped = {fw.id for fw in load_default_catalog().frameworks() if not fw.custom}
    return VersionSource(framework, text, framework.id not in shipped)
