"""Field values made by ``values_maker`` are dicts like any other (they only share their keys)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle

from app.ingest.records import values_maker

NAMES = ("identity", "resource", "action", "scope", "approval_required", "logged", "last_used")
CELLS = ("svc-1", "res-1", "read", "", True, None, dt.date(2026, 1, 2))


def test_made_values_equal_a_dict_of_their_own() -> None:
    make = values_maker(NAMES)
    made = [make(CELLS), make(CELLS[:2] + ("write",) + CELLS[3:])]
    assert made[0] == dict(zip(NAMES, CELLS, strict=True))
    assert type(made[0]) is dict
    assert list(made[0]) == list(NAMES)
    assert made[1]["action"] == "write"
    assert made[0]["action"] == "read"
    assert pickle.loads(pickle.dumps(made[0])) == made[0] == copy.copy(made[0])
    plain = dict(zip(NAMES, CELLS, strict=True))
    assert json.dumps(made[0], default=str) == json.dumps(plain, default=str)


def test_changing_one_made_dict_leaves_the_others_alone() -> None:
    make = values_maker(NAMES)
    first, second = make(CELLS), make(CELLS)
    first["scope"] = "prod"
    first.setdefault("owner_name", "Ann")
    del first["logged"]
    first["logged"] = False
    assert second == dict(zip(NAMES, CELLS, strict=True))
    assert first == {**dict(zip(NAMES, CELLS, strict=True)), "scope": "prod", "owner_name": "Ann",
                     "logged": False}  # fmt: skip
    assert list(first)[-2:] == ["owner_name", "logged"]
    assert make(CELLS) == second
