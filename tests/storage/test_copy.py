"""The storage copier: batches bounded by rows and bytes, rows pointing forward, sequences."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from app.services.workspace import open_workspace
from app.storage import copy as copier


def _rows(path, query):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


@pytest.fixture
def pair(tmp_path):
    """A source workspace and an empty destination, both closed (their files stay)."""
    source, destination = (open_workspace(tmp_path / f"{n}.assay") for n in ("src", "dst"))
    source.close()
    destination.close()
    return source, destination


def test_a_row_pointing_at_a_later_row_of_its_own_table_is_copied(pair):
    source, destination = pair
    conn = sqlite3.connect(source.path)
    conn.execute("INSERT INTO ai_system (id, gid, external_id, name, description, business_unit,"
                 " provider, model, tools, tags, risk_designation, attributes, created_at,"
                 " updated_at) VALUES (1, 'g-s', 'AIS-1', 'Bot', '', '', '', '', '[]', '[]', '',"
                 " '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')")  # fmt: skip
    for key, previous in ((1, 2), (2, None)):
        conn.execute(
            "INSERT INTO assessment (id, gid, kind, system_id, title, status, frameworks, scope,"
            " risk_factor, target_level, assessor, reviewer, previous_id, created_at)"
            " VALUES (?, ?, 'system', 1, '', 'draft', '[]', '{}', '', 3, '', '', ?,"
            " '2026-01-01 00:00:00')",
            (key, f"g-{key}", previous),
        )
    conn.commit()
    conn.close()

    copier.copy_database(source.db, destination.db)

    query = "SELECT id, previous_id FROM assessment ORDER BY id"
    assert _rows(destination.path, query) == [(1, 2), (2, None)]


def test_evidence_is_copied_in_batches_bounded_by_bytes(pair, monkeypatch):
    source, destination = pair
    blobs = [bytes([n]) * 3000 for n in range(7)]
    conn = sqlite3.connect(source.path)
    conn.executemany(
        "INSERT INTO evidence_blob (sha256, size, data) VALUES (?, ?, ?)",
        [(hashlib.sha256(b).hexdigest(), len(b), b) for b in blobs],
    )
    conn.commit()
    conn.close()
    monkeypatch.setattr(copier, "BATCH_BYTES", 5000)
    seen: list[tuple[int, str]] = []

    copied = copier.copy_database(
        source.db, destination.db, progress=lambda done, _total, table: seen.append((done, table))
    )

    assert [done for done, table in seen if table == "evidence_blob"] == [2, 4, 6, 7]
    assert {c.table: c.binary_bytes for c in copied}["evidence_blob"] == 7 * 3000
    query = "SELECT data FROM evidence_blob ORDER BY sha256"
    assert sorted(r[0] for r in _rows(destination.path, query)) == sorted(blobs)


def test_an_empty_destination_is_told_from_one_with_data(pair):
    source, destination = pair
    with destination.db.engine.connect() as conn:
        assert not copier.holds_data(conn)
    conn = sqlite3.connect(destination.path)
    conn.execute("INSERT INTO workspace_setting (key, value) VALUES ('theme', '\"dark\"')")
    conn.commit()
    conn.close()

    with pytest.raises(copier.DestinationNotEmptyError):
        copier.copy_database(source.db, destination.db)
