"""The window and two ``assay`` processes write to one workspace at once; nothing is lost.

The window (this process, offscreen) answers questions and opens a file dialog on the
workspace's folder; a second process loops ``assay assess answer`` through the CLI; a third
imports an inventory twice. Afterwards every write that reported success is in the workspace,
the journal holds one entry for each and its chain verifies, this process never held a
deleted ``-wal`` or ``-shm``, and ``assay check`` is clean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlmodel import select

from app.cli import main
from app.services import assessments as svc
from app.services.workspace import open_workspace
from app.storage import journal
from app.storage.models import AISystem, ImportRun, JournalEntry
from tests.gui.test_workspace_locks import deleted_workspace_files
from tests.gui.writes import wait_written

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "resources" / "samples" / "acme-inventory.xlsx"
CLI_ANSWERS = 20

ANSWERING = textwrap.dedent(
    """
    import json, sys
    from app.cli import main
    workspace, assessment, questions = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    for n, question in enumerate(questions):
        level = str(n % 6)
        code = main(["assess", "answer", "--assessment", assessment, "--question", question,
                     "--level", level, "--workspace", workspace])
        if code == 0:
            print("REPORTED", json.dumps([question, int(level)]), flush=True)
    """
)
IMPORTING = textwrap.dedent(
    """
    import sys
    from app.cli import main
    for _ in range(2):
        if main(["import", "inventory", sys.argv[2], "--workspace", sys.argv[1]]) == 0:
            print("IMPORTED", flush=True)
    """
)


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _prepare(path: Path) -> tuple[int, list[str], list[str]]:
    workspace = open_workspace(path, actor="window")
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-900", name="Claims agent", autonomy="autonomous"))
    info = svc.new_assessment(workspace, "AIS-900", ["nist-ai-rmf"], target=3)
    questions = [r.question_id for r in svc.list_responses(workspace, info.id)]
    workspace.close()
    return info.id, questions[:CLI_ANSWERS], questions[CLI_ANSWERS:]


class _FdWatch:
    """Looks at this process's descriptors every few milliseconds while the run lasts."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.looks = 0
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self.look)
        self.timer.start()

    def look(self) -> None:
        self.looks += 1
        self.seen.extend(deleted_workspace_files())


def _window_answers(page, qtbot, questions: list[str], others: list) -> tuple[list, list]:
    """Answer questions in the window until the other processes are done.

    Returns the answers sent to the window's writer and those it kept showing once its writer
    was done: those it wrote (a refused one goes back to the stored answer and says so).
    """
    sent: list[tuple[str, int]] = []
    for n, question in enumerate(questions):
        if all(p.poll() is not None for p in others) and n >= 5:
            break
        page.navigator.select_question(question)
        qtbot.waitUntil(lambda q=question: page.panel.question_id == q)
        if page.answer_level(n % 6):
            sent.append((question, n % 6))
        qtbot.wait(30)
    wait_written(qtbot, timeout=60_000)
    return sent, [(q, level) for q, level in sent if page.state.responses[q].level == level]


def test_window_and_two_cli_processes_lose_nothing(make_main_window, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "together.assay"
    assessment_id, cli_questions, window_questions = _prepare(path)
    workspace = open_workspace(path, actor="window")
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None, timeout=10_000)
    watch = _FdWatch()
    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: refused.append(box.text()) or 0)
    monkeypatch.chdir(tmp_path)
    QTimer.singleShot(800, lambda: QApplication.activeModalWidget().reject())
    answering = _start(ANSWERING, str(path), str(assessment_id), ",".join(cli_questions))
    importing = _start(IMPORTING, str(path), str(INVENTORY))
    window._on_open_triggered()  # the dialog that once dropped the window's locks
    sent, by_window = _window_answers(page, qtbot, window_questions, [answering, importing])
    outputs = {}
    for name, process in (("answering", answering), ("importing", importing)):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs[name] = out
    watch.look()
    watch.timer.stop()
    window.close()

    assert watch.looks > 10
    assert len(by_window) >= 5
    assert len(sent) - len(by_window) <= len(refused), "an answer not written was refused aloud"
    assert watch.seen == []
    by_cli = [
        tuple(json.loads(line.removeprefix("REPORTED ")))
        for line in outputs["answering"].splitlines()
        if line.startswith("REPORTED ")
    ]
    assert len(by_cli) == CLI_ANSWERS
    assert outputs["importing"].count("IMPORTED") == 2
    _all_writes_kept(path, assessment_id, by_cli + by_window)
    assert main(["check", "--workspace", str(path)]) == 0


def _all_writes_kept(path: Path, assessment_id: int, answers: list) -> None:
    workspace = open_workspace(path, create=False, actor="checker")
    try:
        stored = {r.question_id: r.level for r in svc.list_responses(workspace, assessment_id)}
        assert {q: stored[q] for q, _ in answers} == dict(answers)
        with workspace.db.read() as session:
            entries = session.exec(select(JournalEntry).order_by(JournalEntry.seq)).all()
            assert journal.verify_chain(session).ok
            runs = session.exec(select(ImportRun)).all()
            systems = session.exec(select(AISystem)).all()
        updated = {e.entity_id for e in entries if e.action == "response.update"}
        assert {f"{assessment_id}:{q}" for q, _ in answers} <= updated
        assert len(runs) == 2
        assert len(systems) > 1
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    finally:
        workspace.close()
