"""``assay check``: is the workspace file sound, the journal unbroken, the evidence intact?"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.services import journal
from app.services.progress import Progress, check_cancelled
from app.services.workspace import Workspace, quick_check, schema_revision
from app.storage.models import EvidenceBlob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckReport:
    """Everything ``assay check`` found.

    Attributes:
        workspace: The workspace file checked.
        schema: Its schema revision.
        quick_check: SQLite's verdict (``ok`` when sound).
        journal: The journal chain report.
        evidence_checked: How many evidence blobs were hashed.
        evidence_problems: One sentence per blob whose bytes no longer match their hash.
    """

    workspace: str
    schema: str | None
    quick_check: str
    journal: journal.ChainReport
    evidence_checked: int = 0
    evidence_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when every check passed."""
        return self.quick_check == "ok" and self.journal.ok and not self.evidence_problems

    def as_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "ok": self.ok,
            "workspace": self.workspace,
            "schema": self.schema,
            "quick_check": self.quick_check,
            "journal": {
                "ok": self.journal.ok,
                "entries": self.journal.entries,
                "broken_seq": self.journal.broken_seq,
                "reason": self.journal.reason,
                "head_hash": self.journal.head_hash,
            },
            "evidence": {"checked": self.evidence_checked, "problems": self.evidence_problems},
        }


def check_workspace(workspace: Workspace, progress: Progress | None = None) -> CheckReport:
    """Run every integrity check on a workspace.

    Args:
        workspace: The open workspace.
        progress: Optional progress sink; checking can be cancelled between blobs.

    Returns:
        The report; ``report.ok`` is False when anything failed.
    """
    verdict = quick_check(workspace)
    with workspace.db.read() as session:
        chain = journal.verify_chain(session)
        checked, problems = _check_blobs(session, progress)
    return CheckReport(
        workspace=str(workspace.path),
        schema=schema_revision(workspace),
        quick_check=verdict,
        journal=chain,
        evidence_checked=checked,
        evidence_problems=problems,
    )


def _check_blobs(session: sa.orm.Session, progress: Progress | None) -> tuple[int, list[str]]:
    total = session.execute(sa.select(sa.func.count()).select_from(EvidenceBlob)).scalar_one()
    problems: list[str] = []
    keys = session.execute(sa.select(EvidenceBlob.sha256)).scalars().all()
    for index, key in enumerate(keys, start=1):
        check_cancelled(progress)
        data = session.execute(
            sa.select(EvidenceBlob.data).where(EvidenceBlob.sha256 == key)
        ).scalar_one()
        actual = hashlib.sha256(data).hexdigest()
        if actual != key:
            problems.append(
                f"evidence {key[:12]}… has changed: its bytes now hash to {actual[:12]}…"
            )
        if progress is not None:
            progress.report(index / max(total, 1), "checking evidence")
    return len(keys), problems
