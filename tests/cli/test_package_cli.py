"""``assay package handout|open|handback|merge`` on real files, and every refusal.

A package from another engagement, a changed or truncated one, one whose signature fails and
one from a newer schema are refused with one sentence each, and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.reports.certificates import create_self_signed_p12
from app.services import assessments as svc
from app.services.engagement import update_engagement
from app.services.workspace import open_workspace
from app.storage.models import AISystem


def _run(*args: str, expect: int = 0, capsys) -> str:
    try:
        code = main(list(args))
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    assert code == expect, captured.err
    return captured.out if expect == 0 else captured.err


def _lead(path: Path, client: str) -> tuple[str, str]:
    ws = open_workspace(path, actor="Lea")
    update_engagement(ws, client=client)
    with ws.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent"))
    info = svc.new_assessment(ws, "AIS-001", ["nist-ai-rmf"], target=3)
    question = svc.list_responses(ws, info.id)[0].question_id
    ws.close()
    return str(info.id), question


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """A lead workspace, an assessor's signed hand-back, and the assessor's certificate."""
    folder = tmp_path_factory.mktemp("packages")
    capsys = _NoCapture()
    lead, assessor = folder / "lead.assay", folder / "ana.assay"
    aid, question = _lead(lead, "Harbour Freight")
    handout, back = folder / "ana.assaypkg", folder / "ana-back.assaypkg"
    p12 = folder / "ana.p12"
    create_self_signed_p12(p12, "Ana Assessor", "Firm", "ana@example.com", b"pw")
    (folder / "pw.txt").write_text("pw\n")
    _run("--workspace", str(lead), "package", "handout", "--to", "Ana", "-o", str(handout),
         capsys=capsys)  # fmt: skip
    _run("--workspace", str(assessor), "package", "open", str(handout), capsys=capsys)
    _run("--workspace", str(assessor), "assess", "answer", "--assessment", aid, "--question",
         question, "--level", "4", "--note", "seen in the runbook", capsys=capsys)  # fmt: skip
    _run("--workspace", str(assessor), "package", "handback", "-o", str(back), "--sign", str(p12),
         "--password-file", str(folder / "pw.txt"), capsys=capsys)  # fmt: skip
    return {"folder": folder, "lead": lead, "back": back, "aid": aid, "question": question}


class _NoCapture:
    """Stands in for capsys in a module fixture (its output is not checked)."""

    def readouterr(self):
        class _Out:
            out = err = ""

        return _Out()


def _journal_size(path: Path) -> int:
    out = json.loads(_cli_out("--workspace", str(path), "check", "--json"))
    return int(out["journal"]["entries"])


def _cli_out(*args: str) -> str:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(list(args))
    return buffer.getvalue()


def _rewrite(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for name in src.namelist():
            out.writestr(name, change(name, src.read(name)))
    return target


def _manifest_change(key: str, value: str):
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest[key] = value
        return json.dumps(manifest).encode()

    return change


def _refusals(packages) -> dict[str, tuple[Path, str]]:
    folder, back = packages["folder"], packages["back"]
    truncated = folder / "truncated.assaypkg"
    truncated.write_bytes(back.read_bytes()[: back.stat().st_size // 2])
    tampered = _rewrite(
        back, folder / "tampered.assaypkg",
        lambda n, d: d.replace(b"seen in the runbook", b"seen in the handbook"),
    )  # fmt: skip
    resigned = _rewrite(back, folder / "resigned.assaypkg", _manifest_change("author", "Mallory"))
    newer = folder / "newer.assaypkg"
    _rewrite(back, newer, _manifest_change("schema", "0099_future"))
    return {
        "truncated": (truncated, "not a whole package"),
        "tampered": (tampered, "does not match its manifest hash"),
        "signature": (resigned, "signature of resigned.assaypkg fails"),
        "newer schema": (newer, "made by a newer Assay"),
    }


@pytest.mark.parametrize("case", ["truncated", "tampered", "signature", "newer schema"])
def test_a_damaged_or_foreign_package_is_refused_and_nothing_is_written(packages, case, capsys):
    path, reason = _refusals(packages)[case]
    lead = packages["lead"]
    before = _journal_size(lead)
    err = _run("--workspace", str(lead), "package", "merge", str(path), expect=1, capsys=capsys)
    assert reason in err
    assert "Traceback" not in err
    assert _journal_size(lead) == before


def test_a_package_of_another_engagement_is_refused(packages, tmp_path, capsys):
    other = tmp_path / "other.assay"
    _lead(other, "Another Client")
    err = _run("--workspace", str(other), "package", "merge", str(packages["back"]), expect=1,
               capsys=capsys)  # fmt: skip
    assert "belongs to another engagement (Harbour Freight)" in err
    assert "not this workspace's (Another Client)" in err


def test_a_hand_out_opens_only_into_a_new_workspace(packages, capsys):
    err = _run("--workspace", str(packages["lead"]), "package", "open",
               str(packages["folder"] / "ana.assaypkg"), expect=1, capsys=capsys)  # fmt: skip
    assert "new, empty workspace" in err
    assert packages["lead"].exists()


def test_a_refused_hand_out_leaves_no_workspace_behind(packages, capsys):
    target = packages["folder"] / "never.assay"
    err = _run("--workspace", str(target), "package", "open", str(packages["back"]), expect=1,
               capsys=capsys)  # fmt: skip
    assert "is a hand-back package, not a hand-out" in err
    assert "the lead merges it with assay package merge" in err
    assert not target.exists()


def test_dry_run_then_merge_then_again_changes_nothing(packages, capsys):
    lead, back = str(packages["lead"]), str(packages["back"])
    out = _run("--workspace", lead, "package", "merge", back, "--dry-run", "--json", capsys=capsys)
    plan = json.loads(out)
    assert plan["signer"] == "Ana Assessor"
    assert plan["counts"]["theirs"] == 1
    assert not plan["applied"]
    out = _run("--workspace", lead, "package", "merge", back, "--dry-run", capsys=capsys)
    assert f"changed by them only: 1\n  answer {packages['aid']}:{packages['question']}\n" in out
    assert out.endswith("merge without --dry-run to write it\n")
    out = _run("--workspace", lead, "package", "merge", back, capsys=capsys)
    assert "changed by them only: 1" in out
    assert "merged in one transaction" in out
    shown = _run("--workspace", lead, "assess", "show", "--assessment", packages["aid"], "--json",
                 capsys=capsys)  # fmt: skip
    assert "seen in the runbook" in shown
    out = _run("--workspace", lead, "package", "merge", back, capsys=capsys)
    assert "merged before: nothing changed" in out
    assert _run("--workspace", lead, "check", capsys=capsys)


def test_hand_out_names_what_it_carries_and_refuses_unknown_systems(packages, tmp_path, capsys):
    lead = str(packages["lead"])
    out = _run("--workspace", lead, "package", "handout", "--to", "Ben", "--system", "AIS-001",
               "-o", str(tmp_path / "ben.assaypkg"), "--json", capsys=capsys)  # fmt: skip
    result = json.loads(out)
    assert result["counts"]["assessment"] == 1
    assert result["counts"]["system"] == 1
    assert len(result["sha256"]) == 64
    err = _run("--workspace", lead, "package", "handout", "--to", "Ben", "--system", "AIS-404",
               "-o", str(tmp_path / "x.assaypkg"), expect=1, capsys=capsys)  # fmt: skip
    assert "no system 'AIS-404'" in err
    assert not (tmp_path / "x.assaypkg").exists()
    err = _run("--workspace", lead, "package", "handback", "-o", str(tmp_path / "y.assaypkg"),
               expect=1, capsys=capsys)  # fmt: skip
    assert "not opened from a hand-out package" in err


def test_package_messages_read_in_words_not_ids(packages, tmp_path, capsys):
    lead, back = str(packages["lead"]), str(packages["back"])
    out = _run("--workspace", lead, "package", "handout", "--to", "Cy", "-o",
               str(tmp_path / "cy.assaypkg"), capsys=capsys)  # fmt: skip
    first = out.splitlines()[0]
    assert "1 system," in first
    assert "1 assessment," in first
    assert "answers" in first
    assert "response" not in first
    assert "_" not in first
    out = _run("--workspace", lead, "package", "merge", back, "--dry-run", capsys=capsys)
    assert out.startswith("package ana-back.assaypkg by ")
    assert "'" not in out
    err = _run("--workspace", lead, "package", "merge", str(tmp_path / "cy.assaypkg"), expect=1,
               capsys=capsys)  # fmt: skip
    assert "is a hand-out package, not a hand-back: an assessor opens it" in err


def test_a_damaged_zip_is_named_without_the_zip_library_s_words(packages, tmp_path, capsys):
    data = bytearray(packages["back"].read_bytes())
    data[40] ^= 0xFF  # inside the first member's local header
    broken = tmp_path / "broken.assaypkg"
    broken.write_bytes(bytes(data))
    err = _run("--workspace", str(packages["lead"]), "package", "merge", str(broken), expect=1,
               capsys=capsys)  # fmt: skip
    assert "broken.assaypkg" in err
    assert "b'" not in err
    assert "header" not in err


def test_answers_of_an_assessment_started_by_the_assessor_are_left_out_and_said(
    packages, tmp_path, capsys
):
    lead = str(packages["lead"])
    handout, ws = tmp_path / "dee.assaypkg", str(tmp_path / "dee.assay")
    _run("--workspace", lead, "package", "handout", "--to", "Dee", "-o", str(handout),
         capsys=capsys)  # fmt: skip
    _run("--workspace", ws, "package", "open", str(handout), capsys=capsys)
    out = _run("--workspace", ws, "--json", "assess", "new", "--system", "AIS-001",
               "--framework", "nist-ai-rmf", capsys=capsys)  # fmt: skip
    started = str(json.loads(out)["id"])
    _run("--workspace", ws, "assess", "answer", "--assessment", started, "--question",
         packages["question"], "--level", "2", capsys=capsys)  # fmt: skip
    back = tmp_path / "dee-back.assaypkg"
    out = _run("--workspace", ws, "package", "handback", "-o", str(back), capsys=capsys)
    assert "handed back dee-back.assaypkg (nothing)" in out
    assert "left out: " in out
    assert "answers of assessments started in this workspace" in out
    out = _run("--workspace", lead, "package", "merge", str(back), "--dry-run", capsys=capsys)
    assert "new: 0\n" in out


def _repacked(source: Path, target: Path, change) -> Path:
    """Rewrite changes.json with ``change`` and list its new hash and size in the manifest."""
    with zipfile.ZipFile(source) as src:
        members = {name: src.read(name) for name in src.namelist() if name != "manifest.p7s"}
    changes = json.loads(members["parts/changes.json"])
    members["parts/changes.json"] = json.dumps(change(changes)).encode()
    manifest = json.loads(members["manifest.json"])
    data = members["parts/changes.json"]
    manifest["members"]["parts/changes.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as out:
        for name, content in members.items():
            out.writestr(name, content)
    return target


def test_a_hand_back_naming_an_assessment_the_lead_lacks_is_refused_in_words(
    packages, tmp_path, capsys
):
    def elsewhere(changes):
        for change in changes:
            change["gid"] = change["record"]["gid"] = "00000000-0000-4000-8000-00000000000a"
            change["base"] = None
            change["record"]["assessment_id"] = "00000000-0000-4000-8000-000000000000"
        return changes

    odd = _repacked(packages["back"], tmp_path / "odd.assaypkg", elsewhere)
    lead = packages["lead"]
    before = _journal_size(lead)
    err = _run("--workspace", str(lead), "package", "merge", str(odd), "--dry-run", expect=1,
               capsys=capsys)  # fmt: skip
    assert "refused: odd.assaypkg is incomplete: it refers to assessment" in err
    assert "nothing was merged" in err
    assert "internal error" not in err
    assert _journal_size(lead) == before


def test_a_package_into_a_missing_folder_names_the_folder(packages, tmp_path, capsys):
    target = tmp_path / "not-there" / "eve.assaypkg"
    err = _run("--workspace", str(packages["lead"]), "package", "handout", "--to", "Eve", "-o",
               str(target), expect=1, capsys=capsys)  # fmt: skip
    assert f"cannot write eve.assaypkg: the folder {target.parent} does not exist" in err
    assert not target.parent.exists()


def test_an_opinion_written_on_both_sides_is_a_conflict_showing_both_summaries(tmp_path, capsys):
    lead, ws = str(tmp_path / "lead.assay"), str(tmp_path / "gus.assay")
    aid, _ = _lead(Path(lead), "Harbour Freight")
    handout, back = str(tmp_path / "gus.assaypkg"), str(tmp_path / "gus-back.assaypkg")
    _run("--workspace", lead, "package", "handout", "--to", "Gus", "-o", handout, capsys=capsys)
    _run("--workspace", ws, "package", "open", handout, capsys=capsys)
    for where, words in ((ws, "Controls hold in daily use"), (lead, "Gaps in access reviews")):
        _run("--workspace", where, "assess", "opinion", "--assessment", aid, "--summary", words,
             capsys=capsys)  # fmt: skip
    _run("--workspace", ws, "package", "handback", "-o", back, capsys=capsys)
    out = _run("--workspace", lead, "package", "merge", back, "--dry-run", capsys=capsys)
    assert "conflicts: 1\n" in out
    assert "summary “Gaps in access reviews”" in out
    assert "summary “Controls hold in daily use”" in out
    assert "1 conflict to decide before merging" in out
    _run("--workspace", lead, "package", "merge", back, "--take", "theirs", capsys=capsys)
    out = _run("--workspace", lead, "assess", "opinion", "--assessment", aid, capsys=capsys)
    assert "Controls hold in daily use" in out
    assert "Gaps in access reviews" not in out
    assert "all checks passed" in _run("--workspace", lead, "check", capsys=capsys)


def test_a_hand_out_without_an_assessment_says_there_is_nothing_to_answer(tmp_path, capsys):
    lead = tmp_path / "lead.assay"
    _lead(lead, "Harbour Freight")
    ws = open_workspace(lead, actor="Lea")
    with ws.db.write() as session:
        session.add(AISystem(external_id="AIS-002", name="Chatbot"))
    ws.close()
    out = _run("--workspace", str(lead), "package", "handout", "--to", "Hal", "--system",
               "AIS-002", "-o", str(tmp_path / "hal.assaypkg"), capsys=capsys)  # fmt: skip
    assert "no assessment travels in it" in out
    assert "assay assess new --system ID" in out
    out = _run("--workspace", str(lead), "package", "handout", "--to", "Hal", "-o",
               str(tmp_path / "all.assaypkg"), capsys=capsys)  # fmt: skip
    assert "no assessment travels" not in out
