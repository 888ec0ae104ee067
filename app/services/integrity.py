"""``assay check``: is the workspace file sound, the journal unbroken, the evidence intact?"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.services import journal
from app.services.evidence import verify_evidence_hashes
from app.services.progress import Progress
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
        checked = _count_blobs(session)
    problems = verify_evidence_hashes(workspace, progress)
    return CheckReport(
        workspace=str(workspace.path),
        schema=schema_revision(workspace),
        quick_check=verdict,
        journal=chain,
        evidence_checked=checked,
        evidence_problems=problems,
    )


def _count_blobs(session: sa.orm.Session) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(EvidenceBlob)).scalar_one())
