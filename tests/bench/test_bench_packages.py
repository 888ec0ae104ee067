"""Merging a hand-back of 5,000 answers and 200 evidence files (aim: <= 10 s).

The lead hands the whole engagement (a dozen systems, each assessed against three frameworks)
to one assessor, who answers every question and attaches 200 files; the figures are the time
to write the hand-back, to list what merging it would do (dry run), and to merge it in one
transaction with its journal entries and the refreshed findings.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services.engagement import update_engagement
from app.services.evidence import answer_with_evidence
from app.services.packages.handback import export_handback
from app.services.packages.handout import export_handout, open_handout
from app.services.packages.merge import merge_package
from app.services.workspace import open_workspace
from app.storage.models import AISystem, Response

ANSWERS = 5_000
FILES = 200
FRAMEWORKS = ["nist-ir-8596", "nist-ai-rmf", "owasp-asi"]


def _lead(path):
    ws = open_workspace(path, actor="Lea")
    update_engagement(ws, client="Bench Client")
    catalog = load_default_catalog()
    ids, total, n = [], 0, 0
    while total < ANSWERS:
        n += 1
        with ws.db.write() as session:
            session.add(AISystem(external_id=f"AIS-{n:03}", name=f"Agent {n}",
                                 autonomy="autonomous", tools=["shell"]))  # fmt: skip
        info = svc.new_assessment(ws, f"AIS-{n:03}", FRAMEWORKS, catalog=catalog)
        ids.append(info.id)
        total += info.questions
    return ws, ids, total


def _work(ws, ids, folder):
    with ws.db.write() as session:  # every answer at once (the set-up, not the figure)
        session.execute(
            sa.update(Response.__table__).values(level=3, notes="seen", answered_by="Ana")
        )
    responses = [(aid, r.question_id) for aid in ids for r in svc.list_responses(ws, aid)]
    for n, (aid, question) in enumerate(responses[:FILES]):
        path = folder / f"evidence-{n:03}.bin"
        path.write_bytes(os.urandom(16_384))
        answer_with_evidence(ws, aid, question, svc.answer_changes(4, note="file"), [path])


def test_bench_merge_of_a_large_hand_back(tmp_path, aims):
    lead, ids, total = _lead(tmp_path / "lead.assay")
    handout = tmp_path / "all.assaypkg"
    export_handout(lead, "Ana", handout)
    ana = open_workspace(tmp_path / "ana.assay", actor="Ana")
    open_handout(ana, handout)
    _work(ana, ids, tmp_path)

    back = tmp_path / "back.assaypkg"
    start = time.perf_counter()
    export_handback(ana, back)
    written = time.perf_counter() - start
    ana.close()

    start = time.perf_counter()
    plan = merge_package(lead, back, dry_run=True)
    listed = time.perf_counter() - start
    start = time.perf_counter()
    result = merge_package(lead, back)
    merged = time.perf_counter() - start
    lead.close()

    counts = result.counts()
    print(f"\n  {total:,} answers in {len(ids)} assessments, {FILES} evidence files, "
          f"package {back.stat().st_size / 1e6:.1f} MB; merged {counts}")  # fmt: skip
    assert plan.counts() == counts
    assert counts["theirs"] == total
    assert counts["new"] == FILES
    aims.check("hand-back written", written, 10)
    aims.check("merge listed (dry run)", listed, 10)
    aims.check("merge of 5,000 answers and 200 files", merged, 10)
