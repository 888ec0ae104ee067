"""Frameworks of a workspace: the shipped catalog plus the user's own question sets.

Custom sets are stored in the ``framework_version`` table (``custom=True``) as YAML text in the
file format, whatever they were read from, so a workspace carries them wherever it is copied.
The newest stored version of each custom framework id is the one in the catalog.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.catalog.errors import CatalogError
from app.catalog.excel import read_excel_framework
from app.catalog.loader import dump_framework_yaml, load_framework_text
from app.catalog.registry import Catalog, load_default_catalog
from app.catalog.schema import Framework
from app.services.errors import UserError
from app.services.unit import reads, writes
from app.services.workspace import Workspace
from app.storage.models import FrameworkVersion
from app.storage.repositories.frameworks import FrameworkVersionRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


class FrameworkFileError(UserError):
    """A framework file has problems; the message is one line, ``problems`` lists them all.

    Args:
        error: The catalog's error with every problem.
    """

    def __init__(self, error: CatalogError) -> None:
        super().__init__(error.summary())
        self.problems: list[str] = error.lines()


@dataclass(frozen=True)
class AddedFramework:
    """What :func:`add_custom_framework` stored."""

    framework_id: str
    version: str
    title: str
    questions: int
    sha256: str
    source_name: str

    def __str__(self) -> str:
        return f"{self.title} ({self.framework_id} {self.version}, {self.questions} questions)"


def _stored_custom(uow: UnitOfWork) -> list[FrameworkVersion]:
    """Return the newest stored row of each custom framework id."""
    rows = uow.repository(FrameworkVersionRepository).custom()
    return list({row.framework_id: row for row in rows}.values())


@reads
def catalog_for(uow: UnitOfWork, *, base: Catalog | None = None) -> Catalog:
    """Return the shipped frameworks plus this workspace's custom ones, as one catalog.

    A stored custom set that no longer loads (for example after a format change) or whose ids
    now clash with a shipped framework is left out with a warning in the log, rather than
    making the whole catalog unusable.

    Args:
        uow: The unit of work (or the workspace) to read the custom frameworks from.
        base: The shipped frameworks when the caller has loaded them already; read from the
            shipped files when None.
    """
    base = base or load_default_catalog()
    frameworks = list(base.frameworks())
    taken = {q.id for fw in frameworks for q in fw.questions}
    ids = {fw.id for fw in frameworks}
    for row in _stored_custom(uow):
        try:
            custom = load_framework_text(
                row.content, row.source_name or row.framework_id, custom=True
            )
        except CatalogError as exc:
            logger.warning(
                "custom framework %s %s left out: %s", row.framework_id, row.version, exc
            )
            continue
        question_ids = {q.id for q in custom.questions}
        if custom.id in ids or question_ids & taken:
            logger.warning("custom framework %s left out: its ids clash", custom.id)
            continue
        frameworks.append(custom)
        ids.add(custom.id)
        taken |= question_ids
    if len(frameworks) == len(base.frameworks()):
        return base
    return Catalog(frameworks, base.crosswalk)


def read_framework_file(
    path: Path,
    *,
    framework_id: str | None = None,
    version: str | None = None,
    title: str | None = None,
    sheet: str | None = None,
) -> tuple[Framework, str]:
    """Read and validate a YAML framework file or a spreadsheet question set.

    Args:
        path: The file (``.yaml``/``.yml`` or ``.xlsx``/``.xlsm``/``.xls``/``.ods``).
        framework_id: Spreadsheets only: the framework id (``custom-<file name>`` by default).
        version: Spreadsheets only: the version ("1" by default).
        title: Spreadsheets only: the title (the file name by default).
        sheet: Spreadsheets only: the sheet (the first by default).

    Returns:
        The framework and its YAML text in the file format.

    Raises:
        FrameworkFileError: The file has problems; all of them are listed.
        UserError: The file is missing or of an unknown type.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        if suffix in YAML_SUFFIXES:
            if any(v is not None for v in (framework_id, version, title, sheet)):
                raise UserError("--id, --version, --title and --sheet apply to spreadsheets only")
            data = path.read_bytes()
            text = _decode(data, path.name)
            return load_framework_text(text, path.name, custom=True), text
        if suffix in SPREADSHEET_SUFFIXES:
            framework = read_excel_framework(
                path, framework_id=framework_id, version=version, title=title, sheet=sheet
            )
            return framework, dump_framework_yaml(framework)
    except CatalogError as exc:
        raise FrameworkFileError(exc) from exc
    raise UserError(f"{path.name}: use a .yaml file or a spreadsheet (.xlsx, .xls, .ods)")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{name}: not UTF-8 text (byte {exc.start})") from exc


def add_custom_framework(
    target: UnitOfWork | Workspace,
    path: Path,
    *,
    framework_id: str | None = None,
    version: str | None = None,
    title: str | None = None,
    sheet: str | None = None,
) -> AddedFramework:
    """Validate a framework file and store it in the workspace as a custom framework.

    Args:
        target: The unit of work, or the workspace to store in a transaction of its own (the
            file is read before that transaction opens).
        path: A YAML framework file or a spreadsheet question set.
        framework_id: Spreadsheets only, see :func:`read_framework_file`.
        version: Spreadsheets only.
        title: Spreadsheets only.
        sheet: Spreadsheets only.

    Returns:
        What was stored.

    Raises:
        FrameworkFileError: The file has problems.
        UserError: The id belongs to a shipped framework, this version is already stored, or a
            question id is already used by another framework.
    """
    framework, text = read_framework_file(
        path, framework_id=framework_id, version=version, title=title, sheet=sheet
    )
    added = _store_custom(target, framework, text, path.name)
    logger.info("added custom framework %s", added)
    return added


@writes
def _store_custom(uow: UnitOfWork, framework: Framework, text: str, name: str) -> AddedFramework:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    _check_can_add(uow, framework, digest)
    added = AddedFramework(
        framework.id, framework.version, framework.title, len(framework.questions), digest, name
    )
    row = FrameworkVersion(
        framework_id=framework.id,
        version=framework.version,
        title=framework.title,
        sha256=digest,
        custom=True,
        source_name=name,
        content=text,
    )
    stored = uow.repository(FrameworkVersionRepository).add(row)
    uow.record(
        "framework.add",
        "framework_version",
        stored.id or 0,
        after={
            "framework_id": added.framework_id,
            "version": added.version,
            "title": added.title,
            "questions": added.questions,
            "sha256": added.sha256,
            "source_name": added.source_name,
        },
    )
    return added


def _check_can_add(uow: UnitOfWork, framework: Framework, digest: str) -> None:
    catalog = catalog_for(uow)
    if catalog.has_framework(framework.id) and not catalog.framework(framework.id).custom:
        raise UserError(f"{framework.id!r} is a shipped framework's id; give your set its own id")
    hashes = uow.repository(FrameworkVersionRepository).custom_hashes(
        framework.id, framework.version
    )
    if digest in hashes:
        raise UserError(f"{framework.id} {framework.version} is already in this workspace")
    if hashes:
        raise UserError(
            f"{framework.id} {framework.version} is already stored with different content; "
            "give the changed file a new version"
        )
    taken = [
        q.id for q in framework.questions if _owner_id(catalog, q.id) not in (None, framework.id)
    ]
    if taken:
        shown = ", ".join(taken[:3]) + (" ..." if len(taken) > 3 else "")
        ids = plural(len(taken), "question id", number=False)
        raise UserError(f"{ids} already used by another framework: {shown}")


def _owner_id(catalog: Catalog, question_id: str) -> str | None:
    try:
        return catalog.framework_of(question_id).id
    except LookupError:
        return None


def describe_framework(framework: Framework) -> dict[str, Any]:
    """Return a framework as plain data: id, version, title and every question with its path.

    ``path`` lists node ids from the root to the question's leaf node; ``applies_to`` holds
    only the conditions set (``{}`` means always).
    """
    return {
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "published": framework.published,
        "identifier": framework.identifier,
        "upgrades_from": [mapping.from_version for mapping in framework.upgrades],
        "questions": [
            {
                "id": q.id,
                "ref": q.ref,
                "title": q.title,
                "path": [node.id for node in framework.question_path(q.id)],
                "focus_area": q.focus_area.value if q.focus_area else None,
                "priority": q.priority,
                "weight": q.weight,
                "prompt": q.prompt,
                "applies_to": q.applies_to.model_dump(mode="json", exclude_none=True),
            }
            for q in framework.questions
        ],
    }


def framework_summary(framework: Framework) -> dict[str, Any]:
    """Return one line of the frameworks list as plain data."""
    return {
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "publisher": framework.publisher,
        "published": framework.published,
        "identifier": framework.identifier,
        "questions": len(framework.questions),
        "custom": framework.custom,
        "sha256": framework.sha256,
        "source": framework.source_name,
    }


@reads
def stored_dates(uow: UnitOfWork, frameworks: Iterable[Framework]) -> dict[str, dt.datetime]:
    """Return when each of these exact framework texts was first stored in the workspace.

    Keyed by framework id; a framework whose text the workspace does not hold is left out.
    Used as the date of a framework that names no publication date (a custom set).
    """
    stored = uow.repository(FrameworkVersionRepository)
    dates: dict[str, dt.datetime] = {}
    for framework in frameworks:
        added = stored.first_stored(framework.id, framework.version, framework.sha256)
        if added is not None:
            dates[framework.id] = added
    return dates
