"""A thread can ask its writes to wait only briefly for another program's write lock."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from app.storage.db import BUSY_TIMEOUT_MS
from tests.pg_cluster import open_file_workspace


@pytest.fixture
def workspace(tmp_path, workspace_template):
    """A workspace file: these tests read SQLite's own busy timeout (the server's are elsewhere)."""
    yield from open_file_workspace(tmp_path, workspace_template)


def busy_timeout_inside_a_write(db) -> int:
    with db.write() as session:
        return session.execute(sa.text("PRAGMA busy_timeout")).scalar_one()


def test_only_the_asking_thread_waits_briefly_and_the_long_wait_comes_back(workspace):
    db = workspace.db
    db.wait_briefly_on_this_thread(250)
    assert busy_timeout_inside_a_write(db) == 250
    other: list[int] = []
    worker = threading.Thread(target=lambda: other.append(busy_timeout_inside_a_write(db)))
    worker.start()
    worker.join(10)
    assert other == [BUSY_TIMEOUT_MS], "other threads keep the long wait"
    with db.read() as session:  # the pooled connection is back to the long wait
        assert session.execute(sa.text("PRAGMA busy_timeout")).scalar_one() == BUSY_TIMEOUT_MS


def test_a_brief_write_fails_while_another_program_holds_the_lock_and_works_after(workspace):
    db = workspace.db
    db.wait_briefly_on_this_thread(200)
    holder = sqlite3.connect(workspace.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="database is locked"), db.write() as session:
            session.execute(sa.text("SELECT 1"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy_timeout_inside_a_write(db) == 200
