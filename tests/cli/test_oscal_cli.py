"""``assay export oscal`` and ``assay frameworks upgrade`` end to end on a real workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from tests.oscal_schema import reference_problems, schema_errors
from tests.services.test_oscal_export import check_export
from tests.services.test_upgrade import DRAFT
from tests.services.test_upgrade import answered as answered  # noqa: F401 - a fixture


@pytest.fixture
def ws_args(workspace, answered):  # noqa: F811 - the imported fixture
    assessment_id, _ = answered
    return ["--workspace", str(workspace.path)], assessment_id


def test_export_oscal_writes_valid_documents(ws_args, tmp_path, capsys):
    args, assessment_id = ws_args
    out = tmp_path / "oscal"
    assert main([*args, "export", "oscal", "--assessment", str(assessment_id), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "assessment-results.json" in text
    assert "evidence/  2 files" in text
    check_export(out)
    assert (
        main(
            [*args, "--json", "export", "oscal", "--assessment", str(assessment_id), "-o", str(out)]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert set(data["documents"]) >= {"assessment-plan.json", "poam.json"}


def test_export_refuses_an_unknown_assessment(ws_args, tmp_path, capsys):
    args, _ = ws_args
    out = tmp_path / "out"
    assert main([*args, "export", "oscal", "--assessment", "99", "-o", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "assay: no assessment 99"
    assert not out.exists()


@pytest.mark.parametrize("content", [False, True])
def test_export_into_a_file_says_it_is_a_file(ws_args, tmp_path, capsys, content):
    args, assessment_id = ws_args
    target = tmp_path / "results.json"
    target.write_text("mine", encoding="utf-8")
    what = ["--content"] if content else ["--assessment", str(assessment_id)]
    assert main([*args, "export", "oscal", *what, "-o", str(target)]) == 1
    error = capsys.readouterr().err
    assert (
        error == f"assay: cannot write the OSCAL export to {target}: it is a file, not a folder\n"
    )
    assert target.read_text(encoding="utf-8") == "mine"


def test_upgrade_dry_run_then_apply_shows_scores_side_by_side(ws_args, capsys):
    args, assessment_id = ws_args
    base = [*args, "frameworks", "upgrade", "--assessment", str(assessment_id)]
    assert main([*base, "--to", "2026-draft", "--file", str(DRAFT), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "(dry run, nothing changed)" in text
    assert (
        "22 answers carried, 4 flagged to review, 1 new question, 1 removed question "
        "(1 answered: the answers stay in the journal)"
    ) in text
    assert "MEAN BEFORE  AFTER" in text
    assert "split     nhi.NHI2.q1  nhi.NHI2.vault, nhi.NHI2.no-code-secrets" in text
    overall = next(line for line in text.splitlines() if line.startswith("Overall"))
    assert len(overall.split()) == 7  # three figures, before and after
    assert main([*base, "--json", "--to", "2026-draft", "--file", str(DRAFT)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is True
    assert data["scores"][0]["key"] == "overall"
    assert main([*base, "--to", "2026-draft", "--dry-run"]) == 1
    assert "already uses owasp-nhi 2026-draft" in capsys.readouterr().err


def test_upgrade_reports_a_broken_file_without_a_traceback(ws_args, tmp_path, capsys):
    args, assessment_id = ws_args
    broken = tmp_path / "next.yaml"
    shutil.copy(DRAFT, broken)
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("change: split", "change: splitted"),
        encoding="utf-8",
    )
    code = main(
        [*args, "frameworks", "upgrade", "--assessment", str(assessment_id), "--to", "2026-draft",
         "--file", str(broken)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "next.yaml" in err
    assert "Traceback" not in err
    assert "upgrades[0].changes[1].change" in err


def test_upgrade_names_the_versions_it_knows(ws_args, capsys):
    args, assessment_id = ws_args
    code = main([*args, "frameworks", "upgrade", "--assessment", str(assessment_id), "--to", "9"])
    assert code == 1
    assert "no version '9' of owasp-nhi (known: 2025)" in capsys.readouterr().err
    assert Path(DRAFT).is_file()


def test_export_content_writes_the_frameworks_alone(ws_args, tmp_path, capsys):
    args, _ = ws_args
    out = tmp_path / "content"
    assert main([*args, "export", "oscal", "--content", "-o", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {
        "nist-ai-rmf-1.0-catalog.json",
        "nist-ir-8596-2025-12-iprd-profile.json",
        "owasp-asi-2026-catalog.json",
        "owasp-nhi-2025-catalog.json",
    }
    for path in out.iterdir():
        document = json.loads(path.read_text(encoding="utf-8"))
        assert schema_errors(document) == [], path.name
        assert reference_problems(document, [document], set()) == [], path.name
    assert "evidence/" not in capsys.readouterr().out


def test_export_after_an_upgrade_replaces_the_old_catalog(ws_args, tmp_path, capsys):
    """Re-exporting into the same folder after a move to the next version leaves no catalog
    of the old version behind, and says which files it removed."""
    args, assessment_id = ws_args
    out = tmp_path / "oscal"
    export = [*args, "export", "oscal", "--assessment", str(assessment_id), "-o", str(out)]
    assert main(export) == 0
    assert (out / "owasp-nhi-2025-catalog.json").exists()
    upgrade = [*args, "frameworks", "upgrade", "--assessment", str(assessment_id)]
    assert main([*upgrade, "--to", "2026-draft", "--file", str(DRAFT)]) == 0
    capsys.readouterr()
    assert main(export) == 0
    text = capsys.readouterr().out
    assert "removed 1 file of an earlier export:\n    owasp-nhi-2025-catalog.json" in text
    assert not (out / "owasp-nhi-2025-catalog.json").exists()
    assert (out / "owasp-nhi-2026-draft-catalog.json").exists()
    check_export(out)
