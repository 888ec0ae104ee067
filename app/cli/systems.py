"""``assay systems|identities``: the inventory and its identity analysis.

``systems list`` and ``systems show ID`` show AI systems with their blast radius and risk tier;
``identities list|show|drift`` the identities and how they changed between imports. Findings
have their own command (:mod:`app.cli.findings`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping

from app.cli.common import CliContext, date_option, table
from app.cli.records import add_edit_verbs
from app.domain.blast_radius import UNKNOWN, BlastRadius
from app.domain.hygiene import HygieneFinding
from app.ingest.fields import IDENTITIES, SYSTEMS
from app.services import identity_analysis, inventory_queries
from app.support.text import plural

logger = logging.getLogger(__name__)

_UNKNOWN = UNKNOWN


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``systems`` and ``identities`` commands."""
    systems = subparsers.add_parser("systems", help="AI systems, blast radius and risk tier")
    verbs = systems.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="list the AI systems with blast radius and tier")
    listing.add_argument("--search", metavar="TEXT", help="only ids, names or units with TEXT")
    listing.set_defaults(handler=list_systems)
    show = verbs.add_parser("show", help="show one system's identity posture")
    show.add_argument("system_id", metavar="ID", help="the system's inventory id")
    today_option(show)
    show.set_defaults(handler=show_system)
    add_edit_verbs(verbs, SYSTEMS)

    identities = subparsers.add_parser("identities", help="identities and their drift")
    verbs = identities.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="list the identities")
    listing.add_argument("--system", metavar="ID", help="only identities this system uses")
    listing.set_defaults(handler=list_identities)
    show = verbs.add_parser("show", help="show one identity's blast radius and findings")
    show.add_argument("identity_id", metavar="ID", help="the identity's inventory id")
    today_option(show)
    show.set_defaults(handler=show_identity)
    drift = verbs.add_parser("drift", help="what changed between two applied imports")
    drift.add_argument("--from", dest="old_run", type=int, metavar="RUN", help="older import")
    drift.add_argument("--to", dest="new_run", type=int, metavar="RUN", help="newer import")
    drift.set_defaults(handler=show_drift)
    add_edit_verbs(verbs, IDENTITIES)


def today_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--today`` (the day dates are evaluated as of) to a command."""
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="evaluate dates as of this day (default: today)"
    )


def today_of(ctx: CliContext) -> dt.date | None:
    """Return the ``--today`` date, or None for today.

    Raises:
        UserError: It is not a date.
    """
    return date_option(getattr(ctx.args, "today", None), "--today")


def list_systems(ctx: CliContext) -> int:
    """Print the AI systems with blast radius and risk tier."""
    ws = ctx.workspace()
    rows = inventory_queries.list_systems(ws, search=ctx.args.search)
    portfolio = identity_analysis.analyse_all(ws)
    data = []
    for row in rows:
        line = portfolio.get(row.ext_id)
        data.append({**dataclasses.asdict(row), "analysis": line and dataclasses.asdict(line)})
    text = [
        [
            r.ext_id, r.name, r.owner or _UNKNOWN, r.autonomy or _UNKNOWN, str(r.identities),
            a.blast_text if a else "-", _risk_text(a) if a else "-", str(r.open_findings),
        ]
        for r in rows
        for a in [portfolio.get(r.ext_id)]
    ]  # fmt: skip
    headers = ["ID", "Name", "Owner", "Autonomy", "Ids", "Blast", "Risk", "Findings"]
    ctx.output(data, lambda: table(text, headers))
    return 0


def _risk_text(line: identity_analysis.SystemSummary) -> str:
    return line.risk_tier.value + (" (provisional)" if line.risk_missing else "")


def _blast_lines(
    blast: BlastRadius, start: str | None, labels: Mapping[str, str] | None = None
) -> list[str]:
    shown = labels or {}
    chain = blast.chain
    bound = "" if chain.exact else "at least "
    if blast.unknown:
        headline = f"Blast radius: {UNKNOWN} (access not recorded: {blast.unknown})"
    else:
        headline = (
            f"Blast radius: {blast.text()}, {plural(len(blast.resources), 'resource')}, "
            f"weighted sum {blast.raw}"
        )
    lines = [
        headline,
        f"Longest delegation chain: {bound}{plural(chain.depth, 'hop')}"
        + (f" ({' → '.join(shown.get(i, i) for i in chain.identities)})" if chain.depth else ""),
    ]
    paths = blast.paths()
    if paths:
        lines.append("Paths:")
        lines.extend(f"  {p.text(start, shown)}" for p in paths)
    return lines


def _finding_lines(findings: tuple[HygieneFinding, ...]) -> list[str]:
    if not findings:
        return ["Hygiene findings: none"]
    lines = [f"Hygiene findings ({len(findings)}):"]
    for f in findings:
        lines.append(f"  [{f.severity.value}] {f.title}  ({', '.join(f.references)})")
    return lines


def _attribute_text(key: str, value: object) -> str:
    """Return ``key: value`` as a reader writes it: lists joined, a true flag by its name."""
    if value is True:
        return key
    if isinstance(value, list | tuple):
        return f"{key}: {'; '.join(str(v) for v in value)}"
    return f"{key}: {value}"


def _delegation_lines(
    delegations: tuple[inventory_queries.DelegationRow, ...], labels: Mapping[str, str]
) -> list[str]:
    if not delegations:
        return []
    lines = [f"Delegations ({len(delegations)}):"]
    for d in delegations:
        extra = "; ".join(_attribute_text(k, v) for k, v in sorted(d.attributes.items()) if v)
        source, target = labels.get(d.source, d.source), labels.get(d.target, d.target)
        lines.append(f"  {source} → {target} ({d.kind})" + (f"  [{extra}]" if extra else ""))
    return lines


def show_system(ctx: CliContext) -> int:
    """Print one system's details, blast radius with paths, risk tier and findings."""
    ws = ctx.workspace()
    detail = inventory_queries.get_system(ws, ctx.args.system_id)
    result = identity_analysis.analyse_system(ws, ctx.args.system_id, today=today_of(ctx))
    labels = inventory_queries.identity_labels(ws)
    row = detail.row

    def text() -> str:
        lines = [
            f"{row.ext_id}  {row.name}",
            f"Owner: {row.owner or _UNKNOWN}   Business unit: {row.business_unit or '-'}",
            f"Autonomy: {row.autonomy or _UNKNOWN}   Data: {row.data_classification or _UNKNOWN}"
            f"   Exposure: {row.exposure or _UNKNOWN}   Environment: {row.environment or '-'}",
            f"Identities: {', '.join(labels.get(i, i) for i in detail.identities) or '-'}",
            *_delegation_lines(detail.delegations, labels),
            f"Risk tier: {result.risk.tier.value} (set by {result.risk.factor}); "
            f"default target maturity {result.risk.target_level}"
            + (f"; {result.risk.note()}" if result.risk.provisional else ""),
            *_blast_lines(result.blast_radius, row.ext_id, labels),
            *_finding_lines(result.findings),
            f"Method: {result.formula}",
        ]
        return "\n".join(lines)

    ctx.output({"system": detail, "analysis": result}, text)
    return 0


def list_identities(ctx: CliContext) -> int:
    """Print the identities."""
    ws = ctx.workspace()
    rows = inventory_queries.list_identities(ws, system=ctx.args.system)
    blasts = identity_analysis.identity_blasts(ws)
    data = [{**dataclasses.asdict(r), "blast_radius": _blast_json(blasts.get(r.ext_id))}
            for r in rows]  # fmt: skip
    text = [
        [r.ext_id, _name(r.ext_id, r.name), r.kind or _UNKNOWN, r.owner or _UNKNOWN,
         r.environment or "-", _date(r.last_rotated), _date(r.last_used), _date(r.expires),
         ", ".join(r.systems) or "-", str(r.grants),
         blasts[r.ext_id].text() if r.ext_id in blasts else "-"]
        for r in rows
    ]  # fmt: skip
    headers = ["ID", "Name", "Kind", "Owner", "Env", "Rotated", "Used", "Expires", "Systems",
               "Grants", "Blast"]  # fmt: skip
    ctx.output(data, lambda: table(text, headers))
    return 0


def _name(ext_id: str, name: str) -> str:
    """Return the display name when it says more than the id, else ``-``."""
    return name if name and name != ext_id and name not in ext_id else "-"


def _blast_json(blast: BlastRadius | None) -> dict[str, object] | None:
    """Return the score, tier and (when unknown) the reason; null score when not recorded."""
    if blast is None:
        return None
    tier = blast.tier.value if blast.tier else None
    return {"score": blast.score, "tier": tier, "unknown": blast.unknown}


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def show_identity(ctx: CliContext) -> int:
    """Print one identity's blast radius and hygiene findings."""
    ws = ctx.workspace()
    result = identity_analysis.analyse_identity(ws, ctx.args.identity_id, today=today_of(ctx))
    labels = inventory_queries.identity_labels(ws)
    identity = result.identity

    def text() -> str:
        return "\n".join(
            [
                f"{identity.ext_id}  {identity.name}",
                f"Kind: {identity.kind or _UNKNOWN}   Owner: {identity.owner or _UNKNOWN}   "
                f"Used by: {', '.join(result.systems) or '-'}",
                *_blast_lines(result.blast_radius, None, labels),
                *_finding_lines(result.findings),
            ]
        )

    ctx.output(result, text)
    return 0


def show_drift(ctx: CliContext) -> int:
    """Print what changed between two applied imports (or an import and now)."""
    drift = identity_analysis.inventory_drift(
        ctx.workspace(), old_run=ctx.args.old_run, new_run=ctx.args.new_run
    )

    def text() -> str:
        lines = [f"Changes from {drift.old} to {drift.new}:"]
        if drift.report.is_empty:
            lines.append("  none")
        for field in dataclasses.fields(drift.report):
            items = getattr(drift.report, field.name)
            if not items:
                continue
            lines.append(f"{field.name.replace('_', ' ').capitalize()} ({len(items)}):")
            for item in items:
                if isinstance(item, tuple) and len(item) == 3:
                    lines.append(f"  {item[0]}: score {item[1]} → {item[2]}")
                elif hasattr(item, "gained"):
                    lines.append(f"  {item.subject}: {'; '.join(item.gained)}")
                else:
                    lines.append(f"  {item}")
        return "\n".join(lines)

    ctx.output(drift, text)
    return 0
