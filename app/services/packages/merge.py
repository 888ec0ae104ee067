"""Merge a hand-back into the lead's workspace: nothing overwritten without a decision.

Each change of the package is compared with the record here by global id (or, for a record
made on both sides, by its natural key: an answer's question, a finding's key):

- **new**: not here; it is added;
- **theirs**: changed only by the assessor (the record here is as handed out); it is taken;
- **conflict**: changed on both sides since the hand-out; it is taken only when decided
  ``theirs``, kept when decided ``mine``, and the merge is refused while one is undecided;
- **same**: both sides already agree; nothing to do.

The merge is one transaction: every record written is journalled, then one entry names the
package's SHA-256, its author and the decisions. A package already merged changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from app.services.errors import UserError
from app.services.finding_themes import refresh_gap_findings
from app.services.packages.common import read_checked, refuse_other_engagement, who_when
from app.services.unit import writes
from app.storage.journal import Pending
from app.storage.package_file import PackageFile
from app.storage.repositories.package import MissingReferenceError, PackageRepository
from app.storage.repositories.package_kinds import HANDBACK_KINDS, KINDS, Record, version
from app.storage.repositories.settings import SettingsRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.progress import Progress, check_cancelled
from app.support.text import plural

logger = logging.getLogger(__name__)

Side = Literal["mine", "theirs"]
Group = Literal["new", "theirs", "conflict", "same"]
SIDES: tuple[Side, ...] = ("mine", "theirs")
#: The workspace setting keeping, per hand-out, the version of every record a merge took.
MERGED_SETTING = "package.merged"
_SHOWN = 5


@dataclass(frozen=True)
class MergeItem:
    """One change of the package compared with the workspace.

    Attributes:
        kind: The kind of record.
        gid: Its global id here (the package's when it is new).
        group: ``new``, ``theirs``, ``conflict`` or ``same``.
        label: The record in words (an answer's assessment and question, a finding's title).
        mine: The record here (None when new).
        theirs: The record in the package.
        author: Who changed it in the package.
        at: When they changed it.
        local_id: The record's number here (None when new).
        mine_by: Who last changed the record here.
        mine_at: When.
    """

    kind: str
    gid: str
    group: Group
    label: str
    mine: Record | None
    theirs: Record
    author: str
    at: str
    local_id: int | None = None
    mine_by: str = ""
    mine_at: str = ""


@dataclass
class MergeResult:
    """What a merge found and did.

    Attributes:
        package: The package's SHA-256.
        author: Who made the package.
        signer: Who signed it (empty when unsigned).
        items: Every change of the package, compared.
        decisions: The decision taken for each conflict, by gid.
        applied: True when the merge was written (False for a dry run or a repeat).
        already_merged: True when this package had been merged before.
    """

    package: str
    author: str
    signer: str
    items: list[MergeItem] = field(default_factory=list)
    decisions: dict[str, Side] = field(default_factory=dict)
    applied: bool = False
    already_merged: bool = False

    def group(self, name: Group) -> list[MergeItem]:
        """Return the items of one group."""
        return [item for item in self.items if item.group == name]

    def counts(self) -> dict[str, int]:
        """Return how many items each group holds."""
        names: tuple[Group, ...] = ("new", "theirs", "conflict", "same")
        return {name: len(self.group(name)) for name in names}


def _label(kind: str, record: Record, assessments: Mapping[str, int]) -> str:
    if kind == "response":
        number = assessments.get(str(record.get("assessment_id")), "?")
        return f"answer {number}:{record.get('question_id')}"
    if kind == "evidence":
        return f"evidence {record.get('file_name')}"
    if kind == "finding":
        return f"finding “{record.get('title')}”"
    if kind == "opinion":
        return f"opinion of assessment {assessments.get(str(record.get('assessment_id')), '?')}"
    text = str(record.get("description") or record.get("text") or "")[:40]
    return f"{kind.replace('_', ' ')} “{text}”"


def _merged_versions(uow: UnitOfWork, package: PackageFile) -> dict[str, str]:
    """Return the versions earlier hand-backs of the same hand-out left here, by gid."""
    setting = uow.repository(SettingsRepository).find(MERGED_SETTING)
    merged = setting.value if setting is not None and isinstance(setting.value, dict) else {}
    versions = merged.get(str(package.manifest.get("handout")), {})
    return versions if isinstance(versions, dict) else {}


def compare(uow: UnitOfWork, package: PackageFile) -> list[MergeItem]:
    """Compare every change of a hand-back with the workspace (nothing is written).

    A record still as an earlier hand-back of the same hand-out left it counts as unchanged
    here: the assessor's later change to it is theirs only, not a conflict.
    """
    repo = uow.repository(PackageRepository)
    taken = _merged_versions(uow, package)
    assessments = {gid: row_id for row_id, gid in repo.gids("assessment").items()}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in package.parts.get("changes", []):
        if change.get("kind") in HANDBACK_KINDS:
            by_kind.setdefault(change["kind"], []).append(change)
    items = []
    aliases: dict[str, str] = {}
    for kind in HANDBACK_KINDS:
        if kind not in by_kind:
            continue
        here = {str(r["gid"]): r for r in repo.records(kind)}
        for change in by_kind[kind]:
            items.append(_compare_one(repo, (kind, change), here, assessments, aliases, taken))
    return items


def _aliased(kind: str, record: Record, aliases: Mapping[str, str]) -> Record:
    """Return the record with references to records known here under another gid rewritten."""
    spec = KINDS[kind]
    for column in spec.refs:
        if record.get(column) in aliases:
            record[column] = aliases[record[column]]
    for name in spec.links:
        record[name] = sorted(aliases.get(g, g) for g in record.get(name, []))
    return record


def _compare_one(
    repo: PackageRepository,
    change_of: tuple[str, dict[str, Any]],
    here: dict[str, Record],
    assessments: Mapping[str, int],
    aliases: dict[str, str],
    taken: Mapping[str, str],
) -> MergeItem:
    kind, change = change_of
    theirs = _aliased(kind, dict(change["record"]), aliases)
    mine = here.get(str(theirs["gid"]))
    same_file = False
    if mine is None and (natural := repo.natural_match(kind, theirs)) is not None:
        mine = next((r for r in here.values() if r["id"] == natural), None)
        if mine is not None:  # the same record, made on both sides
            aliases[str(theirs["gid"])] = theirs["gid"] = str(mine["gid"])
            same_file = kind == "evidence"  # the same bytes under the same name
    label = _label(kind, theirs, assessments)
    author, at = str(change.get("author", "")), str(change.get("at", ""))
    gid = str(theirs["gid"])
    if mine is None:
        group: Group = "new" if change.get("base") is None else "conflict"
        return MergeItem(kind, gid, group, label, None, theirs, author, at)
    spec = KINDS[kind]
    mine_version = version(spec, mine)
    if same_file or mine_version == version(spec, theirs):
        group = "same"
    elif mine_version in (change.get("base"), taken.get(gid)):
        group = "theirs"
    else:
        group = "conflict"
    mine_by, mine_at = who_when(kind, mine, "", "")
    return MergeItem(
        kind, gid, group, label, mine, theirs, author, at, int(mine["id"]), mine_by, mine_at
    )


def _by_full_gid(decisions: Mapping[str, Side], conflicts: list[str]) -> dict[str, Side]:
    """Return the decisions keyed by full gid; a decision may name a conflict by its gid's start.

    Raises:
        UserError: A decision names no conflict, or the start of more than one.
    """
    full: dict[str, Side] = {}
    for given, side in decisions.items():
        matches = [gid for gid in conflicts if gid.startswith(given.lower())]
        if not matches:
            raise UserError(
                f"--decide {given}: no conflict of the package has this id "
                "(--dry-run lists the conflicts and their ids)"
            )
        if len(matches) > 1:
            raise UserError(
                f"--decide {given}: the start of {len(matches)} conflicts' ids; give more of it"
            )
        full[matches[0]] = side
    return full


def _decide(
    items: list[MergeItem], take: Side | None, decisions: Mapping[str, Side]
) -> tuple[dict[str, Side], list[MergeItem]]:
    """Return the decision of every conflict, and the conflicts still undecided."""
    decisions = _by_full_gid(decisions, [i.gid for i in items if i.group == "conflict"])
    decided: dict[str, Side] = {}
    open_ = []
    for item in items:
        if item.group != "conflict":
            continue
        choice = decisions.get(item.gid, take)
        if choice is None:
            open_.append(item)
        else:
            decided[item.gid] = choice
    return decided, open_


@writes
def merge_package(
    uow: UnitOfWork,
    path: Path,
    *,
    take: Side | None = None,
    decisions: Mapping[str, Side] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MergeResult:
    """Merge a hand-back package into this workspace in the unit's one transaction.

    Args:
        uow: The unit of work (or the workspace).
        path: The hand-back package.
        take: The decision for every conflict not decided one by one.
        decisions: Decisions of single conflicts, by gid.
        dry_run: Compare only; write nothing.
        progress: Told how far the merge is; cancelling it before the writes leaves the
            workspace as it was (and during them, the transaction rolls back).

    Returns:
        What was found and (unless a dry run or a repeat) written.

    Raises:
        UserError: The package is refused (damaged, changed, newer schema, failing signature,
            another engagement, not a hand-back), or conflicts are left undecided.
        Cancelled: The caller cancelled through ``progress``.
    """
    _report(progress, 0.0, f"Checking {path.name}")
    package, signer = read_checked(path, "handback")
    refuse_other_engagement(uow, package)
    result = MergeResult(package.sha256, str(package.manifest.get("author", "")), signer)
    repo = uow.repository(PackageRepository)
    merged = {a.get("package") for a in repo.journal_afters("package.merge") if isinstance(a, dict)}
    _report(progress, 0.3, "Comparing the package with this workspace")
    try:
        result.items = compare(uow, package)
    except MissingReferenceError as exc:
        raise UserError(
            f"refused: {package.path.name} is incomplete: {exc}; nothing was merged"
        ) from exc
    if package.sha256 in merged:
        result.already_merged = True
        return result
    result.decisions, undecided = _decide(result.items, take, decisions or {})
    if dry_run:
        return result
    if undecided:
        raise UserError(_undecided_message(undecided))
    try:
        _apply(uow, package, result, progress)
    except MissingReferenceError as exc:
        raise UserError(f"refused: {package.path.name} is incomplete: {exc}") from exc
    result.applied = True
    return result


def _undecided_message(undecided: list[MergeItem]) -> str:
    shown = "; ".join(f"{i.gid} ({i.label})" for i in undecided[:_SHOWN])
    more = f" and {len(undecided) - _SHOWN} more" if len(undecided) > _SHOWN else ""
    return (
        f"{plural(len(undecided), 'conflict')} changed on both sides since the hand-out and "
        f"nothing was merged: {shown}{more}. Decide each with --decide GID=mine|theirs, or all "
        "with --take mine|theirs (see --dry-run)"
    )


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    check_cancelled(progress)
    if progress is not None:
        progress.report(fraction, message)


def _apply(
    uow: UnitOfWork, package: PackageFile, result: MergeResult, progress: Progress | None
) -> None:
    repo = uow.repository(PackageRepository)
    stored = repo.blob_hashes()
    journal: list[Pending] = []
    answered: set[int] = set()
    for number, kind in enumerate(HANDBACK_KINDS):
        shown = kind.replace("_", " ").replace("response", "answer")
        _report(progress, 0.5 + 0.4 * number / len(HANDBACK_KINDS), f"Merging {shown} records")
        updates: list[tuple[int, Record]] = []
        for item in result.items:
            if item.kind != kind or item.group == "same":
                continue
            if result.decisions.get(item.gid) == "mine":
                continue
            sha = item.theirs.get("sha256") if kind == "evidence" else None
            if sha is not None and sha not in stored:
                repo.add_blob(sha, package.blob(sha))
                stored.add(sha)
            if item.local_id is None:
                row_id = repo.insert(kind, item.theirs)
            else:
                row_id = item.local_id
                updates.append((row_id, item.theirs))
            entity_id = _entity_id(repo, item, row_id)
            if kind == "response":
                answered.add(int(entity_id.partition(":")[0]))
            journal.append(Pending(f"{kind}.merge", kind, entity_id, item.mine, item.theirs))
        repo.update_many(kind, updates)
    uow.record_many(journal)
    _remember_taken(uow, package, result)
    _report(progress, 0.9, "Refreshing the findings of the changed assessments")
    _refresh_findings(uow, answered)
    uow.record(
        "package.merge",
        "package",
        package.sha256,
        after={"package": package.sha256, "file": package.path.name, "author": result.author,
               "signed_by": result.signer, "handout": package.manifest.get("handout"),
               "counts": result.counts(), "decisions": dict(sorted(result.decisions.items()))},
    )  # fmt: skip


def _remember_taken(uow: UnitOfWork, package: PackageFile, result: MergeResult) -> None:
    """Keep the version of every record taken, for the next hand-back of the same hand-out."""
    settings = uow.repository(SettingsRepository)
    setting = settings.find(MERGED_SETTING)
    merged = dict(setting.value) if setting is not None and isinstance(setting.value, dict) else {}
    handout = str(package.manifest.get("handout"))
    versions = dict(merged.get(handout) or {})
    for item in result.items:
        if item.group != "same" and result.decisions.get(item.gid) != "mine":
            versions[item.gid] = version(KINDS[item.kind], item.theirs)
    merged[handout] = versions
    settings.store(MERGED_SETTING, merged)


def _refresh_findings(uow: UnitOfWork, assessment_ids: set[int]) -> None:
    """Make the gap findings of every assessment whose answers the merge changed again."""
    for assessment_id in sorted(assessment_ids):
        try:
            refresh_gap_findings(uow, assessment_id)
        except UserError:  # a final assessment keeps its findings as they were finalised
            logger.info("assessment %s is final: its findings were not refreshed", assessment_id)


def _entity_id(repo: PackageRepository, item: MergeItem, row_id: int) -> str:
    """Return the journal's id of a record: an answer as ``ASSESSMENT:QUESTION``."""
    if item.kind == "response":
        assessment = repo.id_of("assessment", str(item.theirs["assessment_id"]))
        return f"{assessment}:{item.theirs['question_id']}"
    return str(row_id)
