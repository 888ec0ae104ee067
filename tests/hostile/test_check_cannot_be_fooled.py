"""``assay check`` after someone edited the workspace with a SQLite shell."""

from __future__ import annotations

import json

from app.cli import main
from app.services import assessments as svc
from app.services.settings import set_workspace_setting
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from app.support import paths
from tests.hostile.conftest import QUESTIONS, build_sealed, sql


def _check(path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["--workspace", str(path), "check", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_a_sealed_workspace_passes_and_prints_its_head(sealed, capsys):
    code, report = _check(sealed, capsys)
    assert code == 0, report
    seq, _, digest = report["journal"]["head"].partition(":")
    assert int(seq) == report["journal"]["entries"] > 5
    assert len(digest) == 64
    assert report["anchor"]["recorded_here"] == report["journal"]["head"]
    assert report["cannot_detect"]


def test_a_truncated_tail_is_detected(sealed, capsys):
    sql(sealed, "DELETE FROM journal_entry WHERE seq > (SELECT max(seq) - 3 FROM journal_entry)")
    code, report = _check(sealed, capsys)
    assert code == 1
    assert report["journal"]["ok"] is True  # the shorter chain is still a valid chain ...
    assert "newest entries were removed" in report["problems"]["anchor"][0]  # ... but short


def test_an_emptied_journal_is_detected_and_stays_detected(sealed, capsys):
    sql(sealed, "DELETE FROM journal_entry")
    assert main(["--workspace", str(sealed), "systems", "list"]) == 0
    capsys.readouterr()
    code, report = _check(sealed, capsys)  # opening and closing did not move the anchor
    assert code == 1
    assert report["journal"]["entries"] == 0
    assert report["problems"]["anchor"]


def test_a_head_recorded_elsewhere_is_compared(sealed, capsys, tmp_path):
    ws = open_workspace(sealed)
    set_workspace_setting(ws, "branding.organisation", "Renamed after the report")
    ws.close()
    _, report = _check(sealed, capsys)
    head = report["journal"]["head"]
    from app.services.anchor import ANCHORS_FILE

    (paths.user_state_dir() / ANCHORS_FILE).unlink()  # as on another computer
    sql(sealed, "DELETE FROM journal_entry WHERE seq = (SELECT max(seq) FROM journal_entry)")
    code, report = _check(sealed, capsys)
    assert code == 0, report  # nothing recorded here: the file alone cannot show it ...
    assert any("no journal head recorded" in note for note in report["notes"])
    code, report = _check(sealed, capsys, "--expect-head", head)  # ... the firm's record can
    assert code == 1
    assert any("expected head" in p for p in report["problems"]["anchor"])


def test_answers_of_a_final_assessment_edited_in_sql_are_detected(sealed, capsys):
    sql(sealed, "UPDATE response SET level = 5")
    code, report = _check(sealed, capsys)
    assert code == 1
    assert "changed after it was sealed" in report["problems"]["seals"][0]
    assert any("level" in p for p in report["problems"]["rows"])


def test_an_unanswered_question_set_in_sql_breaks_the_seal(sealed, capsys):
    sql(sealed, "UPDATE response SET notes = 'added later' WHERE question_id = 'nhi.NHI3.q1'")
    code, report = _check(sealed, capsys)
    assert code == 1
    assert report["problems"]["seals"]
    assert "rows" not in report["problems"]  # no journal entry ever wrote that answer


def test_a_renamed_evidence_file_is_detected(sealed, capsys):
    sql(sealed, "UPDATE evidence SET file_name = 'other.txt' WHERE id = 1")
    code, report = _check(sealed, capsys)
    assert code == 1
    assert "evidence 1: file_name" in report["problems"]["rows"][0]


def test_an_orphaned_evidence_row_is_detected(sealed, capsys):
    sql(
        sealed,
        "PRAGMA foreign_keys = OFF",
        "DELETE FROM evidence_blob WHERE sha256 = (SELECT sha256 FROM evidence WHERE id = 2)",
    )
    code, report = _check(sealed, capsys)
    assert code == 1
    assert (
        "1 row of evidence points to a missing evidence_blob"
        in report["problems"]["foreign_keys"][0]
    )


def test_a_deleted_evidence_row_is_detected(sealed, capsys):
    sql(sealed, "PRAGMA foreign_keys = OFF", "DELETE FROM evidence WHERE id = 2")
    code, report = _check(sealed, capsys)
    assert code == 1
    assert "evidence 2 is missing" in report["problems"]["rows"][0]


def test_a_draft_set_final_in_sql_is_detected(tmp_path, catalog, capsys):
    path = tmp_path / "w.assay"
    build_sealed(path, catalog, tmp_path)
    ws = open_workspace(path)
    aid = svc.reassess(ws, 1).id
    svc.answer(ws, aid, QUESTIONS[0], 4)
    ws.close()
    assert _check(path, capsys)[0] == 0
    sql(path, f"UPDATE assessment SET status = 'final' WHERE id = {aid}")
    code, report = _check(path, capsys)
    assert code == 1
    assert any("never finalised" in p for p in report["problems"]["seals"])
    assert any("status" in p for p in report["problems"]["rows"])


def test_text_output_names_each_problem(sealed, capsys):
    sql(sealed, "UPDATE response SET level = 0")
    assert main(["--workspace", str(sealed), "check"]) == 1
    out = capsys.readouterr().out
    assert "seal" in out
    assert "PROBLEMS FOUND" in out


def test_a_removed_workspace_id_does_not_hide_a_truncation(sealed, capsys):
    sql(
        sealed,
        "DELETE FROM workspace_setting WHERE key = 'workspace-id'",
        "DELETE FROM journal_entry WHERE seq > (SELECT max(seq) - 3 FROM journal_entry)",
    )
    for _ in range(2):  # the first check gives the file a new id and records its short head
        code, report = _check(sealed, capsys)
        assert code == 1, report
        assert "earlier workspace id" in report["problems"]["anchor"][0]
        assert "newest entries were removed" in report["problems"]["anchor"][0]


def test_a_changed_workspace_id_does_not_hide_an_emptied_journal(sealed, capsys):
    sql(
        sealed,
        "UPDATE workspace_setting SET value = '\"0123abcd\"' WHERE key = 'workspace-id'",
        "DELETE FROM journal_entry",
    )
    code, report = _check(sealed, capsys)
    assert code == 1
    assert any("earlier workspace id" in p for p in report["problems"]["anchor"])


def test_a_removed_id_with_a_whole_journal_is_no_problem(sealed, capsys):
    sql(sealed, "DELETE FROM workspace_setting WHERE key = 'workspace-id'")
    for _ in range(2):
        code, report = _check(sealed, capsys)
        assert code == 0, report


def test_a_new_workspace_where_an_old_one_was_is_not_called_truncated(sealed, capsys):
    old = sealed.with_name("old.assay")
    sealed.rename(old)
    open_workspace(sealed).close()
    code, report = _check(sealed, capsys)
    assert code == 0, report
    sql(old, "DELETE FROM journal_entry WHERE seq = (SELECT max(seq) FROM journal_entry)")
    old.replace(sealed)  # the old workspace, cut, put back: still compared by its id
    code, report = _check(sealed, capsys)
    assert code == 1
    assert "newest entries were removed" in report["problems"]["anchor"][0]


def test_an_expected_head_must_be_hexadecimal(sealed, capsys):
    code = main(["--workspace", str(sealed), "check", "--expect-head", "3:" + "g" * 64])
    assert code == 1
    assert "64 hex digits" in capsys.readouterr().err


def test_an_answer_of_a_draft_deleted_in_sql_is_detected(tmp_path, catalog, capsys):
    path = tmp_path / "draft.assay"
    ws = open_workspace(path)
    with ws.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent"))
    aid = svc.new_assessment(ws, "AIS-001", ["owasp-nhi"], catalog=catalog).id
    svc.answer(ws, aid, QUESTIONS[0], 4)
    ws.close()
    sql(path, f"DELETE FROM response WHERE question_id = '{QUESTIONS[0]}'")
    code, report = _check(path, capsys)
    assert code == 1
    assert report["problems"]["rows"] == [
        f"answer {aid}:{QUESTIONS[0]} is missing although the journal never deleted it"
    ]


def test_records_inserted_in_sql_without_a_journal_entry_are_detected(sealed, capsys):
    for table in ("evidence", "assessment"):
        sql(
            sealed,
            f"CREATE TEMP TABLE copy AS SELECT * FROM {table} WHERE id = 1",
            "UPDATE copy SET id = 99, gid = 'copied-row'",  # a global id is unique too
            f"INSERT INTO {table} SELECT * FROM copy",
        )
    code, report = _check(sealed, capsys)
    assert code == 1
    assert report["problems"]["rows"] == [
        "evidence 99 has no journal entry (added outside Assay)",
        "assessment 99 has no journal entry (added outside Assay)",
    ]


def test_a_damaged_record_of_heads_is_reported_and_never_overwritten(sealed, capsys):
    from app.services.anchor import ANCHORS_FILE

    record = paths.user_state_dir() / ANCHORS_FILE
    record.write_text("{damaged")
    sql(sealed, "DELETE FROM journal_entry WHERE seq = (SELECT max(seq) FROM journal_entry)")
    for _ in range(2):
        code, report = _check(sealed, capsys)
        assert code == 1
        assert "cannot be read" in report["problems"]["anchor"][0]
    assert record.read_text() == "{damaged"


def test_a_trigger_planted_in_the_file_is_reported(sealed, capsys):
    sql(
        sealed,
        "CREATE TRIGGER quiet AFTER UPDATE ON response BEGIN "
        "UPDATE response SET level = 2 WHERE id = NEW.id; END",
    )
    code, report = _check(sealed, capsys)
    assert code == 1
    assert report["problems"]["schema"] == [
        "trigger 'quiet' on response was added outside Assay (it is not one of Assay's own)"
    ]


def test_one_of_assays_own_triggers_rewritten_is_reported(sealed, capsys):
    sql(
        sealed,
        "DROP TRIGGER change_count_finding_delete",
        "CREATE TRIGGER change_count_finding_delete AFTER DELETE ON finding BEGIN "
        "UPDATE change_count SET changes = changes + 1 WHERE id = 1; "
        "DELETE FROM response WHERE id = 1; END",
    )
    code, report = _check(sealed, capsys)
    assert code == 1
    assert report["problems"]["schema"] == [
        "trigger 'change_count_finding_delete' on finding was changed outside Assay "
        "(it is not as Assay made it)"
    ]


def test_a_copy_under_another_name_cut_short_is_detected(sealed, capsys):
    copy = sealed.with_name("renamed copy.assay")
    copy.write_bytes(sealed.read_bytes())
    sql(copy, "DELETE FROM journal_entry WHERE seq > (SELECT max(seq) - 2 FROM journal_entry)")
    code, report = _check(copy, capsys)
    assert code == 1
    assert "newest entries were removed" in report["problems"]["anchor"][0]
