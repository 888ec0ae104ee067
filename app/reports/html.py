"""HTML of the reports, from Jinja2 templates in ``templates/``.

One sandbox-minded environment: every template is autoescaped (whatever its file name),
undefined names raise (``StrictUndefined``), and templates get plain view-models plus the
filters below — never a session or ORM object. User text reaches a page only as escaped text;
the only values placed in CSS are colours checked against ``#rrggbb``.

The HTML links its stylesheets relatively: render it with :func:`base_url` as the base URL
(:mod:`app.reports.pdf` does), which the local-only URL fetcher serves.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.domain.enums import SEVERITY_ORDER
from app.domain.scoring import LEVEL_NAMES
from app.reports import charts
from app.reports.kpis import kpi_rows
from app.reports.long_texts import APPENDIX_ANCHOR, APPENDIX_TITLE, long_notes
from app.reports.manifest import evidence_manifest_sha256
from app.reports.progress import ProgressArg, Steps
from app.reports.viewmodels import (
    APPENDICES,
    Answer,
    CrossFrameworkRow,
    PortfolioData,
    ReportData,
)
from app.support.paths import templates_dir
from app.support.text import plural

logger = logging.getLogger(__name__)

DASH = "—"
SEVERITIES = tuple(s.value for s in SEVERITY_ORDER)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One line of the table of contents (and the heading it points at)."""

    anchor: str
    number: str
    title: str
    level: int = 1

    @property
    def heading(self) -> str:
        """Return the heading text: number and title."""
        return f"{self.number} {self.title}".strip()


# --------------------------------------------------------------------------- filters


def _date(value: dt.date | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def _long_date(value: dt.date | None) -> str:
    return DASH if value is None else f"{value.day} {value:%B %Y}"


def _datetime(value: dt.datetime | None) -> str:
    if value is None:
        return DASH
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return f"{value:%Y-%m-%d %H:%M}"


def _level(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.0f}%"


def _dash(value: Any) -> Any:
    return DASH if value in (None, "", ()) else value


def _filesize(size: int) -> str:
    amount = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{size} B"  # pragma: no cover


_BREAK_AFTER = re.compile(r"(?<=[@./_:=+\\-])(?=\S)")


def breakable(value: Any) -> Any:
    """Return text escaped, with a line-break opportunity after ``@``, dots, slashes, hyphens.

    E-mail addresses, identity ids and resource paths have no spaces; without these
    opportunities a narrow cell breaks them anywhere ("maria.okafo r@…"). The result is markup
    (``<wbr>`` between escaped pieces), safe to print unescaped.
    """
    from markupsafe import Markup, escape

    pieces = _BREAK_AFTER.split("" if value is None else str(value))
    return Markup("<wbr>").join(escape(piece) for piece in pieces)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _blocks(text: str) -> list[dict[str, Any]]:
    """Split text into paragraphs and bullet lists (lines starting with ``- ``)."""
    blocks: list[dict[str, Any]] = []
    for chunk in re.split(r"\n\s*\n", text or ""):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        para: list[str] = []
        items: list[str] = []
        for line in lines:
            if line.startswith("- "):
                items.append(line[2:])
            elif items:
                items[-1] += " " + line
            else:
                para.append(line)
        if para:
            blocks.append({"kind": "p", "text": " ".join(para)})
        if items:
            blocks.append({"kind": "ul", "items": items})
    return blocks


def _label(value: str | None) -> str:
    if not value:
        return DASH
    if str(value) in _WORDED:
        return _WORDED[str(value)]
    text = str(value).replace("-", " ") if str(value) in _SPACED else str(value)
    return text[:1].upper() + text[1:]


_SPACED = {
    "in-progress", "in-review", "identity-rule", "self-declared", "assume-role",
    "service-account", "oauth-client", "agent-identity", "managed-identity", "human-delegation",
    "human-user",
}  # fmt: skip
#: Values whose label is not just the value capitalised with spaces.
_WORDED = {"api-key": "API key", "oauth-client": "OAuth client"}


def css_colour(value: str, default: str = "#1f3a5f") -> str:
    """Return ``value`` if it is a ``#rrggbb`` colour, else ``default`` (safe inside CSS)."""
    return value if isinstance(value, str) and _COLOUR.match(value) else default


@cache
def environment() -> Any:
    """Return the shared Jinja2 environment (autoescape on for every template, strict)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=_date,
        long_date=_long_date,
        datetime=_datetime,
        level=_level,
        pct=_pct,
        dash=_dash,
        filesize=_filesize,
        count=plural,
        plural=plural,
        breakable=breakable,
        paragraphs=_paragraphs,
        blocks=_blocks,
        label=_label,
        css_colour=css_colour,
    )
    env.globals.update(level_names=LEVEL_NAMES, DASH=DASH)
    return env


def base_url() -> str:
    """Return the base URL to render the HTML with (the templates folder)."""
    return templates_dir().resolve().as_uri() + "/"


# --------------------------------------------------------------------------- assessment report


_APPENDIX_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "results": (("appendix-results", APPENDICES["results"]),),
    "crosswalk": (("appendix-crosswalk", APPENDICES["crosswalk"]),),
    "findings": (("appendix-findings", APPENDICES["findings"]),),
    "answers": (("appendix-answers", APPENDICES["answers"]),),
    "not-applicable": (("appendix-na", APPENDICES["not-applicable"]),),
    "evidence": (("appendix-evidence", APPENDICES["evidence"]),),
    "requests": (("appendix-requests", APPENDICES["requests"]),),
    "review": (("appendix-review", APPENDICES["review"]),),
}


def report_toc(data: ReportData) -> tuple[TocEntry, ...]:
    """Return the sections of an assessment report in order: numbered body, lettered appendices.

    The body is what the client reads; per-question tables are appendices, printed when the
    report's profile (or the assessor) chooses them.
    """
    entries = [TocEntry("attestation", "", "Attestation and signature")]
    numbered = [("opinion", "Overall opinion")] if _has_voice(data) else []
    numbered += [
        ("summary", "Executive summary"),
        ("scope", "Scope and method"),
        ("system", "AI system profile"),
        ("identity", "Identity and access posture"),
        ("results", "Results by framework"),
    ]
    # Disagreeing answers ask the assessment team for a second look: the client's edition
    # carries the settled results only.
    if notable_disagreements(data) and not data.is_client:
        numbered.append(("crosswalk", "Where the frameworks disagree"))
    if data.findings:
        numbered += [("findings", "Findings and recommendations"), ("actions", "Action plan")]
    if data.comparison is not None:
        numbered.append(("comparison", "Comparison with the previous assessment"))
    for n, (anchor, title) in enumerate(numbered, start=1):
        entries.append(TocEntry(anchor, f"{n}.", title))
        if anchor == "results":
            entries += [
                TocEntry(f"fw-{i}", f"{n}.{i}", fw.title, level=2)
                for i, fw in enumerate(data.frameworks, start=1)
            ]
    appendix = [s for key in data.chosen_appendices for s in _APPENDIX_SECTIONS[key]]
    if not data.cross_framework:
        appendix = [s for s in appendix if s[0] != "appendix-crosswalk"]
    if data.voice is None or not data.voice.requests:
        appendix = [s for s in appendix if s[0] != "appendix-requests"]
    if data.voice is None or not data.voice.comments or data.profile != "internal":
        appendix = [s for s in appendix if s[0] != "appendix-review"]
    if not any(len(f.criteria) > BODY_CRITERIA for f in data.findings):
        appendix = [s for s in appendix if s[0] != "appendix-findings"]
    if long_notes(data):  # right after the register that shortens them
        at = next(i for i, s in enumerate(appendix) if s[0] == "appendix-answers") + 1
        appendix.insert(at, (APPENDIX_ANCHOR, APPENDIX_TITLE))
    entries += [
        TocEntry(anchor, f"Appendix {chr(ord('A') + i)}.", title)
        for i, (anchor, title) in enumerate(appendix)
    ]
    return tuple(entries)


#: Criteria a finding lists in the body at most (widest gaps first); an appendix lists all.
BODY_CRITERIA = 8

#: Disagreements the body lists at most (widest first); the rest are counted.
MAX_DISAGREEMENTS = 15


def notable_disagreements(data: ReportData) -> tuple[CrossFrameworkRow, ...]:
    """Return the cross-framework topics whose answers differ enough to matter, widest first."""
    rows = [r for r in data.cross_framework if not r.consistent]
    return tuple(sorted(rows, key=lambda r: -r.spread))


def _has_voice(data: ReportData) -> bool:
    return data.voice is not None and data.voice.has_opinion


def _report_charts(data: ReportData) -> dict[str, Any]:
    colour = css_colour(data.branding.primary_colour)
    accent = css_colour(data.branding.accent_colour, "#2e7d9a")
    fws = data.frameworks
    result: dict[str, Any] = {
        "overview": charts.svg_data_uri(
            charts.score_bars_svg(
                [f.title for f in fws],
                [f.overall.mean for f in fws],
                [],
                [f.overall.target for f in fws],
                colour=colour,
                accent=accent,
            )
        ),
        "frameworks": [
            charts.svg_data_uri(charts.score_by_function_svg(f, colour=colour, accent=accent))
            for f in fws
        ],
        "blast": None
        if data.identity.blast_score is None
        else charts.svg_data_uri(
            charts.blast_gauge_svg(data.identity.blast_score, data.identity.blast_tier)
        ),
        "comparison": None,
    }
    wholes = [n for n in data.comparison.nodes if n.whole_framework] if data.comparison else []
    if wholes:
        # One row per framework: the table below gives each category.
        result["comparison"] = charts.svg_data_uri(
            charts.comparison_svg(
                [n.title for n in wholes],
                [n.previous_mean for n in wholes],
                [n.current_mean for n in wholes],
                colour=colour,
            )
        )
    return result


def _severity_counts(data: ReportData) -> dict[str, int]:
    counts = Counter(f.severity for f in data.findings)
    return {s: counts.get(s, 0) for s in SEVERITIES}


def and_join(items: Sequence[str]) -> str:
    """Return ``a, b and c`` (a single item alone, nothing for none)."""
    kept = [str(item) for item in items if item]
    if len(kept) < 2:
        return "".join(kept)
    return f"{', '.join(kept[:-1])} and {kept[-1]}"


def severity_breakdown(counts: dict[str, int]) -> str:
    """Return ``2 critical, 10 high and 2 medium``: severities with no finding are left out."""
    return and_join([f"{counts[s]} {s}" for s in SEVERITIES if counts.get(s)])


def _answers_by_framework(data: ReportData) -> list[tuple[str, list[Answer]]]:
    titles = {f.framework_id: f.title for f in data.frameworks}
    groups: dict[str, list[Answer]] = {}
    for answer in data.answers:
        groups.setdefault(answer.framework_id, []).append(answer)
    return [(titles.get(fid, fid), answers) for fid, answers in groups.items()]


def report_context(data: ReportData, steps: Steps | None = None) -> dict[str, Any]:
    """Return everything the assessment report template sees."""
    steps = steps or Steps()
    steps.step(0.0, "Drawing charts")
    chart_uris = _report_charts(data)
    steps.step(0.8, "Preparing the report")
    toc = report_toc(data)
    return {
        "data": data,
        "doc": data.document,
        "branding": data.branding,
        "system": data.system,
        "identity": data.identity,
        "show_notes": not data.is_client,
        "cover_rows": [
            ("AI system", f"{data.system.system_id} · {data.system.name}"),
            ("Frameworks", ", ".join(f.title for f in data.frameworks) or DASH),
        ],
        "toc": toc,
        "sections": {entry.anchor: entry for entry in toc},
        "appendices": {e.anchor for e in toc if e.number.startswith("Appendix")},
        "disagreements": notable_disagreements(data)[:MAX_DISAGREEMENTS],
        "more_disagreements": max(0, len(notable_disagreements(data)) - MAX_DISAGREEMENTS),
        "body_criteria": BODY_CRITERIA,
        "charts": chart_uris,
        "severity_counts": _severity_counts(data),
        "severity_breakdown": severity_breakdown(_severity_counts(data)),
        "answers_by_framework": _answers_by_framework(data),
        "full_notes": long_notes(data),
        "na_answers": [a for a in data.answers if a.not_applicable],
        "answered": sum(1 for a in data.answers if a.level is not None),
        "manifest_sha256": evidence_manifest_sha256(data),
        "open_findings": sum(1 for f in data.findings if f.status in ("open", "in-progress")),
    }


def render_html(data: ReportData, progress: ProgressArg = None) -> str:
    """Render the assessment report as HTML (charts embedded as ``data:`` SVG images).

    Args:
        data: The report's view-model.
        progress: Optional progress object or callable (see :mod:`app.reports.progress`).

    Returns:
        The HTML document; render it with :func:`base_url` as base URL.

    Raises:
        ReportCancelled: The progress object asked to stop.
    """
    steps = Steps(progress)
    context = report_context(data, steps.sub(0.0, 0.9))
    html = environment().get_template("report/report.html").render(context)
    steps.step(1.0, "HTML ready")
    return html


# --------------------------------------------------------------------------- portfolio report


def portfolio_toc(data: PortfolioData) -> tuple[TocEntry, ...]:
    """Return the sections of the portfolio report in order, numbered."""
    titles = [
        ("overview", "Portfolio overview"),
        ("heatmap", "Maturity by system and function"),
        ("kpis", "Identity posture"),
        ("top-findings", "Top findings"),
        ("method", "Method"),
    ]
    return tuple(TocEntry(a, f"{n}.", t) for n, (a, t) in enumerate(titles, start=1))


def portfolio_context(data: PortfolioData) -> dict[str, Any]:
    """Return everything the portfolio report template sees."""
    colour = css_colour(data.branding.primary_colour)
    rows = kpi_rows(data.kpis)
    toc = portfolio_toc(data)
    return {
        "data": data,
        "doc": data.document,
        "branding": data.branding,
        "show_notes": data.profile != "client",
        "cover_rows": [("Scope", plural(len(data.systems), "AI system"))],
        "toc": toc,
        "sections": {entry.anchor: entry for entry in toc},
        "kpi_rows": rows,
        "charts": {
            "heatmap": charts.svg_data_uri(
                charts.heatmap_svg(
                    [f"{r.system_id} {r.name}" for r in data.heatmap],
                    data.heatmap_columns,
                    [r.values for r in data.heatmap],
                )
            ),
            "kpis": charts.svg_data_uri(
                charts.kpi_svg(
                    [r.label for r in rows],
                    [r.client for r in rows],
                    colour=colour,
                )
            ),
        },
    }


def render_portfolio_html(data: PortfolioData) -> str:
    """Render the portfolio report (all AI systems) as HTML; see :func:`render_html`."""
    return environment().get_template("portfolio/report.html").render(portfolio_context(data))
