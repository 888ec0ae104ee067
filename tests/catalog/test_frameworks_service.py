"""Custom frameworks in a workspace, and the ``assay frameworks`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

import app.cli
from app.cli import main
from app.services.errors import UserError
from app.services.frameworks import (
    FrameworkFileError,
    add_custom_framework,
    catalog_for,
)
from app.storage.models import FrameworkVersion, JournalEntry

INVALID = Path(__file__).resolve().parents[1] / "data" / "assessments_invalid"

CUSTOM = """\
schema_version: 1
id: acme-agents
version: "1"
title: "ACME agent controls"
nodes:
  - {id: OPS, kind: section, title: "Operations"}
questions:
  - id: acme.OPS-1
    ref: OPS-1
    title: "Agent keys in the vault"
    node: OPS
    prompt: "Are all agent keys issued from the central vault?"
    guidance: "Compare the vault inventory with the identity export."
    evidence: ["Vault inventory"]
    applies_to: {agentic: true}
"""


@pytest.fixture(autouse=True)
def _frameworks_command(monkeypatch: pytest.MonkeyPatch):
    modules = tuple(dict.fromkeys((*app.cli.COMMAND_MODULES, "frameworks")))
    monkeypatch.setattr(app.cli, "COMMAND_MODULES", modules)


def _write(tmp_path: Path, text: str = CUSTOM, name: str = "acme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_added_yaml_framework_joins_the_catalog_and_is_journalled(workspace, tmp_path):
    added = add_custom_framework(workspace, _write(tmp_path))
    assert str(added) == "ACME agent controls (acme-agents 1, 1 questions)"
    catalog = catalog_for(workspace)
    framework = catalog.framework("acme-agents")
    assert framework.custom
    assert framework.sha256 == added.sha256
    assert catalog.question("acme.OPS-1").title == "Agent keys in the vault"
    assert catalog.has_framework("nist-ai-rmf")
    with workspace.db.read() as session:
        row = session.execute(sa.select(FrameworkVersion)).scalar_one()
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "framework.add")
        ).scalar_one()
    assert (row.custom, row.content, row.source_name) == (True, CUSTOM, "acme.yaml")
    assert entry.after["framework_id"] == "acme-agents"
    assert entry.after["sha256"] == added.sha256


def test_adding_the_same_file_twice_is_refused(workspace, tmp_path):
    path = _write(tmp_path)
    add_custom_framework(workspace, path)
    with pytest.raises(UserError, match="acme-agents 1 is already in this workspace"):
        add_custom_framework(workspace, path)


def test_changed_content_needs_a_new_version(workspace, tmp_path):
    add_custom_framework(workspace, _write(tmp_path))
    changed = CUSTOM.replace("central vault", "company vault")
    with pytest.raises(UserError, match="already stored with different content"):
        add_custom_framework(workspace, _write(tmp_path, changed, "acme2.yaml"))
    newer = changed.replace('version: "1"', 'version: "2"')
    add_custom_framework(workspace, _write(tmp_path, newer, "acme3.yaml"))
    framework = catalog_for(workspace).framework("acme-agents")
    assert framework.version == "2"
    assert "company vault" in framework.question("acme.OPS-1").prompt


def test_shipped_ids_and_taken_question_ids_are_refused(workspace, tmp_path):
    shipped = CUSTOM.replace("id: acme-agents", "id: owasp-asi")
    with pytest.raises(UserError, match="'owasp-asi' is a shipped framework's id"):
        add_custom_framework(workspace, _write(tmp_path, shipped))
    stolen = CUSTOM.replace("acme.OPS-1", "asi.ASI01.m1")
    with pytest.raises(UserError, match="already used by another framework: asi.ASI01.m1"):
        add_custom_framework(workspace, _write(tmp_path, stolen))


def test_an_invalid_file_lists_every_problem(workspace):
    with pytest.raises(FrameworkFileError) as caught:
        add_custom_framework(workspace, INVALID / "many_problems.yaml")
    assert len(caught.value.problems) == 16
    assert "\n" not in str(caught.value)


def test_spreadsheet_set_is_stored_as_yaml(workspace, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ID", "Section", "Question"])
    book.active.append(["K1", "Keys", "Are agent keys rotated every 30 days?"])
    book.save(tmp_path / "keys.xlsx")
    added = add_custom_framework(workspace, tmp_path / "keys.xlsx", version="2026")
    assert (added.framework_id, added.version) == ("custom-keys", "2026")
    framework = catalog_for(workspace).framework("custom-keys")
    assert framework.question("custom-keys.K1").node == "keys"


def test_spreadsheet_options_are_refused_for_yaml(workspace, tmp_path):
    with pytest.raises(UserError, match="apply to spreadsheets only"):
        add_custom_framework(workspace, _write(tmp_path), sheet="x")


def test_cli_list_and_show(workspace, capsys):
    ws = str(workspace.path)
    workspace.close()
    assert main(["--workspace", ws, "frameworks", "list", "--json"]) == 0
    listed = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["nist-ir-8596"]["questions"] == 318
    assert listed["owasp-asi"]["custom"] is False
    assert main(["frameworks", "show", "owasp-asi", "--json", "--workspace", ws]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == {
        "id", "version", "title", "published", "identifier", "upgrades_from", "questions"
    }  # fmt: skip
    assert shown["identifier"].startswith("https://genai.owasp.org/")
    first = shown["questions"][0]
    assert set(first) == {
        "id", "ref", "title", "path", "focus_area", "priority", "weight", "prompt", "applies_to"
    }  # fmt: skip
    assert first["path"] == ["ASI01"]
    assert first["applies_to"] == {"agentic": True}
    assert main(["frameworks", "show", "nist-ir-8596", "--workspace", ws]) == 0
    text = capsys.readouterr().out
    assert "ir8596.secure.PR.AA-05  PR.AA-05 [secure, P1 High]" in text


def test_cli_show_unknown_framework_is_a_one_line_error(workspace, capsys):
    ws = str(workspace.path)
    workspace.close()
    assert main(["frameworks", "show", "nope", "--workspace", ws]) == 1
    err = capsys.readouterr().err
    assert err.startswith("assay: no framework 'nope' (known: ")
    assert len(err.strip().splitlines()) == 1


def test_cli_validate_reports_all_problems(capsys):
    assert main(["frameworks", "validate", str(INVALID / "many_problems.yaml")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 17
    assert err[-1] == "assay: many_problems.yaml: 16 problems"
    assert main(["frameworks", "validate", "--json", str(INVALID / "not_a_mapping.yaml")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert len(report["problems"]) == 1


def test_cli_validate_and_add_a_good_file(workspace, tmp_path, capsys):
    ws = str(workspace.path)
    workspace.close()
    path = str(_write(tmp_path))
    assert main(["frameworks", "validate", path]) == 0
    assert "acme.yaml: valid · acme-agents 1 · 1 questions in 1 nodes" in capsys.readouterr().out
    assert main(["frameworks", "add", path, "--workspace", ws]) == 0
    assert "added ACME agent controls" in capsys.readouterr().out
    assert main(["frameworks", "add", path, "--workspace", ws]) == 1
    assert "already in this workspace" in capsys.readouterr().err
