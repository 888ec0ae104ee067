"""Opaque ids are shown with their display names: Entra object ids in the CLI, findings, report.

The Azure sample names its principals by GUIDs only; the service principal export gives their
display names. Every surface a reader sees shows ``name (id)`` for such an identity, and a
readable id (an ARN, an e-mail, a register's own name) as it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.domain.identity_names import is_opaque, readable
from app.services.inventory_import import import_inventory
from app.services.reporting.posture import build_posture
from app.services.workspace import open_workspace

AZURE = Path(__file__).parents[2] / "resources" / "samples" / "identity-exports" / "azure"
AGENT = "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60"  # claims-triage-agent's object id
LABEL = f"claims-triage-agent ({AGENT})"


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    register = folder / "register.csv"
    register.write_text("id,name,autonomy,identities\nAIS-001,Claims triage,autonomous,"
                        "claims-triage-agent\n")  # fmt: skip
    path = folder / "names.assay"
    ws = open_workspace(path, actor="tester")
    try:
        import_inventory(ws, AZURE)
        import_inventory(ws, register)
    finally:
        ws.close()
    return path


def _run(capsys, ws_path: Path, *args: str) -> str:
    assert main(["--workspace", str(ws_path), *args]) == 0
    return capsys.readouterr().out


def test_readable_names_only_opaque_ids():
    assert is_opaque(AGENT)
    assert is_opaque("104857392019283746501")
    assert readable(AGENT, "claims-triage-agent") == LABEL
    assert readable(AGENT, "") == AGENT
    assert readable("arn:aws:iam::1:role/x", "x") == "arn:aws:iam::1:role/x"
    assert readable("sa@p.iam.gserviceaccount.com", "Chatbot") == "sa@p.iam.gserviceaccount.com"


def test_systems_show_names_identities_paths_and_findings(capsys, ws_path):
    text = _run(capsys, ws_path, "systems", "show", "AIS-001")
    identities = next(line for line in text.splitlines() if line.startswith("Identities:"))
    assert LABEL in identities
    paths = text.split("Paths:")[1].split("Hygiene findings")[0]
    assert f"AIS-001 → {LABEL} →" in paths
    assert f"Identity {LABEL} has no owner" in text


def test_identities_list_has_a_name_column(capsys, ws_path):
    text = _run(capsys, ws_path, "identities", "list")
    row = next(line for line in text.splitlines() if line.startswith(AGENT))
    assert "claims-triage-agent" in row
    assert text.splitlines()[0].split()[:3] == ["ID", "Name", "Kind"]


def test_report_paths_and_findings_show_names(ws_path):
    ws = open_workspace(ws_path, actor="tester")
    try:
        posture, _analysis = build_posture(ws, "AIS-001")
    finally:
        ws.close()
    assert any(p.labels[0] == LABEL for p in posture.paths)
    assert any(LABEL in f.title for f in posture.hygiene)


def test_delegation_attributes_read_as_text_not_python(capsys, ws_path):
    text = _run(capsys, ws_path, "systems", "show", "AIS-001")
    delegations = text.split("Delegations")[1].split("Risk tier")[0]
    assert "conditional: False" not in delegations
    assert "['" not in delegations
    assert "via: " in delegations
