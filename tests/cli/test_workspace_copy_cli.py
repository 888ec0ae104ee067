"""``assay workspace copy``: the summary, the exit code and the one-line refusals."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.services.engagement import update_engagement
from app.services.evidence import add_evidence_bytes


@pytest.fixture
def source(workspace):
    """A small workspace with journalled changes and one evidence file."""
    update_engagement(workspace, client="Northwind Mutual", title="AI systems review")
    add_evidence_bytes(workspace, b"%PDF-1.4 policy text\n" * 100, "policy.pdf")
    workspace.close()
    return workspace.path


def test_copy_prints_the_summary_and_exits_zero(source, tmp_path, capsys):
    target = tmp_path / "copy.assay"

    assert main(["workspace", "copy", str(source), str(target)]) == 0

    out = capsys.readouterr().out
    assert "evidence_blob" in out
    assert "evidence      2,100 bytes" in out
    assert "verified: both sides pass check with the same journal head" in out
    heads = [
        line.split()[-2] for line in out.splitlines() if "(source)" in line or "(copy)" in line
    ]
    assert len(heads) == 2
    assert heads[0] == heads[1]


def test_copy_json_names_the_heads_and_counts(source, tmp_path, capsys):
    target = tmp_path / "copy.assay"

    assert main(["workspace", "copy", str(source), str(target), "--json"]) == 0

    data = json.loads(capsys.readouterr().out)
    assert data["verified"] is True
    assert data["source_head"] == data["destination_head"]
    assert data["tables"]["engagement"] == 1
    assert data["tables"]["evidence"] == 1
    assert data["evidence_bytes"] == 2100
    assert main(["--workspace", str(target), "check"]) == 0


def test_a_second_copy_is_refused_then_replaced(source, tmp_path, capsys):
    target = tmp_path / "copy.assay"
    assert main(["workspace", "copy", str(source), str(target)]) == 0
    capsys.readouterr()

    assert main(["workspace", "copy", str(source), str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("assay: cannot copy to copy: it already holds a workspace with data")
    assert "--replace" in err
    assert err.count("\n") == 1

    assert main(["workspace", "copy", str(source), str(target), "--replace"]) == 0


def test_a_missing_source_is_one_line(tmp_path, capsys):
    code = main(["workspace", "copy", str(tmp_path / "none.assay"), str(tmp_path / "b.assay")])

    assert code == 1
    err = capsys.readouterr().err
    assert err == f"assay: no workspace at {tmp_path / 'none.assay'}\n"
    assert not (tmp_path / "b.assay").exists()


def test_file_to_server_and_back_by_the_command(source, server_url, tmp_path, capsys):
    back = tmp_path / "back.assay"

    assert main(["workspace", "copy", str(source), server_url, "--json"]) == 0
    there = json.loads(capsys.readouterr().out)
    assert main(["workspace", "copy", server_url, str(back), "--json"]) == 0
    home = json.loads(capsys.readouterr().out)

    assert there["destination"] == server_url  # the test login has no password to hide
    assert home["destination_head"] == there["source_head"]
    assert home["tables"] == there["tables"]


def test_an_unreachable_server_is_one_line(source, capsys):
    code = main(["workspace", "copy", str(source), "postgresql://nobody@127.0.0.1:9/acme"])

    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("assay: ")
    assert err.count("\n") == 1
    assert "127.0.0.1:9" in err
