"""Rows written by the import's bulk writer: shared values in the statement, stored alike."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.storage.models import Person
from app.storage.repositories import inventory_bulk
from app.storage.repositories.inventory_bulk import InventoryBulkRepository


def _people(workspace) -> list[tuple]:
    with workspace.db.read() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(
                    Person.name, Person.email, Person.role, Person.organisation, Person.gid
                ).order_by(Person.id)
            )
        ]


def _insert(workspace, rows, **options) -> None:
    with workspace.db.write() as session:
        InventoryBulkRepository(session).insert("people", ("name", "email"), rows, **options)


def test_values_shared_by_a_batch_are_stored_as_when_bound(workspace, monkeypatch) -> None:
    monkeypatch.setattr(inventory_bulk, "_WRITE_BATCH", 2)
    rows = [("Ann", None), ("Bob", None), ("Cy", "cy@example.com"), ("Cy", "cy2@example.com"),
            ("Dee", None)]  # fmt: skip
    _insert(workspace, rows, constants={"role": "owner"})
    stored = _people(workspace)
    assert [row[:4] for row in stored] == [(n, e, "owner", "") for n, e in rows]
    gids = [row[4] for row in stored]
    assert len(set(gids)) == len(rows)
    for gid in gids:
        parsed = uuid.UUID(gid)
        assert (str(parsed), parsed.version, parsed.variant) == (gid, 4, uuid.RFC_4122)


def test_numbers_that_compare_equal_are_each_stored_as_given(workspace) -> None:
    _insert(workspace, [(1, "a@example.com"), (1.0, "b@example.com")])
    with workspace.db.read() as session:
        names = session.execute(sa.text("SELECT name FROM person ORDER BY id")).scalars().all()
    assert names == ["1", "1.0"]


def test_json_text_of_equal_but_different_lists_is_their_own() -> None:
    from app.storage.repositories.row_insert import json_text

    assert json_text(["crm", "email"]) == '["crm", "email"]'
    assert json_text(["crm", "email"]) is json_text(["crm", "email"])  # remembered
    texts = [json_text([1]), json_text([True]), json_text([1.0])]
    assert texts == ["[1]", "[true]", "[1.0]"]


def test_shared_text_with_a_nul_character_is_stored_whole(workspace) -> None:
    if workspace.is_server:
        pytest.skip("PostgreSQL text cannot hold a NUL character at all")
    _insert(workspace, [("Ann\x00Lee", None), ("Ann\x00Lee", None)])
    assert [row[0] for row in _people(workspace)] == ["Ann\x00Lee", "Ann\x00Lee"]
