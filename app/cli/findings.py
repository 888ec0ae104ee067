"""``assay findings``: list, show and shape findings, and keep their remediation tracking.

``findings list`` lists findings (themes of assessments, identity rules, findings by hand);
``findings show N`` one finding with its condition, criteria, risk and tracking;
``findings edit N`` changes texts, rating, owner, due date, effort, response or status;
``findings merge N M…`` and ``findings split N GAP…`` reshape themed findings;
``findings accept N`` records an accepted risk with its justification and approver;
``findings refresh`` re-runs the identity rules (and, with ``--assessment``, the themes);
``findings import FILE`` reads back the POA&M sheet the client updated;
``findings add|delete`` record or remove a finding by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from typing import Any

from app.cli.common import CliContext, date_option, table
from app.cli.systems import today_of, today_option
from app.domain.enums import FINDING_STATUS_LABELS
from app.domain.scoring import LEVEL_NAMES
from app.services import finding_themes, identity_analysis, poam_import
from app.services import findings as finding_records
from app.services.errors import UserError
from app.services.findings import FindingInfo
from app.support.text import plural

logger = logging.getLogger(__name__)

_SOURCES = ("theme", "identity-rule", "manual", "gap")
_STATUSES = ("open", "in-progress", "accepted", "resolved")
_SEVERITIES = ("low", "medium", "high", "critical")
_EFFORTS = ("low", "medium", "high")
_STATUS_HELP = "open, in-progress, accepted (risk accepted) or resolved (closed)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``findings`` command and its verbs."""
    findings = subparsers.add_parser("findings", help="findings: themes, identity rules, by hand")
    verbs = findings.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="list findings, most severe first")
    listing.add_argument("--assessment", type=int, metavar="N", help="only this assessment's")
    listing.add_argument("--system", metavar="ID", help="only findings about this system")
    listing.add_argument("--source", choices=_SOURCES, help="only findings from this source")
    listing.add_argument("--status", choices=_STATUSES, help=_STATUS_HELP)
    listing.set_defaults(handler=list_findings)
    show = verbs.add_parser("show", help="show one finding with its criteria and tracking")
    show.add_argument("finding_id", type=int, metavar="N", help="the finding's number")
    show.set_defaults(handler=show_finding)
    refresh = verbs.add_parser("refresh", help="re-run the identity rules (and themes)")
    refresh.add_argument(
        "--assessment", type=int, metavar="N", help="also bring this assessment's themes up to date"
    )
    today_option(refresh)
    refresh.set_defaults(handler=refresh_findings)
    imported = verbs.add_parser(
        "import", help="read back the POA&M sheet: owner, due, effort, response, status"
    )
    imported.add_argument("file", metavar="FILE", help="the assessment workbook (.xlsx)")
    imported.add_argument("--assessment", type=int, required=True, metavar="N")
    imported.add_argument("--dry-run", action="store_true", help="list the changes, store none")
    imported.set_defaults(handler=import_poam)
    _register_shaping(verbs)
    _register_by_hand(verbs)


def _register_shaping(verbs: argparse._SubParsersAction) -> None:
    edit = verbs.add_parser("edit", help="change a finding's texts, rating or tracking")
    edit.add_argument("finding_id", type=int, metavar="N", help="the finding's number")
    edit.add_argument("--title", help="a short statement of the issue")
    edit.add_argument("--condition", metavar="TEXT", help="what was found")
    edit.add_argument("--recommendation", metavar="TEXT", help="advice to the client")
    edit.add_argument("--likelihood", type=int, choices=range(1, 6), help="1 rare … 5 certain")
    edit.add_argument("--impact", type=int, choices=range(1, 6), help="1 negligible … 5 severe")
    edit.add_argument("--owner", help="who at the client acts on it")
    edit.add_argument("--due", metavar="YYYY-MM-DD", help="by when ('' clears it)")
    edit.add_argument("--effort", choices=_EFFORTS, help="how much work it takes")
    edit.add_argument("--response", metavar="TEXT", help="the client's management response")
    edit.add_argument("--status", choices=_STATUSES, help=_STATUS_HELP)
    edit.set_defaults(handler=edit_finding)
    merge = verbs.add_parser("merge", help="merge themed findings into the first one")
    merge.add_argument("finding_id", type=int, metavar="N", help="the finding that stays")
    merge.add_argument("others", type=int, nargs="+", metavar="M", help="findings merged into N")
    merge.set_defaults(handler=merge_findings)
    split = verbs.add_parser("split", help="move some gaps of a themed finding to a new one")
    split.add_argument("finding_id", type=int, metavar="N", help="the finding to split")
    split.add_argument("gaps", nargs="+", metavar="GAP", help="question ids (or rule:… keys)")
    split.add_argument("--title", default="", help="the new finding's title")
    split.set_defaults(handler=split_finding)
    accept = verbs.add_parser("accept", help="record that the client accepts the risk")
    accept.add_argument("finding_id", type=int, metavar="N", help="the finding's number")
    accept.add_argument("--justification", required=True, help="why the risk is accepted")
    accept.add_argument("--approver", required=True, help="who approved the acceptance")
    accept.set_defaults(handler=accept_finding)


def _register_by_hand(verbs: argparse._SubParsersAction) -> None:
    add = verbs.add_parser("add", help="record a finding by hand")
    add.add_argument("--title", required=True, help="a short statement of the problem")
    add.add_argument("--severity", choices=_SEVERITIES, default="medium", help="default: medium")
    add.add_argument("--assessment", type=int, metavar="N", help="the assessment it belongs to")
    add.add_argument("--system", metavar="ID", help="the AI system it is about")
    add.add_argument("--detail", default="", metavar="TEXT", help="what was found and where")
    add.add_argument("--recommendation", default="", metavar="TEXT", help="what to do about it")
    add.add_argument("--owner", default="", help="who must act on it")
    add.add_argument("--due", metavar="YYYY-MM-DD", help="by when")
    add.add_argument(
        "--reference", action="append", default=[], metavar="REF", help="framework reference"
    )
    add.set_defaults(handler=add_finding)
    delete = verbs.add_parser("delete", help="delete a finding recorded by hand")
    delete.add_argument("finding_id", type=int, metavar="ID", help="the finding's number")
    delete.set_defaults(handler=delete_finding)


def list_findings(ctx: CliContext) -> int:
    """Print findings, most severe first."""
    args = ctx.args
    rows = finding_records.list_findings(
        ctx.workspace(),
        assessment_id=args.assessment,
        system=args.system,
        source=args.source,
        status=args.status,
    )
    text = [
        [str(r.id), r.severity, _status(r.status), r.source, r.system or r.identity or "-",
         r.owner or "-", _date(r.due_date), r.title]
        for r in rows
    ]  # fmt: skip
    headers = ["#", "Severity", "Status", "Source", "Subject", "Owner", "Due", "Title"]
    ctx.output([r.as_dict() for r in rows], lambda: table(text, headers))
    return 0


def _status(value: str) -> str:
    return FINDING_STATUS_LABELS.get(value, value)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def _risk(info: FindingInfo) -> str:
    if info.score is None:
        return info.severity
    return f"{info.severity} (likelihood {info.likelihood} × impact {info.impact} = {info.score})"


def _level(value: int | None) -> str:
    return "-" if value is None else f"{value} {LEVEL_NAMES.get(value, '')}"


def _show_text(info: FindingInfo) -> str:
    lines = [
        f"Finding {info.id}: {info.title}",
        f"Status: {_status(info.status)}    Risk: {_risk(info)}",
        f"Owner: {info.owner or '-'}    Due: {_date(info.due_date)}    Effort: "
        f"{info.effort or '-'}",
        "",
        f"Condition: {info.detail or '-'}",
        f"Recommendation: {info.recommendation or '-'}",
        f"Management response: {info.management_response or '-'}",
    ]
    if info.status == "accepted":
        lines.append(f"Risk accepted by {info.accepted_by}: {info.acceptance_justification}")
    if info.items:
        lines += ["", f"Criteria ({len(info.items)}):"]
        rows = [[i.key, i.ref, _level(i.level), _level(i.target), i.title] for i in info.items]
        lines.append(table(rows, ["Gap", "Ref", "Current", "Target", "Title"]))
    return "\n".join(lines)


def show_finding(ctx: CliContext) -> int:
    """Print one finding with its condition, criteria, risk and tracking."""
    info = finding_records.get_finding(ctx.workspace(), ctx.args.finding_id)
    ctx.output(info.as_dict(), lambda: _show_text(info))
    return 0


_EDIT_OPTIONS = (
    ("title", "title"), ("condition", "detail"), ("recommendation", "recommendation"),
    ("likelihood", "likelihood"), ("impact", "impact"), ("owner", "owner"),
    ("effort", "effort"), ("response", "management_response"), ("status", "status"),
)  # fmt: skip


def edit_finding(ctx: CliContext) -> int:
    """Change the fields given on the command line."""
    args = ctx.args
    changes: dict[str, Any] = {
        field: getattr(args, option)
        for option, field in _EDIT_OPTIONS
        if getattr(args, option) is not None
    }
    if args.due is not None:
        changes["due_date"] = date_option(args.due, "--due")
    if not changes:
        raise UserError("name at least one field to change (see --help)")
    info = finding_records.update_finding(ctx.workspace(), args.finding_id, **changes)
    ctx.output(info.as_dict(), f"Finding {info.id} changed: {', '.join(sorted(changes))}")
    return 0


def merge_findings(ctx: CliContext) -> int:
    """Merge themed findings into the first one named."""
    args = ctx.args
    info = finding_themes.merge_findings(ctx.workspace(), args.finding_id, args.others)
    ctx.output(info.as_dict(), f"Finding {info.id} now groups {plural(len(info.items), 'gap')}")
    return 0


def split_finding(ctx: CliContext) -> int:
    """Move the named gaps of a themed finding to a new finding."""
    args = ctx.args
    info = finding_themes.split_finding(
        ctx.workspace(), args.finding_id, args.gaps, title=args.title
    )
    ctx.output(info.as_dict(), f"Finding {info.id} made from {plural(len(info.items), 'gap')}")
    return 0


def accept_finding(ctx: CliContext) -> int:
    """Record an accepted risk with its justification and approver."""
    args = ctx.args
    info = finding_records.accept_risk(
        ctx.workspace(), args.finding_id, justification=args.justification,
        approver=args.approver,
    )  # fmt: skip
    ctx.output(info.as_dict(), f"Finding {info.id}: risk accepted by {info.accepted_by}")
    return 0


def refresh_findings(ctx: CliContext) -> int:
    """Re-run the identity hygiene rules, then (optionally) an assessment's themes."""
    ws = ctx.workspace()
    with ctx.progress("Refreshing identity findings") as progress:
        result = identity_analysis.refresh_identity_findings(
            ws, today=today_of(ctx), progress=progress
        )
    text = (
        f"Identity findings: {result.created} new, {result.updated} updated, "
        f"{result.reopened} reopened, {result.resolved} resolved, {result.unchanged} unchanged"
    )
    data: dict[str, Any] = {"identity": result}
    if ctx.args.assessment is not None:
        themes = finding_themes.refresh_gap_findings(ws, ctx.args.assessment)
        data["themes"] = themes
        text += (
            f"\nThemed findings: {themes.created} new, {themes.updated} updated, "
            f"{themes.removed} removed, {themes.resolved} closed"
        )
    ctx.output(data, text)
    return 0


def add_finding(ctx: CliContext) -> int:
    """Record a finding by hand and print its number."""
    args = ctx.args
    made = finding_records.create_finding(
        ctx.workspace(),
        title=args.title,
        severity=args.severity,
        detail=args.detail,
        recommendation=args.recommendation,
        assessment_id=args.assessment,
        system=args.system,
        references=args.reference,
        owner=args.owner,
        due_date=date_option(args.due, "--due"),
    )
    about = made.system or "the engagement"
    ctx.output(made.as_dict(), f"Finding {made.id} recorded ({made.severity}, about {about})")
    return 0


def delete_finding(ctx: CliContext) -> int:
    """Delete a finding recorded by hand."""
    finding_id = ctx.args.finding_id
    finding_records.delete_finding(ctx.workspace(), finding_id)
    ctx.output({"deleted": finding_id}, f"Finding {finding_id} deleted")
    return 0


def _shown(field: str, value: Any) -> str:
    """Return a stored value as the sheet words it: status and effort labels, ISO dates."""
    if value in (None, ""):
        return "-"
    if field == "status":
        return _status(str(value))
    if field == "effort":
        return str(value).capitalize()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _import_text(result: poam_import.PoamImport) -> str:
    lines = [
        f"F-{c.finding_id} (row {c.row}) {c.column}: {_shown(c.field, c.before)} -> "
        f"{_shown(c.field, c.after)}"
        for c in result.changes
    ]
    lines += [f"problem: {p}" for p in result.problems]
    verb = "would change" if result.dry_run else "changed"
    lines.append(f"{result.file.name}: {plural(len(result.changes), 'field')} {verb}")
    return "\n".join(lines)


def import_poam(ctx: CliContext) -> int:
    """Read back a POA&M sheet (dry run or apply) and list what it changes."""
    args = ctx.args
    result = poam_import.import_poam(
        ctx.workspace(), args.assessment, args.file, dry_run=args.dry_run
    )
    ctx.output(result.as_dict(), lambda: _import_text(result))
    return 1 if result.problems else 0
