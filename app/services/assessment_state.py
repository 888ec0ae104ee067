"""The state of one open assessment as plain values: its questions, answers, evidence, scores.

A use case of its own (the window's Assessments page is one client): :func:`load_state` reads
it, :func:`score_state` scores it and :func:`attach_files` stores evidence for an answer; the
caller keeps the returned :class:`AssessmentState` current as answers change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.catalog.schema import Framework, Question
from app.services.assessments import (
    AssessmentInfo,
    AssessmentQuestions,
    ResponseInfo,
    get_response,
    list_responses,
    load_questions,
)
from app.services.evidence import EvidenceInfo, add_evidence_files, list_evidence
from app.services.progress import Progress, check_cancelled
from app.services.scoring import AssessmentScore, NodeInfo, node_path, score_loaded
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

PRIORITY_NAMES = {1: "High", 2: "Moderate", 3: "Foundational"}

#: Navigator filters: key → label.
FILTERS = {
    "all": "All questions",
    "unanswered": "Unanswered",
    "flagged": "Flagged",
    "below": "Below target",
    "own": "Own answers",
    "inherited": "Inherited",
}


@dataclass(frozen=True)
class QuestionEntry:
    """One question of the assessment with its framework and scoring path."""

    framework: Framework
    question: Question
    path: tuple[NodeInfo, ...]

    @property
    def id(self) -> str:
        """Return the question's id."""
        return self.question.id


@dataclass
class AssessmentState:
    """The open assessment: questions in order, current answers, evidence and scores."""

    loaded: AssessmentQuestions
    entries: list[QuestionEntry]
    responses: dict[str, ResponseInfo]
    evidence: dict[int, EvidenceInfo] = field(default_factory=dict)
    score: AssessmentScore | None = None
    _index: dict[str, QuestionEntry] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {entry.id: entry for entry in self.entries}

    @property
    def info(self) -> AssessmentInfo:
        """Return the assessment's summary."""
        return self.loaded.info

    @property
    def read_only(self) -> bool:
        """Return True when the assessment is final."""
        return self.info.final

    def entry(self, question_id: str) -> QuestionEntry:
        """Return the question with its framework and path."""
        return self._index[question_id]

    def target_of(self, question_id: str) -> int:
        """Return the question's target: its own override, else the assessment's."""
        override = self.responses[question_id].target_override
        return self.info.target_level if override is None else override

    def below_target(self, question_id: str) -> bool:
        """Return True when the question is answered below its target."""
        response = self.responses[question_id]
        return response.level is not None and response.level < self.target_of(question_id)

    def matches(self, question_id: str, filter_key: str) -> bool:
        """Return True when the question passes the navigator filter ``filter_key``."""
        response = self.responses[question_id]
        if filter_key == "unanswered":
            return not response.answered
        if filter_key == "flagged":
            return response.flagged
        if filter_key == "below":
            return self.below_target(question_id)
        if filter_key in ("own", "inherited"):
            return response.inherited == (filter_key == "inherited")
        return True

    def counts(self) -> dict[str, int]:
        """Return how many questions are answered, N/A, flagged and below target."""
        values = list(self.responses.values())
        return {
            "questions": len(values),
            "answered": sum(r.answered for r in values),
            "not_applicable": sum(r.not_applicable for r in values),
            "flagged": sum(r.flagged for r in values),
            "below": sum(self.below_target(r.question_id) for r in values),
        }


def short_title(framework: Framework) -> str:
    """Return a short name for a framework, such as ``Cyber AI Profile`` or ``AI RMF 1.0``."""
    title = framework.title
    if "(" in title and ")" in title:
        inner = title[title.index("(") + 1 : title.index(")")]
        if any(ch.isalpha() for ch in inner):
            return inner
    return title.split(":")[0].strip()


def question_text(question: Question) -> str:
    """Return the words a search over a question looks at."""
    return " ".join((question.id, question.ref, question.title, question.prompt)).casefold()


def load_state(
    workspace: Workspace, assessment_id: int, progress: Progress | None = None
) -> AssessmentState:
    """Read an assessment with its answers, evidence and scores (runs on a worker)."""
    loaded = load_questions(workspace, assessment_id)
    check_cancelled(progress)
    entries = [QuestionEntry(fw, q, node_path(fw, q)) for fw, q in loaded.entries()]
    responses = {r.question_id: r for r in list_responses(workspace, assessment_id)}
    entries = [e for e in entries if e.id in responses]
    evidence = {e.id: e for e in list_evidence(workspace, assessment_id)}
    score = score_loaded(loaded, list(responses.values()))
    return AssessmentState(loaded, entries, responses, evidence, score)


def score_state(loaded: AssessmentQuestions, responses: Sequence[ResponseInfo]) -> AssessmentScore:
    """Score the whole assessment from answers already in memory (runs on a worker)."""
    return score_loaded(loaded, responses)


@dataclass(frozen=True)
class Attached:
    """What :func:`attach_files` stored: the evidence records and the response after it."""

    question_id: str
    evidence: tuple[EvidenceInfo, ...]
    response: ResponseInfo


def attach_files(
    workspace: Workspace,
    assessment_id: int,
    question_id: str,
    paths: Sequence[Path],
    progress: Progress | None = None,
) -> Attached:
    """Store files as evidence linked to one answer, all or nothing (runs on the write worker).

    Raises:
        UserError: A file cannot be read or is too large, or the answer cannot take evidence;
            nothing is stored then.
    """
    target = (assessment_id, question_id)
    stored = add_evidence_files(workspace, list(paths), response=target, progress=progress)
    response = get_response(workspace, assessment_id, question_id)
    logger.info("attached %s to %s:%s", plural(len(stored), "file"), assessment_id, question_id)
    return Attached(question_id, tuple(stored), response)
