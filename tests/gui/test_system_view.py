"""The system view: profile with custom attributes, identities, grants, delegation chain,
the blast radius drawn with its paths, and the hygiene findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.inventory_import import import_inventory

SHEETS: dict[str, list[list[object]]] = {
    "AI systems": [
        ["id", "name", "owner_email", "autonomy", "data_classification", "exposure",
         "identities", "Cost centre"],
        ["AIS-001", "Claims agent", "ann@example.com", "autonomous", "restricted", "internal",
         "svc-claims", "CC-10"],
        ["AIS-002", "Quiet helper", "", "advisory", "internal", "internal", "", ""],
    ],
    "Identities": [
        ["id", "kind", "owner_email", "last_rotated", "revocation_procedure"],
        ["svc-claims", "service-account", "ann@example.com", "2020-01-01", "runbook R1"],
        ["role-ops", "role", "ops@example.com", "", "runbook R2"],
        ["role-admin", "role", "", "", ""],
    ],
    "Resources": [
        ["id", "name", "sensitivity"],
        ["claims-db", "Claims database", "restricted"],
        ["docs", "Document store", "internal"],
    ],
    "Grants": [
        ["identity", "resource", "action", "scope"],
        ["svc-claims", "docs", "read", "bucket/claims"],
        ["role-admin", "claims-db", "admin", "*"],
    ],
    "Delegations": [
        ["from_identity", "to_identity", "kind"],
        ["svc-claims", "role-ops", "assume-role"],
        ["role-ops", "role-admin", "impersonate"],
    ],
}  # fmt: skip


@pytest.fixture
def seeded(workspace, tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in SHEETS.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "inventory.xlsx"
    book.save(path)
    plan, result = import_inventory(workspace, path)
    assert result is not None, [str(p) for p in plan.errors]
    return workspace


@pytest.fixture
def view(make_main_window, seeded, qtbot):
    window = make_main_window(workspace=seeded)
    window.show_page("inventory")
    page = window.page("inventory")
    qtbot.waitUntil(lambda: page._load_task is None, timeout=10_000)
    view = page.open_system("AIS-001")
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    return view


def test_profile_shows_record_risk_and_custom_attributes(view):
    text = view.profile.toPlainText()
    assert "AIS-001 — Claims agent" in text
    assert "ann@example.com" in text
    assert "Risk tier critical" in text  # autonomous with restricted data
    assert view.attributes.model.rows == [("Cost centre", "CC-10")]


def test_identities_include_those_reached_through_delegation(view):
    rows = {row.ext_id: row for row in view.identities.model.rows}
    assert set(rows) == {"svc-claims", "role-ops", "role-admin"}
    assert rows["svc-claims"].reached == "direct"
    assert rows["role-admin"].reached == "svc-claims → role-ops → role-admin"
    assert rows["role-admin"].depth == 2


def test_grants_and_delegation_chain(view):
    grants = {(g.identity, g.resource): g for g in view.grants.model.rows}
    assert grants[("role-admin", "claims-db")].action == "admin"
    assert grants[("role-admin", "claims-db")].via == "delegated"
    assert grants[("svc-claims", "docs")].via == "direct"
    kinds = {(d.source, d.target): d.kind for d in view.delegations.model.rows}
    assert kinds == {("svc-claims", "role-ops"): "assume-role",
                     ("role-ops", "role-admin"): "impersonate"}  # fmt: skip
    assert "2 hops — svc-claims → role-ops → role-admin" in view.chain_label.text()


def test_blast_radius_is_drawn_with_labelled_edges_and_paths(view):
    radius = view.blast_radius
    layout = radius.graph.layout_data
    columns = {node.id: (node.kind, node.column) for node in layout.nodes}
    assert columns["AIS-001"] == ("system", 0)
    assert columns["svc-claims"] == ("identity", 1)
    assert columns["role-ops"] == ("delegated", 2)
    assert columns["role-admin"] == ("delegated", 3)
    assert columns["claims-db"] == ("resource", 4)
    assert columns["docs"] == ("resource", 4)
    edges = {(e.source, e.target): e.label for e in layout.edges}
    assert edges[("role-admin", "claims-db")] == "admin"
    assert edges[("svc-claims", "docs")] == "read"
    assert edges[("role-ops", "role-admin")] == "impersonate"
    assert len(radius.graph.scene().items()) > len(layout.nodes)
    paths = radius.paths.toPlainText().splitlines()
    assert paths[0].startswith("AIS-001 → svc-claims → role-ops → role-admin → claims-db (admin)")
    assert "weight 32" in paths[0]
    assert "Blast radius" in radius.summary.text()


def test_hygiene_findings_are_listed(view):
    findings = view.findings.model.rows
    assert view.tabs.tabText(5) == f"Findings ({len(findings)})"
    about_admin = {f.rule_id for f in findings if f.identity == "role-admin"}
    assert {"identity-no-owner", "no-revocation-procedure"} <= about_admin
    assert "svc-claims" in {f.identity for f in findings}  # rotated in 2020
    counts = {row.ext_id: row.findings for row in view.identities.model.rows}
    assert counts["role-admin"] >= 2


def test_unknown_system_says_so(make_main_window, seeded, qtbot):
    window = make_main_window(workspace=seeded)
    page = window.page("inventory")
    view = page.open_system("AIS-404")
    qtbot.waitUntil(lambda: "AIS-404" in view.message.text(), timeout=10_000)
    assert view.data is None


def test_system_with_no_identities_reaches_nothing(make_main_window, seeded, qtbot):
    window = make_main_window(workspace=seeded)
    page = window.page("inventory")
    view = page.open_system("AIS-002")
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert view.identities.model.rows == []
    assert "Access not recorded" in view.blast_radius.paths.toPlainText()
    assert "Blast radius unknown" in view.blast_radius.summary.text()
    assert "blast radius unknown" in view.badge.text()
    assert "(provisional)" in view.badge.text()
    assert [n.kind for n in view.blast_radius.graph.layout_data.nodes] == ["system"]


def test_drawing_caps_resources_and_says_how_many_are_left_out():
    from app.domain.blast_radius import system_blast_radius
    from app.domain.enums import Action, Sensitivity
    from app.domain.identity_graph import IdentityGraph
    from app.gui.widgets.blast_radius_layout import MAX_RESOURCES, build_layout

    graph = IdentityGraph(
        uses=[("S", "key")],
        grants=[("key", f"r{n:02d}", Action.READ) for n in range(MAX_RESOURCES + 7)],
        sensitivity={f"r{n:02d}": Sensitivity.INTERNAL for n in range(MAX_RESOURCES + 7)},
    )
    blast = system_blast_radius(graph, "S")
    layout = build_layout(
        "S", "", blast, direct=["key"], delegations=[], resource_names={}, tier=None
    )
    kinds = [node.kind for node in layout.nodes]
    assert kinds.count("resource") == MAX_RESOURCES
    assert layout.hidden_resources == 7
    assert layout.nodes[-1].label == "+ 7 more"
    assert sum(1 for e in layout.edges if e.kind == "grant") == MAX_RESOURCES


def test_activating_an_identity_shows_its_delegations_and_findings(view, qtbot):
    view.tabs.setCurrentWidget(view.identities)
    table = view.identities
    ids = [table.proxy.index(r, 0).data() for r in range(table.proxy.rowCount())]
    table.view.doubleClicked.emit(table.proxy.index(ids.index("role-admin"), 0))
    dialog = view.identity_dialogs["role-admin"]
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert [(d.direction, d.other, d.kind) for d in dialog.delegations.model.rows] == [
        ("acted as by", "role-ops", "impersonate")
    ]
    assert [(g.resource, g.sensitivity, g.action) for g in dialog.grants.model.rows] == [
        ("claims-db", "restricted", "admin")
    ]
    rules = {f.rule_id for f in dialog.findings.model.rows}
    assert {"identity-no-owner", "no-revocation-procedure"} <= rules
    text = dialog.profile.toPlainText()
    assert "role-admin" in text
    assert "Used by" in text  # used by no system directly: reached through delegation
    ops = view.open_identity("role-ops")
    qtbot.waitUntil(lambda: ops.data is not None, timeout=10_000)
    assert [(d.direction, d.other) for d in ops.delegations.model.rows] == [
        ("can act as", "role-admin"),
        ("acted as by", "svc-claims"),
    ]
