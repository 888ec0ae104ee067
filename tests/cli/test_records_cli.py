"""``assay systems|identities|resources|grants|delegations add|edit|delete``."""

from __future__ import annotations

import json

import pytest

from app.cli import main


@pytest.fixture
def assay(tmp_path, capsys):
    path = tmp_path / "records.assay"

    def run(*args: str, expect: int = 0) -> str:
        code = main(["--workspace", str(path), *args])
        out, err = capsys.readouterr()
        assert code == expect, err
        return out if expect == 0 else err

    return run


def test_every_record_kind_in_one_shape(assay) -> None:
    assay("systems", "add", "AIS-1", "--set", "name=Claims bot", "--set", "autonomy=HITL")
    assay("identities", "add", "svc-1", "--set", "kind=service account", "--set", "systems=AIS-1")
    assay("identities", "add", "role-1", "--set", "kind=role")
    assay("resources", "add", "db", "--set", "sensitivity=restricted")
    out = assay("grants", "add", "role-1", "db", "write", "--scope", "tables/*")
    assert out.strip() == "Grant role-1 → db → write → tables/* added"
    assay("delegations", "add", "svc-1", "role-1", "assume-role")
    shown = json.loads(assay("--json", "systems", "show", "AIS-1"))
    assert shown["analysis"]["blast_radius"]["score"] > 0
    out = assay("grants", "edit", "role-1", "db", "write", "--scope", "tables/*",
                "--set", "approval_required=yes")  # fmt: skip
    assert "(approval_required)" in out
    assert "nothing changed" in assay("systems", "edit", "AIS-1", "--set", "name=Claims bot")
    assay("delegations", "delete", "svc-1", "role-1", "assume-role")
    shown = json.loads(assay("--json", "systems", "show", "AIS-1"))
    assert shown["analysis"]["blast_radius"]["score"] is None
    assay("resources", "delete", "db")
    assay("systems", "delete", "AIS-1")
    assert json.loads(assay("--json", "systems", "list")) == []


def test_refusals_are_one_line_and_exit_1(assay) -> None:
    assay("systems", "add", "AIS-1")
    err = assay("systems", "edit", "AIS-1", "--set", "exposure=sometimes", expect=1)
    assert err.count("\n") == 1
    assert "Exposure: 'sometimes' is not a known exposure" in err
    assert "already exists" in assay("systems", "add", "AIS-1", expect=1)
    assert "no field colour" in assay("systems", "edit", "AIS-1", "--set", "colour=red", expect=1)
    assert "nothing to change" in assay("systems", "edit", "AIS-1", expect=1)
    err = assay("grants", "add", "ghost", "db", "read", expect=1)
    assert "Identity: no identity 'ghost'" in err


def test_messages_name_an_ai_system_and_a_grant_without_scope_as_written(assay) -> None:
    out = assay("systems", "add", "AIS-1", "--set", "name=Claims bot")
    assert out.strip() == "AI system AIS-1 added"  # not "Ai system"
    assay("identities", "add", "svc-1")
    assay("resources", "add", "db")
    out = assay("grants", "add", "svc-1", "db", "read/write")
    assert out.strip() == "Grant svc-1 → db → write added"  # no dangling arrow for no scope
    err = assay("grants", "delete", "svc-1", "db", "read", expect=1)
    assert "no grant svc-1 → db → read in this workspace" in err
