"""Framework content as OSCAL: the Cyber AI Profile as a profile, other frameworks as catalogs.

NIST IR 8596 is a profile of CSF 2.0, whose official OSCAL catalog NIST publishes; the profile
selects its 106 subcategories by NIST's control ids and adds the draft's Secure / Defend /
Thwart priorities as props. The AI RMF and the OWASP lists have no official OSCAL catalog, so
Assay writes one in its own namespace: function and category nodes become groups, a risk node
becomes one control, and every other distinct reference (a subcategory) becomes a control;
each question is an ``assessment-objective`` part of its control, with its question id as the
part id (assessment plans and results point at it).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from app.catalog.schema import Framework, Node, NodeKind, Question
from app.services.oscal.common import (
    JSON,
    compact,
    file_part,
    metadata,
    prop,
    publication_resource,
    stable_uuid,
    timestamp,
    token,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfficialCatalog:
    """An official OSCAL catalog a framework of Assay is a profile of."""

    title: str
    url: str
    doi: str


CSF_2_CATALOG = OfficialCatalog(
    title="NIST Cybersecurity Framework 2.0 (OSCAL catalog published by NIST)",
    url=(
        "https://raw.githubusercontent.com/usnistgov/oscal-content/main/"
        "nist.gov/CSF/v2.0/json/NIST_CSF_v2.0_catalog.json"
    ),
    doi="10.6028/NIST.CSWP.29",
)
#: Frameworks written as a profile over an official catalog, by framework id.
PROFILE_OF: dict[str, OfficialCatalog] = {"nist-ir-8596": CSF_2_CATALOG}
PRIORITY_NAMES = {1: "High", 2: "Moderate", 3: "Foundational"}


def control_id(framework: Framework, question: Question) -> str:
    """Return the OSCAL control id a question belongs to (NIST's id for the CSF profile)."""
    node = framework.node(question.node)
    if node.kind == NodeKind.RISK and framework.id not in PROFILE_OF:
        return token(node.id)
    return token(question.ref)


def objective_id(question: Question) -> str:
    """Return the id of a question's assessment-objective part."""
    return token(question.id)


def content_file_name(framework: Framework) -> str:
    """Return the file name of a framework's OSCAL document."""
    kind = "profile" if framework.id in PROFILE_OF else "catalog"
    return f"{framework.id}-{file_part(framework.version)}-{kind}.json"


def content_uuid(framework: Framework) -> str:
    """Return the stable UUID of a framework's OSCAL document."""
    return stable_uuid("content", framework.id, framework.version, framework.sha256)


def _content_metadata(
    framework: Framework, title: str, stored: dt.datetime | None
) -> tuple[JSON, JSON]:
    source = publication_resource(
        f"{framework.id}:{framework.version}",
        framework.title,
        framework.identifier,
        None,
    )
    published = timestamp(_published_date(framework.published))
    meta = metadata(
        title,
        published or timestamp(stored) or "1970-01-01T00:00:00Z",
        framework.version,
        published=published,
        extra={
            "props": [
                prop("framework-id", framework.id),
                prop("content-sha256", framework.sha256),
                *([prop("publisher", framework.publisher)] if framework.publisher else []),
            ],
            "links": [{"href": f"#{source['uuid']}", "rel": "source"}],
            "remarks": framework.source_note or None,
        },
    )
    return meta, source


def _published_date(published: str) -> dt.date | None:
    if not published:
        return None
    parts = [int(p) for p in published.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _objective(question: Question) -> JSON:
    focus = [prop("focus-area", question.focus_area.value)] if question.focus_area else []
    priority = [prop("priority", question.priority)] if question.priority else []
    return compact(
        {
            "id": objective_id(question),
            "name": "assessment-objective",
            "title": question.title,
            "props": [prop("question-id", question.id), *focus, *priority],
            "prose": question.prompt,
        }
    )


def profile_document(framework: Framework, stored: dt.datetime | None = None) -> JSON:
    """Return the OSCAL profile of a framework that is a profile of an official catalog.

    ``stored`` (when the workspace first stored the text) dates a framework that names no
    publication date; see :func:`content_document`.
    """
    official = PROFILE_OF[framework.id]
    catalog_resource = publication_resource("official", official.title, official.doi, official.url)
    catalog_resource["rlinks"][0]["media-type"] = "application/oscal.catalog+json"
    meta, source = _content_metadata(framework, versioned_title(framework), stored)
    by_control: dict[str, list[Question]] = {}
    for question in framework.questions:
        by_control.setdefault(control_id(framework, question), []).append(question)
    return {
        "profile": {
            "uuid": content_uuid(framework),
            "metadata": meta,
            "imports": [
                {
                    "href": f"#{catalog_resource['uuid']}",
                    "include-controls": [{"with-ids": list(by_control)}],
                }
            ],
            "merge": {"as-is": True},
            "modify": {"alters": [_alter(cid, qs) for cid, qs in by_control.items()]},
            "back-matter": {"resources": [catalog_resource, source]},
        }
    }


def _alter(cid: str, questions: list[Question]) -> JSON:
    priorities = [
        prop(f"{q.focus_area.value}-priority", q.priority, remarks=PRIORITY_NAMES[q.priority])
        for q in questions
        if q.focus_area and q.priority
    ]
    return {
        "control-id": cid,
        "adds": [
            {
                "position": "ending",
                "props": priorities or [prop("questions", len(questions))],
                "parts": [_objective(q) for q in questions],
            }
        ],
    }


def versioned_title(framework: Framework) -> str:
    """Return a framework's title with its version, unless the title already names it."""
    if framework.version in framework.title:
        return framework.title
    return f"{framework.title} ({framework.version})"


def catalog_document(framework: Framework, stored: dt.datetime | None = None) -> JSON:
    """Return a framework as an OSCAL catalog in Assay's namespace.

    A risk with no children (an OWASP list's entry) is a control of its parent, or of the
    catalog itself at the top; other nodes are groups. A group whose id is also a control's id
    (a custom framework's category ``POL.1`` whose questions have the reference ``POL.1``)
    gets the suffix ``-group``, as OSCAL ids must be unique in a document.
    """
    meta, source = _content_metadata(framework, versioned_title(framework), stored)
    controls = {control_id(framework, q) for q in framework.questions}
    return {
        "catalog": compact(
            {
                "uuid": content_uuid(framework),
                "metadata": meta,
                **_members(framework, framework.nodes, controls),
                "back-matter": {"resources": [source]},
            }
        )
    }


def _is_risk_control(node: Node) -> bool:
    return node.kind == NodeKind.RISK and not node.children


def _members(framework: Framework, nodes: tuple[Node, ...], controls: set[str]) -> JSON:
    """Return the ``controls`` and ``groups`` of a catalog or group holding ``nodes``."""
    return {
        "controls": [_risk_control(framework, n) for n in nodes if _is_risk_control(n)],
        "groups": [_group(framework, n, controls) for n in nodes if not _is_risk_control(n)],
    }


def _group(framework: Framework, node: Node, controls: set[str]) -> JSON:
    group_id = token(node.id)
    members = (
        _members(framework, node.children, controls)
        if node.children
        else {"controls": _ref_controls(framework, node)}
    )
    return compact(
        {
            "id": f"{group_id}-group" if group_id in controls else group_id,
            "class": node.kind.value,
            "title": node.title,
            "parts": _overview(node),
            **members,
        }
    )


def _overview(node: Node) -> list[JSON]:
    if not node.summary:
        return []
    return [{"id": f"{token(node.id)}_ovw", "name": "overview", "prose": node.summary}]


def _risk_control(framework: Framework, node: Node) -> JSON:
    questions = framework.questions_under(node.id)
    return compact(
        {
            "id": token(node.id),
            "class": node.kind.value,
            "title": node.title,
            "props": [prop("label", questions[0].ref if questions else node.id, ns=None)],
            "parts": [*_overview(node), *(_objective(q) for q in questions)],
        }
    )


def _ref_controls(framework: Framework, node: Node) -> list[JSON]:
    by_ref: dict[str, list[Question]] = {}
    for question in framework.questions_under(node.id):
        by_ref.setdefault(question.ref, []).append(question)
    return [
        {
            "id": token(ref),
            "class": "subcategory",
            "title": questions[0].title,
            "props": [prop("label", ref, ns=None)],
            "parts": [_objective(q) for q in questions],
        }
        for ref, questions in by_ref.items()
    ]


def content_document(framework: Framework, stored: dt.datetime | None = None) -> JSON:
    """Return the OSCAL document of a framework: a profile or a catalog.

    Args:
        framework: The framework version.
        stored: When the workspace first stored this text: the document's date when the
            framework names no publication date (a custom set), instead of none at all.
    """
    if framework.id in PROFILE_OF:
        return profile_document(framework, stored)
    return catalog_document(framework, stored)
