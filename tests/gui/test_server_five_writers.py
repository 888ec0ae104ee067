"""Five processes write to one workspace on a PostgreSQL server at once; nothing is lost.

The window (this process, offscreen) types notes on its own questions; two child processes
loop ``assay assess answer`` through the CLI and two call the answering service directly,
each on questions of its own, for ``ASSAY_WRITERS_SECONDS`` (a minute by default). Every
write carries its writer's name and number in its note. Afterwards every write a writer saw
succeed is in the journal, each question holds its writer's last write, the journal is one
chain numbered 1..N without a gap whose hashes verify, and ``assay check`` is clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from sqlmodel import select

from app.cli import main
from app.services import assessments as svc
from app.services.workspace import open_workspace
from app.storage import journal
from app.storage.models import JournalEntry
from tests.gui.test_assessments_page import add_system
from tests.gui.writes import wait_written

ROOT = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("ASSAY_WRITERS_SECONDS", "60"))
CHILDREN = (("cli-1", "cli"), ("cli-2", "cli"), ("py-1", "service"), ("py-2", "service"))

WRITING = textwrap.dedent(
    """
    import sys, time
    from app.cli import main
    from app.services import assessments as svc
    from app.services.workspace import open_workspace

    url, assessment, name, how, seconds = sys.argv[1:6]
    questions = sys.argv[6].split(",")
    workspace = open_workspace(url, create=False) if how == "service" else None
    end, n = time.monotonic() + float(seconds), 0
    while time.monotonic() < end:
        n += 1
        question, note, level = questions[n % len(questions)], f"{name}-{n}", n % 6
        if how == "cli":
            ok = main(["assess", "answer", "--assessment", assessment, "--question", question,
                       "--level", str(level), "--note", note, "--workspace", url]) == 0
        else:
            svc.answer(workspace, int(assessment), question, level, note=note)
            ok = True
        if ok:
            print("WROTE", question, note, flush=True)
    if workspace is not None:
        workspace.close()
    """
)


def _start(url: str, assessment_id: int, name: str, how: str, questions: list[str]):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [url, str(assessment_id), name, how, str(SECONDS), ",".join(questions)]
    return subprocess.Popen(
        [sys.executable, "-c", WRITING, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip


def _prepare(url: str) -> tuple[int, list[list[str]]]:
    """Add a system and an assessment; deal its questions out to the five writers."""
    workspace = open_workspace(url, create=False)
    try:
        add_system(workspace)
        info = svc.new_assessment(workspace, "AIS-001", ["nist-ai-rmf"], target=3)
        questions = [r.question_id for r in svc.list_responses(workspace, info.id)]
    finally:
        workspace.close()
    return info.id, [questions[k::5] for k in range(5)]


def _window_writes(page, qtbot, questions: list[str], children) -> list[tuple[str, str]]:
    """Type a numbered note on the window's questions until the children are done.

    Each note is saved before the next is typed, as a person types one after another.
    """
    written: list[tuple[str, str]] = []
    n = 0
    while any(child.poll() is None for child in children) or n < 5:
        n += 1
        question, note = questions[n % len(questions)], f"window-{n}"
        page.navigator.select_question(question)
        qtbot.waitUntil(lambda q=question: page.panel.question_id == q)
        page.panel.notes.setPlainText(note)
        page.panel.flush_notes()
        written.append((question, note))
        wait_written(qtbot, timeout=60_000)
    return written


def test_five_writers_on_a_server_lose_nothing(make_main_window, qtbot, server_url, monkeypatch):
    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: refused.append(box.text()) or 0)
    assessment_id, dealt = _prepare(server_url)
    window = make_main_window(workspace=open_workspace(server_url, create=False))
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None, timeout=20_000)
    started = time.monotonic()
    children = {
        name: _start(server_url, assessment_id, name, how, dealt[k + 1])
        for k, (name, how) in enumerate(CHILDREN)
    }
    by_window = _window_writes(page, qtbot, dealt[0], list(children.values()))
    written = {"window": by_window}
    for name, child in children.items():
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        written[name] = [tuple(line.split()[1:]) for line in out.splitlines()
                         if line.startswith("WROTE ")]  # fmt: skip
    assert time.monotonic() - started >= SECONDS
    window.close()

    assert refused == []
    counts = {name: len(writes) for name, writes in written.items()}
    print("writes per writer:", counts)
    assert all(count >= 3 for count in counts.values()), counts
    _every_write_kept(server_url, assessment_id, written)
    assert main(["check", "--workspace", server_url]) == 0


def _every_write_kept(url: str, assessment_id: int, written: dict[str, list]) -> None:
    workspace = open_workspace(url, create=False)
    try:
        stored = {r.question_id: r.notes for r in svc.list_responses(workspace, assessment_id)}
        with workspace.db.read() as session:
            entries = session.exec(select(JournalEntry).order_by(JournalEntry.seq)).all()
            assert journal.verify_chain(session).ok
    finally:
        workspace.close()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.prev_hash == p.hash for p, e in zip(entries, entries[1:], strict=False))
    notes = {
        (e.entity_id, e.after["notes"])
        for e in entries
        if e.action == "response.update" and isinstance(e.after, dict) and "notes" in e.after
    }
    for writer, writes in written.items():
        missing = [w for w in writes if (f"{assessment_id}:{w[0]}", w[1]) not in notes]
        assert missing == [], f"{writer} lost {len(missing)} of {len(writes)} writes"
        last = dict(writes)
        assert {q: stored[q] for q in last} == last, f"{writer}'s last writes are not stored"
