"""Import an inventory file into a workspace: a dry-run plan first, then one transaction.

``plan_import`` reads the file (``app.ingest``), checks what its records point at, and compares
them with the workspace: creates, updates, unchanged, rejected and missing per entity, with every
problem. ``apply_plan`` writes the plan in one write transaction with bulk statements, one journal
entry and an ``ImportRun`` row holding a snapshot of the inventory after the import (the basis of
drift comparison). A plan with errors is applied only when the user asks for the valid rows only;
records missing from the file are deleted only when asked.

``plan_import`` takes the workspace rather than a unit of work: it reads the file first, outside
any transaction, and only then compares in a reading unit of its own. ``apply_plan`` takes either
the workspace or a unit, so a caller may commit an import together with other changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.record_kinds import ENTITIES, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.cloud.reader import is_export_format
from app.ingest.diff import InventoryDiff, diff_inventory
from app.ingest.limits import DEFAULT_LIMITS, Limits
from app.ingest.pipeline import parse_inventory
from app.ingest.problems import IngestError, Problem
from app.ingest.records import ParsedInventory
from app.ingest.references import KnownIds, Resolved, check_references, name_key
from app.services import pending
from app.services.errors import UserError
from app.services.inventory_edit import ACTION_EDIT
from app.services.inventory_import import store
from app.services.inventory_import.coverage import Coverage, coverage
from app.services.inventory_import.linking import link_identities
from app.services.progress import Progress, check_cancelled, scaled
from app.services.unit import reads, writes
from app.services.workspace import Workspace
from app.storage.models import ImportRun
from app.storage.repositories.import_runs import ImportRunRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.gc_pause import paused_gc
from app.support.text import plural

logger = logging.getLogger(__name__)

AWS_MISSING_FILTER = {IDENTITIES: {"provider": "AWS IAM"}}
IMPORT_ACTION = "inventory.import"
#: The import journal entry's list of ``[entity, record, field]`` kept as edited in Assay.
KEPT_KEY = "edited_in_assay"


class ImportFileError(UserError):
    """The file cannot be imported at all (unreadable, unsafe, too large, bad mapping)."""


class ImportRejectedError(UserError):
    """The plan has errors and the user did not ask to apply the valid rows only."""


@dataclass
class ImportPlan:
    """What importing a file would do; nothing is written until :func:`apply_plan`.

    Attributes:
        path: The file.
        file_sha256: The file's SHA-256 (journalled with the import).
        parsed: What the file holds.
        resolved: The records left after the reference checks.
        diff: Creates, updates, unchanged and missing records per entity.
        options: The reading options (sheet, mapping, format, header rows), kept for the
            journal; ``plan_import(ws, path, **options)`` reads the file the same way again.
        journal_seq: The journal's last entry when the plan was made (a later change to the
            workspace makes :func:`apply_plan` compare again).
        coverage: Once some identity comes from an identity export: the systems whose
            identities no export describes and the exported identities no system uses.
    """

    path: Path
    file_sha256: str
    parsed: ParsedInventory
    resolved: Resolved
    diff: InventoryDiff
    options: dict[str, Any] = field(default_factory=dict)
    journal_seq: int = 0
    coverage: Coverage | None = None

    @property
    def file_name(self) -> str:
        """Return the file's name."""
        return self.parsed.file_name

    @property
    def format(self) -> str:
        """Return how the file was read (``xlsx``, ``csv`` or ``aws-credential-report``)."""
        return self.parsed.format

    @property
    def problems(self) -> list[Problem]:
        """Return every problem, in file order (sheet by sheet, row by row)."""
        problems = self.parsed.problems + self.resolved.problems
        order = {name: i for i, name in enumerate(dict.fromkeys(p.sheet for p in problems))}
        return sorted(problems, key=lambda p: (order[p.sheet], p.row))

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that reject rows or sheets."""
        return [p for p in self.problems if p.is_error]

    @property
    def has_errors(self) -> bool:
        """Return True when some row or sheet is rejected."""
        return any(p.is_error for p in self.problems)

    def rejected_rows(self) -> dict[str, int]:
        """Return how many rows are rejected, by the entity of their sheet."""
        keyed = self.format == "xlsx" or is_export_format(self.format)
        entity_of = {info.name if keyed else "": info.entity for info in
                     self.parsed.sheets}  # fmt: skip
        rows = {(p.sheet, p.row) for p in self.errors if p.row}
        counts = dict.fromkeys(ENTITIES, 0)
        for sheet, _row in rows:
            entity = entity_of.get(sheet)
            if entity:
                counts[entity] += 1
        return counts

    def kept_fields(self) -> list[list[str]]:
        """Return ``[entity, record, field]`` of every value changed in Assay and kept."""
        edited = self.diff.hand_edited
        return [[entity, label, name] for entity in sorted(edited)
                for label, name in sorted(edited[entity])]  # fmt: skip

    def summary(self) -> dict[str, dict[str, int]]:
        """Return the counts per entity: creates, updates, unchanged, rejected, missing."""
        rejected = self.rejected_rows()
        out = {}
        for entity in ENTITIES:
            diff = self.diff.entities[entity]
            out[entity] = {
                "creates": len(diff.creates),
                "updates": len(diff.updates),
                "unchanged": len(diff.unchanged),
                "rejected": rejected[entity],
                "missing": len(diff.missing),
            }
        out["links"] = {"creates": len(self.diff.link_creates),
                        "missing": len(self.diff.link_missing)}  # fmt: skip
        return out

    def to_dict(self, limit: int = 200) -> dict[str, Any]:
        """Return the plan as plain data (the CLI's ``--json`` and the GUI), lists capped."""
        details = {}
        for entity in ENTITIES:
            diff = self.diff.entities[entity]
            details[entity] = {
                "creates": [r.label for r in diff.creates[:limit]],
                "updates": [
                    {"key": c.record.label, "changes": {k: list(v) for k, v in c.changes.items()}}
                    for c in diff.updates[:limit]
                ],
                "missing": [" → ".join(k) for k in diff.missing[:limit]],
                "kept": [" → ".join(k) for k in diff.kept[:limit]],
            }
        changed = [
            {"entity": e.entity, "key": " → ".join(e.key), "field": e.field,
             "in_assay": e.in_assay, "in_file": e.in_file}
            for e in self.diff.kept_edits[:limit]
        ]  # fmt: skip
        return {
            "file": self.file_name,
            "sha256": self.file_sha256,
            "format": self.format,
            "sheets": [
                {
                    "name": s.name,
                    "entity": s.entity,
                    "header_row": s.header_row,
                    "rows": s.rows,
                    "rejected_rows": s.rejected_rows,
                    "columns": [{"header": h, "field": t} for h, t in s.columns],
                }
                for s in self.parsed.sheets
            ],  # fmt: skip
            "summary": self.summary(),
            "details": details,
            "skipped_rows": [
                {"sheet": p.sheet, "row": p.row, "reason": p.reason}
                for p in self.parsed.skipped_rows
            ],
            "unknown_values": [dataclasses.asdict(v) for v in self.parsed.unknown_values],
            "permissions": dict(
                zip(("understood", "entries"), self.parsed.permissions, strict=True)
            ),  # fmt: skip
            "changed_in_assay": changed,
            "problems": [p.as_dict() for p in self.problems],
            "conditional_grants": sum(
                1 for r in self.resolved.records[GRANTS] if r.values.get("conditional")
            ),
            "coverage": self.coverage.to_dict() if self.coverage else None,
        }


@dataclass
class ImportResult:
    """What an applied import did.

    Attributes:
        run_id: The ``ImportRun`` row.
        counts: Per entity: created, updated, unchanged, rejected, deleted.
        people_created: Owners added as new people.
    """

    run_id: int
    counts: dict[str, dict[str, int]]
    people_created: int = 0


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks; of a folder, over its files' names and hashes.

    A folder of identity exports is hashed as the sorted lines ``name  sha256`` of its files, so
    the same files give the same hash wherever the folder lies.
    """
    path = Path(path)
    if path.is_dir():
        lines = [f"{p.name}  {file_sha256(p)}\n" for p in sorted(path.iterdir()) if p.is_file()]
        return hashlib.sha256("".join(lines).encode()).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def plan_import(
    ws: Workspace,
    path: Path,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    format: str = "auto",  # noqa: A002 - the CLI's option name
    header_rows: Mapping[str, int] | list[str] | None = None,
    values: Mapping[str, str] | list[str] | None = None,
    id_rule: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read a file and work out what importing it would change (the dry run).

    Args:
        ws: The workspace.
        path: The .xlsx, .xlsm or .csv file.
        sheet: Read only this sheet.
        mapping: Column → field pairs for headers the aliases do not cover.
        format: ``auto`` or ``aws-credential-report``.
        header_rows: The 1-based header row of some sheets, by sheet name (``{"Systems": 4}``
            or ``["Systems=4"]``; a bare ``"4"`` for a CSV file's only sheet); the other
            sheets' header rows are found by the importer.
        values: What cells mean, ``["Column:Text=value", ...]``; an empty value leaves the
            field unrecorded.
        id_rule: How a row without an id gets one (``generated``, a column, ``A+B``).
        limits: Caps on size, rows, columns and cells.
        progress: Receives progress; cancelling raises ``Cancelled``.

    Returns:
        The plan, with every problem; its ``options`` hold the header rows by sheet name.

    Raises:
        ImportFileError: The file cannot be read, the mapping is malformed, or a chosen header
            row names no sheet, is past its sheet's end or is empty.
    """
    ws.refuse_own_file(Path(path), "imported as an inventory")
    reading = scaled(progress, 0.0, 0.8)

    def tick(fraction: float, message: str) -> None:
        check_cancelled(progress)
        reading.report(fraction, message)

    try:
        parsed = parse_inventory(
            Path(path),
            sheet=sheet,
            mapping=mapping,
            format=format,
            header_rows=header_rows,
            values=values,
            id_rule=id_rule,
            limits=limits,
            tick=tick,
        )
    except IngestError as exc:
        raise ImportFileError(str(exc)) from exc
    check_cancelled(progress)
    scaled(progress, 0.8, 1.0).report(0.0, "Comparing with the workspace")
    seq, (resolved, diff, cover) = _compare_now(ws, parsed)
    options = {
        "sheet": sheet,
        "mapping": _plain_mapping(mapping),
        "format": format,
        "header_rows": dict(parsed.header_rows),
        "values": _plain_mapping(values),
        "id_rule": id_rule or "",
    }
    plan = ImportPlan(Path(path), file_sha256(Path(path)), parsed, resolved, diff, options, seq,
                      cover)  # fmt: skip
    if progress is not None:
        progress.report(1.0, "Plan ready")
    return plan


def _plain_mapping(mapping: Mapping[str, str] | list[str] | None) -> list[str]:
    if not mapping:
        return []
    if isinstance(mapping, Mapping):
        return [f"{k}={v}" for k, v in mapping.items()]
    return list(mapping)


@reads
def _compare_now(
    uow: UnitOfWork, parsed: ParsedInventory
) -> tuple[int, tuple[Resolved, InventoryDiff, Coverage | None]]:
    """Compare a read file with the workspace; return the journal's head with the result."""
    with paused_gc():
        return uow.repository(ImportRunRepository).journal_seq(), _compare(uow, parsed)


def _compare(
    uow: UnitOfWork, parsed: ParsedInventory
) -> tuple[Resolved, InventoryDiff, Coverage | None]:
    existing = store.load_existing(uow)
    known = KnownIds(
        systems={k[0] for k in existing.records[SYSTEMS]},
        system_names={
            name_key(v["name"]): k[0] for k, v in existing.records[SYSTEMS].items() if v.get("name")
        },
        identities={k[0] for k in existing.records[IDENTITIES]},
        resources={k[0] for k in existing.records[RESOURCES]},
    )
    matched = link_identities(parsed, existing)
    resolved = check_references(parsed, known)
    missing_filter = AWS_MISSING_FILTER if parsed.format == "aws-credential-report" else None
    diff = diff_inventory(
        resolved.records,
        resolved.links,
        existing,
        covered=parsed.covered,
        missing_filter=missing_filter,
        named=resolved.rejected_keys,
        sources=parsed.sources or None,
    )
    diff.keep_hand_edits(hand_edits(uow))
    return resolved, diff, coverage(existing, resolved, matched)


@reads
def hand_edits(uow: UnitOfWork) -> dict[str, set[tuple[str, str]]]:
    """Return the fields edited in Assay that an import keeps, per entity.

    They are the fields journalled by hand edits since the last import, and those the last
    import itself kept (so a hand edit stays until it is edited again, not only for one import).
    """
    runs = uow.repository(ImportRunRepository)
    seq, after = runs.last_entry(IMPORT_ACTION) or (0, {})
    edited: dict[str, set[tuple[str, str]]] = {}
    for entity, label, name in after.get(KEPT_KEY, []):
        edited.setdefault(entity, set()).add((label, name))
    for entity, label, changed in runs.entries_after(ACTION_EDIT, seq):
        for name in changed or {}:
            edited.setdefault(entity, set()).add((label, name))
    return edited


def apply_plan(
    target: UnitOfWork | Workspace,
    plan: ImportPlan,
    *,
    valid_only: bool = False,
    delete_missing: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Write a plan to the workspace in one transaction.

    Args:
        target: The workspace the plan was made for, or a unit of work on it.
        plan: The plan from :func:`plan_import`.
        valid_only: Apply the valid rows even though other rows have errors.
        delete_missing: Delete the records of the entities the file covers that it lacks
            (never a system that has assessments).
        progress: Receives progress; cancelling raises ``Cancelled`` and writes nothing.

    Returns:
        What was done.

    Raises:
        ImportRejectedError: The plan has errors and ``valid_only`` is False; nothing is written.
    """
    _refuse_errors(plan, valid_only)
    result = _write_plan(target, plan, valid_only, delete_missing, progress)
    if progress is not None:
        progress.report(1.0, "Imported")
    logger.info("applied import of %s: %s", plan.file_name, result.counts)
    return result


@writes
def _write_plan(
    uow: UnitOfWork,
    plan: ImportPlan,
    valid_only: bool,
    delete_missing: bool,
    progress: Progress | None,
) -> ImportResult:
    runs = uow.repository(ImportRunRepository)
    with paused_gc():
        if runs.journal_seq() != plan.journal_seq:
            logger.info("workspace changed since the plan was made; comparing again")
            plan.resolved, plan.diff, plan.coverage = _compare(uow, plan.parsed)
            _refuse_errors(plan, valid_only)
        now = uow.now()
        writer = store.InventoryWriter(uow, now, progress)
        writer.write(plan.diff, delete_missing=delete_missing)
        check_cancelled(progress)
        counts = _counts(plan, writer, delete_missing)
        run = runs.add(
            ImportRun(
                file_name=plan.file_name,
                file_sha256=plan.file_sha256,
                format=plan.format,
                actor=uow.actor,
                applied_at=now,
                summary=counts,
            )
        )
        assert run.id is not None, "the import run has its id once flushed"
        store.write_snapshot(uow, run.id)
        pending.mark(uow, pending.IDENTITY_REFRESH, {"import_run": run.id})
        uow.record(
            IMPORT_ACTION,
            "import_run",
            run.id or 0,
            before=None,
            after=_journal_after(plan, counts, valid_only, delete_missing),
        )
    return ImportResult(run.id or 0, counts, writer.people_created)


def _refuse_errors(plan: ImportPlan, valid_only: bool) -> None:
    errors = plan.errors
    if errors and not valid_only:
        rows = sum(plan.rejected_rows().values())
        raise ImportRejectedError(
            f"{plan.file_name} has {plural(len(errors), 'problem')} rejecting "
            f"{plural(rows, 'row')}, first: {errors[0]}; nothing was imported (fix the file, or "
            "import the valid rows only)"
        )


def _counts(
    plan: ImportPlan, writer: store.InventoryWriter, deleted: bool
) -> dict[str, dict[str, int]]:
    rejected = plan.rejected_rows()
    counts: dict[str, dict[str, int]] = {}
    for entity in ENTITIES:
        diff = plan.diff.entities[entity]
        counts[entity] = {
            "created": len(diff.creates),
            "updated": len(diff.updates),
            "unchanged": len(diff.unchanged),
            "rejected": rejected[entity],
            "deleted": writer.deleted.get(entity, 0) if deleted else 0,
        }
    counts["links"] = {"created": writer.links_created, "deleted": writer.deleted.get("links", 0)}
    counts["people"] = {"created": writer.people_created}
    return counts


def _journal_after(
    plan: ImportPlan, counts: dict[str, dict[str, int]], valid_only: bool, deleted: bool
) -> dict[str, Any]:
    return {
        "file": plan.file_name,
        "sha256": plan.file_sha256,
        "format": plan.format,
        "options": {**plan.options, "valid_only": valid_only, "delete_missing": deleted},
        "counts": counts,
        "errors": len(plan.errors),
        "warnings": len(plan.problems) - len(plan.errors),
        KEPT_KEY: plan.kept_fields(),
    }


def import_inventory(
    ws: Workspace,
    path: Path,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    format: str = "auto",  # noqa: A002 - the CLI's option name
    header_rows: Mapping[str, int] | list[str] | None = None,
    values: Mapping[str, str] | list[str] | None = None,
    id_rule: str | None = None,
    dry_run: bool = False,
    valid_only: bool = False,
    delete_missing: bool = False,
    progress: Progress | None = None,
) -> tuple[ImportPlan, ImportResult | None]:
    """Plan an import and, unless it is a dry run, apply it.

    Returns:
        The plan, and what was done (None for a dry run).

    Raises:
        ImportFileError: The file cannot be read.
        ImportRejectedError: The plan has errors and ``valid_only`` is False.
    """
    plan = plan_import(
        ws,
        path,
        sheet=sheet,
        mapping=mapping,
        format=format,
        header_rows=header_rows,
        values=values,
        id_rule=id_rule,
        progress=scaled(progress, 0, 0.5),
    )
    if dry_run:
        return plan, None
    result = apply_plan(
        ws,
        plan,
        valid_only=valid_only,
        delete_missing=delete_missing,
        progress=scaled(progress, 0.5, 1.0),
    )
    return plan, result


@reads
def latest_runs(uow: UnitOfWork, limit: int = 20) -> list[dict[str, Any]]:
    """Return the most recent applied imports, newest first (without their snapshots)."""
    return uow.repository(ImportRunRepository).latest(limit)
