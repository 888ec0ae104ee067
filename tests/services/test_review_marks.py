"""Marking a response reviewed records who and when; unmarking clears both."""

from __future__ import annotations

from app.services import assessments as svc
from app.storage.models import AISystem


def test_reviewed_records_the_reviewer_and_time(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-7", name="Agent", autonomy="advisory"))
    aid = svc.new_assessment(workspace, "AIS-7", ["nist-ai-rmf"], target=3).id
    qid = "airmf.GOVERN-1.1"
    svc.answer(workspace, aid, qid, 3)
    workspace.actor = "Quality Reviewer"
    marked = svc.update_response(workspace, aid, qid, reviewed=True)
    assert (marked.reviewed, marked.reviewed_by) == (True, "Quality Reviewer")
    assert marked.reviewed_at is not None
    listed = {r.question_id: r for r in svc.list_responses(workspace, aid)}[qid]
    assert listed.reviewed_by == "Quality Reviewer"
    assert listed.answered_by == "tester"
    cleared = svc.update_response(workspace, aid, qid, reviewed=False)
    assert (cleared.reviewed_by, cleared.reviewed_at) == ("", None)
