"""``assay workspace copy``: the demo copied file to file, and memory held with large evidence."""

from __future__ import annotations

import hashlib
import sqlite3
import time
import tracemalloc

from app.services.workspace import open_workspace
from app.services.workspace_copy import copy_workspace
from app.storage import copy as copier
from app.storage.db import Database

MB = 1024 * 1024


def test_demo_copy_file_to_file(demo_workspace_file, tmp_path, aims):
    source = demo_workspace_file.workspace_path
    timings = []
    for n in range(3):
        started = time.perf_counter()
        result = copy_workspace(str(source), str(tmp_path / f"copy{n}.assay"))
        timings.append(time.perf_counter() - started)
        assert result.verified, result.problems
    print(f"\n  demo: {result.rows:,} rows, {result.evidence_bytes:,} evidence bytes")
    aims.check("demo copy with both checks (best of 3)", min(timings), 15.0)
    rows_only = []
    for n in range(3):
        target = open_workspace(tmp_path / f"rows{n}.assay")
        started = time.perf_counter()
        copier.copy_database(Database(source, read_only=True), target.db)
        rows_only.append(time.perf_counter() - started)
        target.close()
    aims.check("demo rows alone (best of 3)", min(rows_only), 3.0)


def test_large_evidence_is_copied_a_few_files_at_a_time(tmp_path, aims):
    source = open_workspace(tmp_path / "big.assay")
    source.close()
    blobs = 12
    conn = sqlite3.connect(source.path)
    for n in range(blobs):
        data = bytes([n]) * (20 * MB)
        row = (hashlib.sha256(data).hexdigest(), len(data), data)
        conn.execute("INSERT INTO evidence_blob (sha256, size, data) VALUES (?, ?, ?)", row)
        conn.commit()
    conn.close()
    target = open_workspace(tmp_path / "copy.assay")
    target.close()

    tracemalloc.start()
    started = time.perf_counter()
    copied = copier.copy_database(source.db, target.db)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert {c.table: c.binary_bytes for c in copied}["evidence_blob"] == blobs * 20 * MB
    print(f"\n  {blobs * 20} MB of evidence in {seconds:.1f} s")
    aims.check("peak memory copying 240 MB of evidence (20 MB files)", peak / MB, 60, "MB")
