"""Assay's own triggers as ``own_schema`` lists them match what migration 0010 creates."""

from __future__ import annotations

import importlib
import sqlite3

import pytest

from app.storage import own_schema


def test_the_migration_counts_the_tables_own_schema_names():
    migration = importlib.import_module("app.storage.migrations.versions.0010_change_count")

    assert migration.WATCHED == own_schema.COUNTED_TABLES


@pytest.mark.sqlite_only
def test_a_fresh_file_has_exactly_the_triggers_own_schema_lists(workspace):
    conn = sqlite3.connect(workspace.path)
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    conn.close()

    found = {name: own_schema.normalise(sql) for name, sql in rows}
    expected = {name: own_schema.normalise(sql) for name, sql in own_schema.file_triggers().items()}
    assert found == expected
