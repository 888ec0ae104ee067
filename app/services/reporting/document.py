"""The cover, document control, branding and system profile of a report, from the workspace."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import APP_NAME, __version__
from app.domain.risk import RiskAssessment
from app.reports.viewmodels import (
    Branding,
    DocumentControl,
    FrameworkVersion,
    Revision,
    RiskFactor,
    SystemProfile,
    attributes_text,
)
from app.services.assessments import AssessmentInfo
from app.services.engagement import EngagementInfo
from app.services.unit import reads
from app.services.workspace import Workspace
from app.storage.repositories.report_data import ReportDataRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

MAX_LOGO_BYTES = 2 * 1024 * 1024
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_SVG = "image/svg+xml"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DEFAULT_COLOURS = {"primary_colour": "#1f3a5f", "accent_colour": "#c8102e"}
_PRIORITY_NAMES = {1: "High", 2: "Moderate", 3: "Foundational"}


def assessment_ref(assessment_id: int) -> str:
    """Return the reference printed on a report and its workbook, e.g. ``ASSESSMENT-7``."""
    return f"ASSESSMENT-{assessment_id}"


@reads
def journal_head(uow: UnitOfWork) -> tuple[int, str]:
    """Return the newest journal entry's sequence number and hash (the history's fingerprint)."""
    return uow.repository(ReportDataRepository).journal_head()


# --------------------------------------------------------------------------- branding


def _logo_uri(path_text: str, warnings: list[str]) -> str:
    if not path_text.strip():
        return ""
    path = Path(path_text).expanduser()
    suffix = path.suffix.lower()
    media = _SVG if suffix == ".svg" else _LOGO_TYPES.get(suffix)
    if media is None:
        warnings.append(f"logo {path.name} is not a PNG, JPEG or SVG file; the report has none")
        return ""
    try:
        size = path.stat().st_size
        if size > MAX_LOGO_BYTES:
            warnings.append(f"logo {path.name} is over 2 MB; the report has none")
            return ""
        data = path.read_bytes()
    except OSError as exc:
        warnings.append(f"cannot read the logo {path}: {exc.strerror}; the report has none")
        return ""
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def build_branding(settings: dict[str, Any], warnings: list[str]) -> Branding:
    """Return the report branding from the workspace's ``branding.*`` settings.

    A setting that cannot be used (unreadable logo, malformed colour) is replaced by the default
    and a sentence is appended to ``warnings``.
    """
    colours = {}
    for name, default in _DEFAULT_COLOURS.items():
        value = str(settings.get(f"branding.{name}") or default).strip()
        if not _COLOUR.match(value):
            warnings.append(f"branding colour {value!r} is not #rrggbb; {default} is used")
            value = default
        colours[name] = value
    return Branding(
        organisation=str(settings.get("branding.organisation") or ""),
        logo=_logo_uri(str(settings.get("branding.logo_path") or ""), warnings),
        cover_text=str(settings.get("branding.cover_text") or ""),
        disclaimer=str(settings.get("branding.disclaimer") or ""),
        **colours,
    )


# --------------------------------------------------------------------------- document control


def scope_text(info: AssessmentInfo, framework_id: str) -> str:
    """Return the scope of one framework in an assessment in words."""
    scope = info.scope or {}
    parts = []
    own = (scope.get("filters") or {}).get(framework_id) or scope  # per framework since presets
    focus = own.get("focus_areas")
    if focus and framework_id == "nist-ir-8596":
        parts.append("focus areas " + ", ".join(str(f).capitalize() for f in focus))
    if own.get("nodes"):
        parts.append("only " + ", ".join(own["nodes"]))
    priority = own.get("max_priority")
    if priority and framework_id == "nist-ir-8596":
        names = [_PRIORITY_NAMES[p] for p in range(1, int(priority) + 1) if p in _PRIORITY_NAMES]
        parts.append("priorities " + ", ".join(names))
    count = (scope.get("questions") or {}).get(framework_id)
    if count is not None:
        parts.append(f"{count} questions")
    return "; ".join(parts) or "all questions"


def _revisions(info: AssessmentInfo, author: str) -> tuple[Revision, ...]:
    revisions = [Revision("0.1", info.created_at.date(), info.assessor or author, "Started")]
    if info.submitted_at is not None:
        revisions.append(
            Revision("0.9", info.submitted_at.date(), info.assessor or author, "For review")
        )
    if info.finalized_at is not None:
        revisions.append(Revision("1.0", info.finalized_at.date(), author, "Final"))
    return tuple(revisions)


def check_dates(document: DocumentControl) -> tuple[DocumentControl, list[str]]:
    """Return the document with dates that cannot contradict its report date, and what changed.

    Fieldwork that ends after the report date is shown as still under way (the report cannot
    know it ended); a period that starts after the report date or ends before it starts is
    left out. Revisions keep their real dates, oldest first; one dated after the report date
    is reported, since the report would predate its own history.

    Returns:
        The checked document and one sentence per problem found (the caller says them).
    """
    problems: list[str] = []
    day = document.report_date
    start, end, still_open = document.period_start, document.period_end, False
    if start is not None and end is not None and end < start:
        problems.append(f"the fieldwork ends ({end}) before it starts ({start}); it is left out")
        start = end = None
    if start is not None and start > day:
        problems.append(f"the fieldwork starts ({start}) after the report date ({day}); left out")
        start = end = None
    if end is not None and end > day:
        problems.append(
            f"the fieldwork ends on {end}, after the report date {day}: the report shows it "
            "as still under way; set the engagement's end date when fieldwork is over"
        )
        end, still_open = None, start is not None
    revisions = tuple(sorted(document.revisions, key=lambda r: r.date))
    problems += [
        f"revision {r.version} is dated {r.date}, after the report date {day}"
        for r in revisions
        if r.date > day
    ]
    checked = dataclasses.replace(
        document, period_start=start, period_end=end, fieldwork_open=still_open,
        revisions=revisions,
    )  # fmt: skip
    return checked, problems


def build_document(
    info: AssessmentInfo,
    engagement: EngagementInfo,
    branding: Branding,
    *,
    profile: str,
    today: dt.date,
    versions: Sequence[tuple[str, str, str]],
) -> DocumentControl:
    """Return the cover and document-control facts of an assessment report.

    Args:
        info: The assessment.
        engagement: The workspace's engagement.
        branding: The branding (its organisation is the fallback assessor firm).
        profile: ``internal`` or ``client``.
        today: The report date.
        versions: ``(framework id, title, version)`` of each framework used.
    """
    assessor = engagement.assessor or info.assessor  # the workspace's, never this machine's
    firm = engagement.assessor_organisation or branding.organisation
    revisions = _revisions(info, assessor)
    client = engagement.client or "the client"
    return DocumentControl(
        title=info.title or f"{info.system_name or info.system} — AI system assessment",
        client=engagement.client,
        engagement=engagement.title,
        assessor=assessor,
        assessor_organisation=firm,
        reviewer=info.reviewer or engagement.reviewer,
        report_date=today,
        report_version=revisions[-1].version,
        status=info.status,
        classification=engagement.classification,
        distribution=(
            f"{client}: named recipients" if profile == "client" else "Assessment team (internal)"
        ),
        period_start=engagement.start_date,
        period_end=engagement.end_date,
        app_name=APP_NAME,
        app_version=__version__,
        assessment_ref=assessment_ref(info.id),
        frameworks=tuple(
            FrameworkVersion(fid, title, version, scope_text(info, fid))
            for fid, title, version in versions
        ),
        revisions=revisions,
    )


# --------------------------------------------------------------------------- system profile


@reads
def system_owner(uow: UnitOfWork, system_id: int) -> tuple[str, str]:
    """Return the name and e-mail of an AI system's owner (blank when none is recorded)."""
    return uow.repository(ReportDataRepository).system_owner(system_id)


def factor_value(name: str, text: str) -> str:
    """Return a risk factor's value as its table shows it: ``Score 97, critical``, ``Restricted``.

    The factor's text repeats its name for the sentence that names the deciding factor
    ("set by data classification: restricted"); the table has the name in its own column.
    """
    value = text.removeprefix(f"{name}: ")
    return value[:1].upper() + value[1:]


def build_system_profile(
    workspace: Workspace, info: AssessmentInfo, risk: RiskAssessment
) -> SystemProfile:
    """Return the profile of the assessed AI system with its risk tier and target."""
    from app.services.inventory_queries import get_system

    detail = get_system(workspace, info.system)
    owner_name, owner_email = (
        system_owner(workspace, info.system_id) if info.system_id is not None else ("", "")
    )
    row = detail.row
    return SystemProfile(
        system_id=row.ext_id,
        name=row.name,
        description=detail.description,
        business_unit=row.business_unit,
        owner_name=owner_name,
        owner_email=owner_email,
        provider=detail.provider,
        model=detail.model,
        lifecycle_stage=row.lifecycle_stage or "",
        environment=row.environment or "",
        autonomy=row.autonomy or "",
        data_classification=row.data_classification or "",
        exposure=row.exposure or "",
        tools=detail.tools,
        tags=detail.tags,
        review_due=detail.review_due,
        risk_tier=info.risk_tier or risk.tier.value,
        risk_factor=info.risk_factor or risk.factor,
        target_level=info.target_level,
        risk_factors=tuple(
            RiskFactor(f.name, f.tier.value, factor_value(f.name, f.text)) for f in risk.factors
        ),
        risk_note=risk.note(),
        attributes=attributes_text(detail.attributes),
    )
