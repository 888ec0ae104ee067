"""Hand-out: the lead's slice of an engagement for one assessor, and opening it as a workspace.

The package carries the systems and assessments named (with the inventory they rest on), their
answers, notes, evidence, findings, evidence requests and review comments, the questionnaire
texts they were answered against, and the engagement. Opening it fills a new, empty workspace
with the same records under the same global ids (and the same numbers, so keys derived from
them agree), and remembers each record's version as handed out: the base of the hand-back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.enums import AssessmentStatus
from app.services.errors import UserError
from app.services.packages.common import (
    HANDOUT_SETTING,
    content_versions,
    journal_head,
    manifest_base,
    read_checked,
    signing_for,
    write_file,
)
from app.services.reporting.signing import SigningRequest
from app.services.seal import FINAL_ACTION, assessment_seal
from app.services.unit import writes
from app.storage.models import new_gid
from app.storage.package_file import blob_hashes
from app.storage.repositories.package import RAW_TABLES, MissingReferenceError, PackageRepository
from app.storage.repositories.package_kinds import HANDBACK_KINDS, KINDS, Record, version
from app.storage.repositories.settings import SettingsRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackageResult:
    """A package written or opened.

    Attributes:
        path: The package file.
        sha256: Its SHA-256.
        counts: How many records of each kind it carries.
        signer: Who signed it (empty when unsigned).
        left_out: For a hand-back, how many records of each kind it leaves out because they
            belong to an assessment started by the assessor (assessments travel out only).
    """

    path: Path
    sha256: str
    counts: dict[str, int]
    signer: str = ""
    left_out: dict[str, int] = field(default_factory=dict)


def _system_ids(repo: PackageRepository, external_ids: Sequence[str]) -> list[int]:
    by_external = {r["external_id"]: r["id"] for r in repo.records("system")}
    missing = [e for e in external_ids if e not in by_external]
    if missing:
        raise UserError(f"no system {missing[0]!r} in this workspace")
    return [int(by_external[e]) for e in external_ids]


def _slice(repo: PackageRepository, systems: Sequence[str], assessments: Sequence[int]) -> Any:
    if not systems and not assessments:
        return {name: repo.records(name) for name in KINDS}
    known = set(repo.gids("assessment"))
    unknown = [a for a in assessments if a not in known]
    if unknown:
        raise UserError(f"no assessment {unknown[0]} in this workspace")
    ids = repo.slice_ids(_system_ids(repo, systems), assessments)
    parts: dict[str, list[Record]] = {"person": repo.records("person")}
    for name in ("system", "identity", "resource", "grant", "delegation", "assessment"):
        parts[name] = repo.records(name, ids[name])
    travelling = {name: _gids(parts[name]) for name in ("assessment", "system", "identity")}
    parts["response"] = [
        r for r in repo.records("response") if r["assessment_id"] in travelling["assessment"]
    ]
    for name in ("finding", "opinion", "evidence_request", "review_comment"):
        parts[name] = [r for r in repo.records(name) if _inside(r, travelling)]
    linked = {g for n in ("system", "response", "finding") for r in parts[n] for g in r["evidence"]}
    parts["evidence"] = [r for r in repo.records("evidence") if r["gid"] in linked]
    return parts


def _gids(records: list[Record]) -> set[str]:
    return {str(r["gid"]) for r in records}


_REFS = {"assessment_id": "assessment", "system_id": "system", "identity_id": "identity"}


def _inside(record: Record, travelling: dict[str, set[str]]) -> bool:
    """Return True when every record this one refers to (but an optional finding) travels."""
    return all(
        record.get(column) is None or record[column] in travelling[kind]
        for column, kind in _REFS.items()
        if column in record
    )


@writes
def export_handout(
    uow: UnitOfWork,
    to: str,
    output: Path,
    *,
    systems: Sequence[str] = (),
    assessments: Sequence[int] = (),
    signing: SigningRequest | None = None,
) -> PackageResult:
    """Write the hand-out package of a slice of the engagement for one assessor.

    Args:
        uow: The unit of work (or the workspace).
        to: The assessor it is for.
        output: The ``.assaypkg`` file to write.
        systems: External ids of the systems handed out (with their assessments).
        assessments: Ids of the assessments handed out (with their systems).
        signing: The lead's credential, when the package is signed.

    Raises:
        UserError: No engagement, an unknown system or assessment, or a credential problem.
    """
    if not to.strip():
        raise UserError("name the assessor the package is for (--to NAME)")
    repo = uow.repository(PackageRepository)
    signed = signing_for(signing)
    records = _slice(repo, systems, assessments)
    raw = {f"raw-{name}": repo.raw_rows(name) for name in RAW_TABLES}
    assessment_ids = {r["id"] for r in records["assessment"]}
    raw["raw-finding_item"] = [
        r for r in raw["raw-finding_item"] if r["assessment_id"] in assessment_ids
    ]
    manifest = manifest_base(uow, "handout", uow.actor) | {
        "to": to.strip(),
        "handout": new_gid(),
        "base_journal_head": journal_head(uow),
        "content_versions": content_versions(records["assessment"]),
    }
    blobs = ((sha, repo.blob(sha)) for sha in sorted({r["sha256"] for r in records["evidence"]}))
    sha = write_file(output, manifest, records | raw, blobs, signed)
    counts = {name: len(rows) for name, rows in records.items()}
    uow.record(
        "package.handout",
        "package",
        sha,
        after={"to": to.strip(), "file": Path(output).name, "counts": counts,
               "handout": manifest["handout"]},
    )  # fmt: skip
    return PackageResult(Path(output), sha, counts, signed.signer if signed else "")


@writes
def open_handout(uow: UnitOfWork, path: Path) -> PackageResult:
    """Fill this new, empty workspace with a hand-out package.

    Raises:
        UserError: The workspace already holds systems or assessments, or the package is
            refused (damaged, changed, newer schema, failing signature, not a hand-out).
    """
    package, signer = read_checked(path, "handout")
    repo = uow.repository(PackageRepository)
    if repo.gids("system") or repo.gids("assessment"):
        raise UserError(
            "a hand-out opens into a new, empty workspace: name a new file with --workspace"
        )
    parts = package.parts
    for sha in blob_hashes(package):
        repo.add_blob(sha, package.blob(sha))
    for name in ("engagement", "framework_version", "workspace_setting"):
        repo.insert_raw(name, parts.get(f"raw-{name}", []))
    try:
        for name in KINDS:
            for record in parts.get(name, []):
                repo.insert(name, record, keep_id=True, links=False)
        for name in KINDS:
            for record in parts.get(name, []):
                repo.link(name, int(record["id"]), record)
    except MissingReferenceError as exc:
        raise UserError(f"refused: {package.path.name} is incomplete: {exc}") from exc
    repo.insert_raw("finding_item", parts.get("raw-finding_item", []))
    _journal_created(uow, parts)
    base = {
        str(r["gid"]): version(KINDS[name], r)
        for name in HANDBACK_KINDS
        for r in parts.get(name, [])
    }
    manifest = package.manifest
    uow.repository(SettingsRepository).store(
        HANDOUT_SETTING,
        {
            key: manifest.get(key)
            for key in ("handout", "engagement", "author", "to", "created", "base_journal_head")
        }  # fmt: skip
        | {
            "package": package.sha256,
            "base": base,
            "assessments": sorted(str(r["gid"]) for r in parts.get("assessment", [])),
        },
    )
    counts = {name: len(parts.get(name, [])) for name in KINDS}
    uow.record(
        "package.open",
        "package",
        package.sha256,
        after={"file": package.path.name, "from": manifest.get("author"), "counts": counts,
               "handout": manifest.get("handout"), "signed_by": signer},
    )  # fmt: skip
    return PackageResult(package.path, package.sha256, counts, signer)


def _journal_created(uow: UnitOfWork, parts: dict[str, Any]) -> None:
    """Journal the assessments and evidence records the hand-out created (one entry each).

    A final assessment arrives sealed: its seal over what it states is journalled as its
    finalisation here, so ``assay check`` notices a change made to it afterwards.
    """
    for name in ("assessment", "evidence"):
        for record in parts.get(name, []):
            uow.record(f"{name}.handout", name, record["id"], after=record)
    for record in parts.get("assessment", []):
        if record.get("status") == AssessmentStatus.FINAL:
            seal = assessment_seal(uow, int(record["id"]))
            uow.record(FINAL_ACTION, "assessment", record["id"],
                       after={"status": record["status"], "seal": seal})  # fmt: skip
