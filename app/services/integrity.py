"""``assay check``: is the workspace sound, its journal whole, its rows and evidence as written?

See ``docs/integrity.md`` for what the checks detect and what they cannot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.services import anchor, pending, replay, seal
from app.services.errors import UserError
from app.services.evidence import verify_evidence_hashes
from app.services.progress import Progress
from app.services.workspace import Workspace, quick_check, schema_revision
from app.storage import journal
from app.storage.repositories.integrity import IntegrityRepository
from app.storage.repositories.journal import JournalRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckReport:
    """Everything ``assay check`` found.

    Attributes:
        workspace: The workspace file checked.
        schema: Its schema revision.
        quick_check: SQLite's verdict (``ok`` when sound).
        journal: The journal chain report.
        head: The journal's head (``SEQ:HASH``), to record outside the workspace.
        anchor: Where the head was compared with a record kept outside the file, and how.
        evidence_checked: How many evidence blobs were hashed.
        evidence_problems: One sentence per blob whose bytes no longer match their hash.
        problems: Every other problem, by check (anchor, foreign keys, rows, seals).
        notes: What could not be checked, and why.
    """

    workspace: str
    schema: str | None
    quick_check: str
    journal: journal.ChainReport
    head: str = ""
    anchor: dict[str, str] = field(default_factory=dict)
    evidence_checked: int = 0
    evidence_problems: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when every check passed."""
        return (
            self.quick_check == "ok"
            and self.journal.ok
            and not self.evidence_problems
            and not any(self.problems.values())
        )

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
                "head": self.head,
            },
            "anchor": self.anchor,
            "evidence": {"checked": self.evidence_checked, "problems": self.evidence_problems},
            "problems": self.problems,
            "notes": self.notes,
            "cannot_detect": CANNOT_DETECT,
        }


#: What ``assay check`` cannot see from the file alone (printed with every JSON report).
CANNOT_DETECT = [
    "a consistent rewrite of the whole workspace (journal recomputed, rows changed to match) "
    "unless the journal head was recorded outside it: on this computer, in a report, or by "
    "--expect-head",
    "removal of the newest journal entries of a workspace never closed on this computer, when "
    "no head recorded elsewhere is given",
    "changes to fields no journal entry records: rows written in bulk by imports and "
    "refreshes (inventory, identity and gap findings) and answers of draft assessments never "
    "answered through Assay",
    "a restored older copy of the whole file when its anchor is also older",
]


def check_workspace(
    workspace: Workspace, progress: Progress | None = None, *, expect_head: str | None = None
) -> CheckReport:
    """Run every integrity check on a workspace.

    Args:
        workspace: The open workspace.
        progress: Optional progress sink; checking can be cancelled between blobs.
        expect_head: A head (``SEQ:HASH``) recorded earlier outside the workspace, which the
            journal must still hold.

    Returns:
        The report; ``report.ok`` is False when anything failed.
    """
    verdict = quick_check(workspace)
    problems: dict[str, list[str]] = {}
    notes: list[str] = []
    with workspace.reading() as uow:
        rows = uow.repository(IntegrityRepository)
        chain = uow.repository(JournalRepository).verify_chain()
        head = anchor.journal_head(uow)
        checked = rows.count_blobs()
        anchor_info = _check_anchors(uow, workspace, expect_head, problems, notes)
        problems["schema"] = _foreign_schema_problems(rows)
        problems["foreign_keys"] = _foreign_key_problems(rows)
        problems["evidence_rows"] = _evidence_row_problems(rows)
        replayed, problems["rows"] = replay.replay_problems(uow)
        problems["seals"], sealed_notes = seal.seal_problems(uow)
        notes.extend(sealed_notes + _pending_notes(uow))
    evidence_problems = verify_evidence_hashes(workspace, progress)
    notes.append(f"{replayed} journalled records compared with their rows")
    return CheckReport(
        workspace=workspace.location,
        schema=schema_revision(workspace),
        quick_check=verdict,
        journal=chain,
        head=head.as_text(),
        anchor=anchor_info,
        evidence_checked=checked,
        evidence_problems=evidence_problems,
        problems={k: v for k, v in problems.items() if v},
        notes=notes,
    )


def _check_anchors(
    uow: UnitOfWork,
    workspace: Workspace,
    expect_head: str | None,
    problems: dict[str, list[str]],
    notes: list[str],
) -> dict[str, str]:
    found: list[str] = []
    info = {"recorded_here": "", "expected": expect_head or ""}
    if damaged := anchor.records_problem():
        found.append(damaged)
    ident = anchor.workspace_id(workspace)
    recorded = anchor.recorded_anchor(ident)
    if recorded is None:
        notes.append("no journal head recorded on this computer for this workspace yet")
    else:
        info["recorded_here"] = recorded.as_text()
        if problem := anchor.anchor_problem(uow, recorded):
            found.append(f"head recorded on this computer: {problem}")
    found.extend(_earlier_id_problems(uow, workspace, ident))
    if expect_head:
        try:
            expected = anchor.Head.parse(expect_head)
        except ValueError as exc:
            raise UserError(f"--expect-head: {exc}") from exc
        if problem := anchor.anchor_problem(uow, expected):
            found.append(f"expected head {expected.seq}: {problem}")
    problems["anchor"] = found
    return info


def _earlier_id_problems(uow: UnitOfWork, workspace: Workspace, ident: str | None) -> list[str]:
    """Compare the journal with heads recorded for this same file under another workspace id."""
    return [
        f"head recorded on this computer for this file under an earlier workspace id: {problem} "
        "(the workspace id was changed or removed, or another workspace was copied over the file)"
        for other in anchor.records_at_path(workspace.location, other_than=ident).values()
        if (problem := anchor.anchor_problem(uow, other))
    ]


def _foreign_schema_problems(rows: IntegrityRepository) -> list[str]:
    """Name every trigger and view: Assay makes none, so each was added outside Assay.

    A trigger runs inside Assay's own writes and can change or delete rows behind them.
    """
    return [
        f"{kind} {name!r} on {table} was added outside Assay (Assay makes none)"
        if kind == "trigger"
        else f"view {name!r} was added outside Assay (Assay makes none)"
        for kind, name, table in rows.foreign_schema_objects()
    ]


def _foreign_key_problems(rows: IntegrityRepository) -> list[str]:
    counts: dict[tuple[str, str], int] = {}
    for table, parent in rows.foreign_key_violations():
        counts[(table, parent)] = counts.get((table, parent), 0) + 1
    return [
        f"{plural(n, 'row')} of {table} {plural(n, 'points', 'point', number=False)} to a missing "
        f"{parent} (deleted outside Assay)"
        for (table, parent), n in sorted(counts.items())
    ]


def _evidence_row_problems(rows: IntegrityRepository) -> list[str]:
    return [
        f"evidence #{evidence_id} says {size} bytes but its stored file has {blob}"
        for evidence_id, size, blob in rows.evidence_size_mismatches()
    ]


def _pending_notes(uow: UnitOfWork) -> list[str]:
    owed = pending.marks(uow)
    return [f"interrupted work still to complete on next open: {key}" for key in sorted(owed)]
