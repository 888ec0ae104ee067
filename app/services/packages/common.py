"""What hand-out, hand-back and merge share: reading a package safely, the manifest's checks.

A package is refused as a whole, with one sentence saying why and before anything is written,
when it is damaged or changed (any member against the manifest), its signature fails, it comes
from a newer schema, it is of the wrong kind, or it belongs to another engagement.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import SigningError
from app.reports.package_signature import check_manifest_signature, sign_manifest, signer_name
from app.services.errors import UserError
from app.services.reporting.signing import SigningRequest
from app.storage import migrate
from app.storage.package_file import PackageFile, PackageFileError, read_package, write_package
from app.storage.repositories.engagement import EngagementRepository
from app.storage.repositories.package import PackageRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

#: The workspace setting an assessor's workspace keeps about the hand-out it was opened from.
HANDOUT_SETTING = "package.handout"


@dataclass(frozen=True)
class Signing:
    """How a package is signed: the manifest's signer and the signer's name."""

    sign: Any
    signer: str


def signing_for(request: SigningRequest | None) -> Signing | None:
    """Return the signing of a package made with the request's credential, or None.

    Raises:
        UserError: The credential cannot be opened or may not sign.
    """
    if request is None:
        return None
    credential = request.credential()
    try:
        name = signer_name(credential)
    except SigningError as exc:
        raise UserError(str(exc)) from exc

    def sign(manifest: bytes) -> bytes:
        return sign_manifest(credential, manifest)

    return Signing(sign, name)


def write_file(
    path: Path,
    manifest: dict[str, Any],
    parts: dict[str, Any],
    blobs: Iterable[tuple[str, bytes]],
    signing: Signing | None,
) -> str:
    """Write a package file and return its SHA-256.

    Raises:
        UserError: The file cannot be written or signed (the message names it and says why).
    """
    try:
        return write_package(path, manifest, parts, blobs, signing.sign if signing else None)
    except OSError as exc:
        folder = Path(path).parent
        if not folder.is_dir():
            raise UserError(
                f"cannot write {Path(path).name}: the folder {folder} does not exist"
            ) from exc
        raise UserError(f"cannot write {Path(path).name}: {exc.strerror or exc}") from exc
    except SigningError as exc:
        raise UserError(str(exc)) from exc


def now_text() -> str:
    """Return the time now in UTC as ISO text (a package's and a change's time)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def engagement_gid(uow: UnitOfWork) -> str:
    """Return the engagement's global id.

    Raises:
        UserError: No engagement is recorded in the workspace.
    """
    row = uow.repository(EngagementRepository).find()
    if row is None:
        raise UserError(
            "this workspace records no engagement yet: set one first (assay engagement set)"
        )
    return row.gid


def journal_head(uow: UnitOfWork) -> str:
    """Return the journal's head as ``SEQ:HASH``."""
    seq, digest = uow.repository(PackageRepository).journal_head()
    return f"{seq}:{digest}"


#: A package kind in words, and what to do with a package of that kind.
_KIND_WORDS = {"handout": "hand-out", "handback": "hand-back"}
_KIND_USE = {
    "handout": "an assessor opens it with assay --workspace NEW.assay package open FILE",
    "handback": "the lead merges it with assay package merge FILE",
}


def read_checked(path: Path, kind: str) -> tuple[PackageFile, str]:
    """Read a package, check it is whole, of this kind, of a known schema and signed right.

    Returns:
        The package and the name of its signer (empty when unsigned).

    Raises:
        UserError: Any reason to refuse the package, in one sentence naming the file.
    """
    try:
        package = read_package(path)
    except PackageFileError as exc:
        raise UserError(f"refused: {exc}") from exc
    manifest = package.manifest
    name = Path(path).name
    schema = str(manifest.get("schema", ""))
    if schema not in migrate.KNOWN_REVISIONS:
        raise UserError(
            f"refused: {name} was made by a newer Assay (schema {schema or 'unknown'}); "
            "update Assay to read it"
        )
    if manifest.get("kind") != kind:
        found = str(manifest.get("kind"))
        raise UserError(
            f"refused: {name} is a {_KIND_WORDS.get(found, 'unknown')} package, not a "
            f"{_KIND_WORDS[kind]}: {_KIND_USE.get(found, 'ask its author')}"
        )
    signer = ""
    if package.signature:
        verdict = check_manifest_signature(package.manifest_bytes, package.signature)
        if not verdict.ok:
            raise UserError(f"refused: the signature of {name} fails: {verdict.reason}")
        signer = verdict.signer
    return package, signer


def refuse_other_engagement(uow: UnitOfWork, package: PackageFile) -> None:
    """Refuse a package made for another engagement than this workspace's.

    Raises:
        UserError: The engagement ids differ.
    """
    ours = engagement_gid(uow)
    if package.manifest.get("engagement") != ours:
        row = uow.repository(EngagementRepository).find()
        here = (row.client if row else "") or "no client named"
        there = str(package.manifest.get("client") or "") or "a client this package does not name"
        raise UserError(
            f"refused: {package.path.name} belongs to another engagement ({there}), not this "
            f"workspace's ({here}): merge it in the workspace it was handed out from"
        )


def content_versions(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Return the questionnaire versions the handed-out assessments were answered against."""
    seen = {
        (str(ref.get("id", "")), str(ref.get("version", "")), str(ref.get("sha256", "")))
        for record in records
        for ref in record.get("frameworks") or []
    }
    return [{"framework": f, "version": v, "sha256": s} for f, v, s in sorted(seen)]


def manifest_base(uow: UnitOfWork, kind: str, author: str) -> dict[str, Any]:
    """Return the manifest values every package carries."""
    row = uow.repository(EngagementRepository).find()
    return {
        "kind": kind,
        "engagement": engagement_gid(uow),
        "client": row.client if row else "",
        "schema": migrate.HEAD_REVISION,
        "author": author,
        "created": now_text(),
    }


#: Per kind, the fields naming who last changed a record and when (first filled wins).
_WHO_WHEN: dict[str, tuple[tuple[str, str], ...]] = {
    "response": (("answered_by", "answered_at"), ("reviewed_by", "reviewed_at")),
    "evidence": (("collected_by", "added_at"),),
    "finding": (("", "updated_at"),),
    "opinion": (("approved_by", "approved_at"), ("updated_by", "updated_at")),
    "evidence_request": (("requested_by", "created_at"),),
    "review_comment": (("resolved_by", "resolved_at"), ("author", "created_at")),
}


def who_when(kind: str, record: dict[str, Any], actor: str, now: str) -> tuple[str, str]:
    """Return who last changed a record and when, from its own fields (else actor and now)."""
    for who, when in _WHO_WHEN.get(kind, ()):
        if record.get(when):
            return (str(record.get(who) or actor) if who else actor), str(record[when])
    return actor, now
