"""The immutable catalog of every loaded framework and the crosswalk between them.

Build it once (:func:`load_default_catalog`) and pass it to whoever needs it; nothing here is
cached globally. Question ids are unique across all frameworks of a catalog, so a question id
alone finds its framework.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.catalog.errors import CatalogError, Problem, UnknownIdError
from app.catalog.loader import load_crosswalk, load_framework, load_framework_text
from app.catalog.mapping import newest_versions
from app.catalog.schema import Crosswalk, Framework, Link, LinkType, Node, Question
from app.support.paths import assessments_dir
from app.support.text import plural

logger = logging.getLogger(__name__)

CROSSWALK_FILE = "crosswalk.yaml"


@dataclass(frozen=True)
class RelatedQuestion:
    """A question linked to another one through the crosswalk.

    Attributes:
        question_id: The linked question.
        framework_id: Its framework.
        type: How the two relate.
        link: The crosswalk link that connects them (possibly through a node).
    """

    question_id: str
    framework_id: str
    type: LinkType
    link: Link


class Catalog:
    """Every loaded framework, looked up by framework id or question id, plus crosswalk links.

    Args:
        frameworks: The frameworks; ids must be unique, and question ids unique across all.
        crosswalk: The links between them, if any.

    Raises:
        CatalogError: Two frameworks share an id, or two questions share an id.
    """

    def __init__(self, frameworks: Iterable[Framework], crosswalk: Crosswalk | None = None) -> None:
        self._frameworks: dict[str, Framework] = {}
        self._owner: dict[str, Framework] = {}
        problems: list[Problem] = []
        for framework in frameworks:
            if framework.id in self._frameworks:
                other = self._frameworks[framework.id].source_name
                problems.append(
                    Problem(framework.source_name, f"framework id {framework.id!r} also in {other}")
                )
                continue
            self._frameworks[framework.id] = framework
            for question in framework.questions:
                if question.id in self._owner:
                    other = self._owner[question.id].source_name
                    message = f"question id {question.id!r} also in {other}"
                    problems.append(Problem(framework.source_name, message))
                else:
                    self._owner[question.id] = framework
        if problems:
            raise CatalogError("catalog", problems)
        self._crosswalk = crosswalk or Crosswalk(schema_version=1)
        self._links: dict[str, list[Link]] = {}
        self._unresolved: list[Problem] = []
        self._index_links()

    def _index_links(self) -> None:
        for index, link in enumerate(self._crosswalk.links):
            bad = [end for end in (link.source, link.target) if not self._resolves(end)]
            if bad:
                message = f"{', '.join(bad)} not found"
                self._unresolved.append(Problem(f"links[{index}]", message))
                continue
            self._links.setdefault(link.source, []).append(link)
            self._links.setdefault(link.target, []).append(link)
        if self._unresolved:
            logger.warning(
                "%s not resolved; ignored", plural(len(self._unresolved), "crosswalk link")
            )

    def _resolves(self, end: str) -> bool:
        if ":" in end:
            framework_id, node_id = end.split(":", 1)
            framework = self._frameworks.get(framework_id)
            return framework is not None and framework.has_node(node_id)
        return end in self._owner

    def frameworks(self) -> tuple[Framework, ...]:
        """Return every framework, in the order they were given."""
        return tuple(self._frameworks.values())

    def has_framework(self, framework_id: str) -> bool:
        """Return True when the catalog holds this framework id."""
        return framework_id in self._frameworks

    def framework(self, framework_id: str) -> Framework:
        """Return the framework with this id.

        Raises:
            UnknownIdError: No such framework; the message lists the known ones.
        """
        try:
            return self._frameworks[framework_id]
        except KeyError:
            known = ", ".join(self._frameworks) or "none"
            raise UnknownIdError(f"no framework {framework_id!r} (known: {known})") from None

    def question(self, question_id: str) -> Question:
        """Return the question with this id, from whichever framework holds it.

        Raises:
            UnknownIdError: No framework has this question.
        """
        return self.framework_of(question_id).question(question_id)

    def framework_of(self, question_id: str) -> Framework:
        """Return the framework a question belongs to.

        Raises:
            UnknownIdError: No framework has this question.
        """
        try:
            return self._owner[question_id]
        except KeyError:
            raise UnknownIdError(f"no question {question_id!r}") from None

    def node_path(self, question_id: str) -> tuple[Node, ...]:
        """Return the nodes from the framework's root down to the question's leaf node."""
        return self.framework_of(question_id).question_path(question_id)

    @property
    def crosswalk(self) -> Crosswalk:
        """Return the crosswalk as loaded."""
        return self._crosswalk

    @property
    def unresolved_links(self) -> tuple[Problem, ...]:
        """Return the crosswalk links that name a missing question or node (and are ignored)."""
        return tuple(self._unresolved)

    def _ends_for(self, question_id: str) -> list[str]:
        framework = self.framework_of(question_id)
        nodes = framework.question_path(question_id)
        return [question_id, *(f"{framework.id}:{node.id}" for node in nodes)]

    def links_for(self, question_id: str) -> tuple[Link, ...]:
        """Return the links that touch a question directly or through one of its nodes."""
        found: list[Link] = []
        for end in self._ends_for(question_id):
            for link in self._links.get(end, ()):
                if link not in found:
                    found.append(link)
        return tuple(found)

    def links_for_node(self, framework_id: str, node_id: str) -> tuple[Link, ...]:
        """Return the links that name a node itself (``<framework-id>:<node-id>``)."""
        self.framework(framework_id).node(node_id)
        return tuple(self._links.get(f"{framework_id}:{node_id}", ()))

    def related_questions(self, question_id: str) -> tuple[RelatedQuestion, ...]:
        """Return the questions of other frameworks linked to this one, nodes expanded.

        A link to a node relates every question below that node. Questions of the question's
        own framework are left out.
        """
        own = set(self._ends_for(question_id))
        home = self.framework_of(question_id).id
        related: dict[str, RelatedQuestion] = {}
        for link in self.links_for(question_id):
            other = link.target if link.source in own else link.source
            for qid in self._expand(other):
                framework_id = self._owner[qid].id
                if framework_id != home and qid not in related:
                    related[qid] = RelatedQuestion(qid, framework_id, link.type, link)
        return tuple(related.values())

    def _expand(self, end: str) -> tuple[str, ...]:
        if ":" not in end:
            return (end,)
        framework_id, node_id = end.split(":", 1)
        return tuple(q.id for q in self.framework(framework_id).questions_under(node_id))


def shipped_framework_paths(root: Path | None = None) -> list[Path]:
    """Return the shipped framework files, ``<root>/<framework-id>/<version>.yaml``, sorted."""
    base = root or assessments_dir()
    return sorted(path for path in base.glob("*/*.yaml") if path.is_file())


def shipped_versions(framework_id: str, root: Path | None = None) -> list[Framework]:
    """Return every shipped version of one framework, oldest first.

    Raises:
        CatalogError: A file of that framework has problems.
    """
    folder = (root or assessments_dir()) / framework_id
    found = [
        load_framework(path, shipped=True)
        for path in sorted(folder.glob("*.yaml"))
        if path.is_file()
    ]
    newest, older = newest_versions(f for f in found if f.id == framework_id)
    return [*older, *newest]


def load_default_catalog(
    extra: Sequence[tuple[str, str]] = (), *, root: Path | None = None
) -> Catalog:
    """Load every shipped framework, the crosswalk, and the user's own frameworks.

    When several versions of one framework ship, the newest is the catalog's; the older ones
    stay readable through :func:`shipped_versions` (to upgrade an assessment).

    Args:
        extra: Custom frameworks as ``(source_name, yaml_text)`` pairs.
        root: The folder to load from; the shipped ``assessments/`` by default.

    Raises:
        CatalogError: A file has problems, or two frameworks or questions share an id.
    """
    base = root or assessments_dir()
    shipped = (load_framework(path, shipped=True) for path in shipped_framework_paths(base))
    frameworks, _ = newest_versions(shipped)
    frameworks += [load_framework_text(text, name, custom=True) for name, text in extra]
    crosswalk_path = base / CROSSWALK_FILE
    crosswalk = load_crosswalk(crosswalk_path, shipped=True) if crosswalk_path.is_file() else None
    logger.debug("catalog: %s from %s", plural(len(frameworks), "framework"), base)
    return Catalog(frameworks, crosswalk)
