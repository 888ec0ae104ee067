"""The demo's assessor's voice: client self-assessed answers, verifications, evidence requests.

The release agent's owners filled in part of its questionnaire themselves; the assessor has
verified some of those answers by interview or document review, and asked the client for the
evidence still missing (one request already overdue). Every draft assessment gets the drafted
opinion, summary, themes and scope limitations.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from app.services import assessments, evidence_requests, opinion_draft, provenance
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

#: One answer in this many of the release agent's own answers came from the client.
CLIENT_SHARE = 4
VERIFIED_SHARE = 3
_REQUESTS = (
    ("Maria Okafor", "Quarterly access review records for the agent's service accounts", -4),
    ("Ken Ito", "Model card and the last red-team evaluation report", 10),
    ("Maria Okafor", "Key rotation log for the deployment pipeline's credentials", 18),
)


def add_demo_voice(
    workspace: Workspace, client_assessment: int, drafts: Sequence[int], today: dt.date
) -> None:
    """Record client answers, verifications and requests; draft the voice of every draft."""
    own = [
        r.question_id
        for r in assessments.list_responses(workspace, client_assessment)
        if not r.inherited and r.answered
    ]
    from_client = own[::CLIENT_SHARE]
    provenance.set_source(workspace, client_assessment, from_client, "client")
    for number, question_id in enumerate(from_client[::VERIFIED_SHARE]):
        method, who = (
            ("interview", "Maria Okafor (Head of IAM)") if number % 2 else ("document-review", "")
        )
        provenance.record_verification(
            workspace, client_assessment, question_id, method, with_whom=who,
            on=today - dt.timedelta(days=5 + number % 7),
        )  # fmt: skip
    unverified = [q for q in from_client if q not in from_client[::VERIFIED_SHARE]]
    for (contact, what, due_in), question_id in zip(_REQUESTS, unverified, strict=False):
        evidence_requests.add_request(
            workspace, client_assessment, contact=contact, description=what,
            due_date=today + dt.timedelta(days=due_in), question_id=question_id,
        )  # fmt: skip
    for assessment_id in drafts:
        opinion_draft.offer_draft(workspace, assessment_id)
    logger.info("demo voice: %d client answers, drafts for %d", len(from_client), len(drafts))
