"""Shared set-up of the hostile-conditions suite: a sealed workspace, the CLI, raw SQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import evidence
from app.services.workspace import open_workspace
from app.storage.models import AISystem

SECRET = "sk-proj-Zx81PqLmN0wVb2Hs7YtR4KdE"
QUESTIONS = ("nhi.NHI1.q1", "nhi.NHI2.q1", "nhi.NHI7.q1")


@pytest.fixture(scope="session")
def catalog():
    return load_default_catalog()


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app`` as a user would, in a child process (ASSAY_HOME is inherited)."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=os.environ.copy(),
    )


def sql(path: Path, *statements: str) -> None:
    """Change a workspace behind Assay's back, as someone with a SQLite shell would."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def build_sealed(path: Path, catalog, tmp_path: Path) -> int:
    """Create a workspace with a final (sealed) assessment, answers and evidence; close it."""
    ws = open_workspace(path, actor="tester")
    with ws.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="autonomous"))
    aid = svc.new_assessment(ws, "AIS-001", ["owasp-nhi"], catalog=catalog).id
    note = tmp_path / "policy.txt"
    note.write_text("rotation policy, signed")
    ev = evidence.add_evidence(ws, note)
    for level, question in enumerate(QUESTIONS, start=1):
        svc.answer(ws, aid, question, level)
    evidence.link_to_response(ws, ev.id, aid, QUESTIONS[0])
    second = tmp_path / "diagram.txt"
    second.write_text("network diagram")
    evidence.add_evidence(ws, second)
    svc.submit_for_review(ws, aid)
    svc.finalize(ws, aid, force=True)
    ws.close()
    return aid


@pytest.fixture(scope="session")
def sealed_template(tmp_path_factory, catalog) -> Path:
    """One sealed workspace built per run; tests get copies."""
    folder = tmp_path_factory.mktemp("sealed")
    path = folder / "template.assay"
    build_sealed(path, catalog, folder)
    return path


@pytest.fixture
def sealed(tmp_path, sealed_template) -> Path:
    """A closed copy of the sealed workspace, opened once here so its head is recorded."""
    path = tmp_path / "sealed.assay"
    shutil.copyfile(sealed_template, path)
    open_workspace(path).close()
    return path


def can_mount() -> bool:
    """Return True when this process may mount a small tmpfs (root in a container or VM)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/bin/mount").exists()


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """Mount a tmpfs on a new ``folder`` for the block (the test is skipped where it cannot)."""
    if not can_mount():
        pytest.skip("mounting a small file system needs root")
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs mounted for the test (skipped where mounting is not allowed)."""
    with mounted_tmpfs(tmp_path / "disk", "size=2m") as mount:
        yield mount


@pytest.fixture
def read_only_disk(tmp_path):
    """A folder on a read-only file system, where even removing a missing file fails."""
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as mount:
        yield mount


def log_text() -> str:
    """Return what Assay's log file holds (the file the configured handler writes)."""
    import logging

    texts = []
    for handler in logging.getLogger("app").handlers:
        name = getattr(handler, "baseFilename", None)
        if name and Path(name).exists():
            handler.flush()
            texts.append(Path(name).read_text(encoding="utf-8"))
    return "\n".join(texts)
