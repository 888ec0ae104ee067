"""What the demo assessor writes as the opinion on the claims agent's first assessment.

The texts are the assessor's own: a rating on the stated scale with its reason, a summary a
client's executive reads first, the key themes and the limits of the work. They describe the
fictitious insurer's demo data (its identities, findings and action plan).
"""

from __future__ import annotations

import logging

from app.domain.review import OpinionRating
from app.services.opinion import write_opinion
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

RATIONALE = (
    "The agent runs in production on restricted claims data, yet the identities it acts "
    "through can reach the whole cloud subscription that hosts it, and its secrets are rotated "
    "by hand. Until that access is cut back, one leaked credential or one manipulated prompt "
    "could hand an attacker the claims platform."
)

SUMMARY = """\
The claims triage agent works on some of the most sensitive data Northwind holds, and the \
team that runs it knows its risks: answers were frank, evidence arrived promptly, and several \
improvements were already under way during our fieldwork.

The controls around the agent have not kept pace with its reach. Through a chain of two \
managed identities it holds owner rights over the subscription it runs in, which is why its \
identity blast radius scores 97 out of 100. The secret of its main service account was last \
rotated almost a year ago, and three of its five identities have no named owner. Beyond \
identity, nobody yet watches what the agent does with its tools, and the incident plans do \
not cover an AI system that misbehaves.

We recommend that Northwind treat the two critical findings as one piece of work for the \
coming quarter: remove the standing owner rights, move the agent's secrets into the vault with \
automatic rotation, and name an owner for every identity. The action plan sets out these and \
the remaining steps, with the owners and dates agreed with Northwind's managers."""

THEMES = """\
Standing, broad access: through delegated managed identities the agent can act as an owner \
of its whole cloud subscription.
Secrets and keys are long-lived and rotated by hand; one API key never expires.
Identities without owners or revocation procedures: nobody is accountable for switching one off.
The agent's own actions are not monitored: its tool calls do not reach the security operations \
centre.
Governance has started: an AI risk policy goes to the risk committee and awareness training \
is scheduled."""

LIMITATIONS = """\
Controls were assessed from interviews, documents and the identity exports Northwind supplied; \
we did not test them technically.
The identity data is as exported at the start of fieldwork; later changes are not reflected."""


def write_demo_opinion(workspace: Workspace, assessment_id: int) -> None:
    """Record the assessor's opinion, summary, themes and limitations on one assessment."""
    write_opinion(
        workspace,
        assessment_id,
        rating=OpinionRating.UNSATISFACTORY.value,
        rationale=RATIONALE,
        executive_summary=SUMMARY,
        key_themes=THEMES,
        scope_limitations=LIMITATIONS,
    )
    logger.info("demo opinion written for assessment %s", assessment_id)
