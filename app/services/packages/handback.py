"""Hand-back: what an assessor changed since the hand-out, each change with author and time.

Every answer, evidence record, finding, opinion, evidence request and review comment whose
version differs from the one handed out (or that is new) travels with its version at the
hand-out (the base the lead's merge compares with), its values now, who changed it and when.
Evidence files go once each, by SHA-256. Deletions do not travel, nor do findings the answers
alone make (gap themes nobody edited): the lead's merge makes those again from the answers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.domain.enums import FindingSource
from app.services.errors import UserError
from app.services.packages.common import (
    HANDOUT_SETTING,
    content_versions,
    journal_head,
    manifest_base,
    now_text,
    signing_for,
    who_when,
    write_file,
)
from app.services.packages.handout import PackageResult
from app.services.reporting.signing import SigningRequest
from app.services.unit import writes
from app.storage.repositories.package import PackageRepository
from app.storage.repositories.package_kinds import HANDBACK_KINDS, KINDS, Record, version
from app.storage.repositories.settings import SettingsRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


def _derived(finding: Record) -> bool:
    """Return True for a finding the answers alone make (the lead's refresh makes it again)."""
    return finding.get("source") != FindingSource.MANUAL and not finding.get("edited")


def _started_here(record: Record, handed_out: set[str] | None) -> bool:
    """Return True for a record of an assessment started here (assessments travel out only).

    A workspace opened before hand-outs named their assessments (``handed_out`` None) leaves
    nothing out.
    """
    assessment = record.get("assessment_id")
    return handed_out is not None and bool(assessment) and str(assessment) not in handed_out


def changes_since_handout(
    uow: UnitOfWork,
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, int]]:
    """Return the hand-out this workspace came from, the changes made since, and what is left out.

    Records of an assessment started in this workspace cannot be merged (the lead has no such
    assessment), so they are left out and counted by kind.

    Raises:
        UserError: The workspace was not opened from a hand-out package.
    """
    setting = uow.repository(SettingsRepository).find(HANDOUT_SETTING)
    if setting is None or not isinstance(setting.value, dict):
        raise UserError(
            "this workspace was not opened from a hand-out package, so it has nothing to hand "
            "back (open one with: assay --workspace NEW.assay package open FILE)"
        )
    handout: dict[str, Any] = setting.value
    base: dict[str, str] = handout.get("base") or {}
    named = handout.get("assessments")
    handed_out = {str(gid) for gid in named} if isinstance(named, list) else None
    repo = uow.repository(PackageRepository)
    now = now_text()
    changes = []
    left_out: dict[str, int] = {}
    for name in HANDBACK_KINDS:
        for record in repo.records(name):
            record.pop("id")
            if name == "finding" and _derived(record):
                continue
            if _started_here(record, handed_out):
                left_out[name] = left_out.get(name, 0) + 1
                continue
            was = base.get(str(record["gid"]))
            if was == version(KINDS[name], record):
                continue
            author, at = who_when(name, record, uow.actor, now)
            changes.append(
                {"kind": name, "gid": record["gid"], "base": was, "record": record,
                 "author": author, "at": at}
            )  # fmt: skip
    return handout, changes, left_out


@writes
def export_handback(
    uow: UnitOfWork, output: Path, *, signing: SigningRequest | None = None
) -> PackageResult:
    """Write the hand-back package of everything changed since the hand-out.

    Raises:
        UserError: The workspace did not come from a hand-out, or a credential problem.
    """
    signed = signing_for(signing)
    handout, changes, left_out = changes_since_handout(uow)
    repo = uow.repository(PackageRepository)
    manifest = manifest_base(uow, "handback", uow.actor) | {
        "handout": handout.get("handout"),
        "handout_package": handout.get("package"),
        "base_journal_head": handout.get("base_journal_head"),
        "journal_head": journal_head(uow),
        "content_versions": content_versions(repo.records("assessment")),
        "signed_by": signed.signer if signed else "",
    }
    shas = sorted({c["record"]["sha256"] for c in changes if c["kind"] == "evidence"})
    blobs = ((sha, repo.blob(sha)) for sha in shas)
    sha = write_file(output, manifest, {"changes": changes}, blobs, signed)
    counts: dict[str, int] = {}
    for change in changes:
        counts[change["kind"]] = counts.get(change["kind"], 0) + 1
    uow.record(
        "package.handback",
        "package",
        sha,
        after={"file": Path(output).name, "counts": counts, "handout": handout.get("handout"),
               "left_out": left_out},
    )  # fmt: skip
    return PackageResult(Path(output), sha, counts, signed.signer if signed else "", left_out)
