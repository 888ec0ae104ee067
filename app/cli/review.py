"""``assay requests`` (evidence asked of the client) and ``assay review`` (reviewer comments)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from app.cli.common import CliContext, date_option, table
from app.domain.review import RequestStatus
from app.services import evidence_requests, review
from app.services.errors import UserError
from app.services.reporting import request_sheet, review_sheet
from app.support.text import plural

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``requests`` and ``review`` to the CLI."""
    _register_requests(subparsers)
    _register_review(subparsers)


def _subject_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--assessment", required=True, type=int, metavar="ID")
    about = parser.add_mutually_exclusive_group(required=required)
    about.add_argument("--question", default="", metavar="QID")
    about.add_argument("--finding", type=int, metavar="N")


def _import_verb(verbs: argparse._SubParsersAction, what: str, handler: object) -> None:
    back = verbs.add_parser("import", help=f"read {what} back from a returned workbook")
    back.add_argument("--assessment", required=True, type=int, metavar="ID")
    back.add_argument("file", metavar="FILE.xlsx")
    back.add_argument("--dry-run", action="store_true", help="show the changes, store nothing")
    back.set_defaults(handler=handler)


def _register_requests(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("requests", help="evidence requested of client contacts")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="list requests (overdue ones marked)")
    listing.add_argument("--assessment", type=int, metavar="ID", help="only this assessment's")
    listing.add_argument("--overdue", action="store_true", help="only overdue requests")
    listing.set_defaults(handler=run_list)
    add = verbs.add_parser("add", help="ask a client contact for evidence")
    _subject_options(add, required=True)
    add.add_argument("--contact", required=True, metavar="NAME")
    add.add_argument("--email", default="", metavar="ADDRESS")
    add.add_argument("--what", required=True, metavar="TEXT", help="the evidence wanted")
    add.add_argument("--due", metavar="YYYY-MM-DD")
    add.set_defaults(handler=run_add)
    update = verbs.add_parser("update", help="change a request's status, dates or note")
    update.add_argument("request", type=int, metavar="N")
    update.add_argument("--status", choices=[s.value for s in RequestStatus])
    update.add_argument("--received", metavar="YYYY-MM-DD")
    update.add_argument("--due", metavar="YYYY-MM-DD")
    update.add_argument("--note", metavar="TEXT")
    update.set_defaults(handler=run_update)
    _import_verb(verbs, "status, received dates and notes", run_import)


def _register_review(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="reviewer comments and approval")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="list review comments")
    listing.add_argument("--assessment", required=True, type=int, metavar="ID")
    listing.add_argument("--open", action="store_true", help="only open comments")
    listing.set_defaults(handler=run_comments)
    comment = verbs.add_parser("comment", help="comment on an answer, a finding or the whole")
    _subject_options(comment, required=False)
    comment.add_argument("text", metavar="TEXT")
    comment.set_defaults(handler=run_comment)
    resolve = verbs.add_parser("resolve", help="close a comment with what was done")
    resolve.add_argument("comment", type=int, metavar="N")
    resolve.add_argument("--resolution", default="", metavar="TEXT")
    resolve.set_defaults(handler=run_resolve)
    approve = verbs.add_parser("approve", help="approve the assessment as reviewer")
    approve.add_argument("--assessment", required=True, type=int, metavar="ID")
    approve.set_defaults(handler=run_approve)
    _import_verb(verbs, "resolutions and new comments", run_review_import)


def _request_rows(found: list[evidence_requests.RequestInfo]) -> str:
    rows = [
        [
            str(r.id),
            str(r.assessment_id),
            r.subject,
            r.contact,
            r.description[:40],
            r.due_date.isoformat() if r.due_date else "-",
            r.status + (" (OVERDUE)" if r.overdue else ""),
            r.received_on.isoformat() if r.received_on else "",
        ]
        for r in found
    ]
    headers = ["#", "assessment", "about", "contact", "evidence", "due", "status", "received"]
    return table(rows, headers)


def run_list(ctx: CliContext) -> int:
    """List evidence requests."""
    args = ctx.args
    found = evidence_requests.list_requests(
        ctx.workspace(), args.assessment, overdue_only=args.overdue
    )
    ctx.output([r.as_dict() for r in found], lambda: _request_rows(found))
    return 0


def run_add(ctx: CliContext) -> int:
    """Ask a client contact for evidence."""
    args = ctx.args
    found = evidence_requests.add_request(
        ctx.workspace(), args.assessment, contact=args.contact, description=args.what,
        due_date=date_option(args.due, "--due"), question_id=args.question or "",
        finding_id=args.finding, contact_email=args.email,
    )  # fmt: skip
    ctx.output(found.as_dict(), f"request {found.id}: {found.contact}, about {found.subject}")
    return 0


def run_update(ctx: CliContext) -> int:
    """Change an evidence request."""
    args = ctx.args
    changes: dict[str, object] = {}
    if args.status:
        changes["status"] = args.status
    if args.received:
        changes["received_on"] = date_option(args.received, "--received")
    if args.due:
        changes["due_date"] = date_option(args.due, "--due")
    if args.note is not None:
        changes["note"] = args.note
    if not changes:
        raise UserError("nothing to change: give --status, --received, --due or --note")
    found = evidence_requests.update_request(ctx.workspace(), args.request, **changes)
    ctx.output(found.as_dict(), f"request {found.id}: {found.status}")
    return 0


def run_import(ctx: CliContext) -> int:
    """Read the Evidence requests sheet back from a returned workbook."""
    args = ctx.args
    result = request_sheet.import_requests(
        ctx.workspace(), args.assessment, args.file, dry_run=args.dry_run
    )
    lines = []
    for change in result.changes:
        what = ", ".join(
            f"{name.replace('_', ' ')} {value}" for name, value in change.changes.items()
        )
        lines.append(f"  row {change.row}: request {change.request_id}: {what}")
    return _show_import(ctx, result, len(result.changes), lines)


def run_comments(ctx: CliContext) -> int:
    """List review comments."""
    found = review.list_comments(ctx.workspace(), ctx.args.assessment, open_only=ctx.args.open)

    def text() -> str:
        rows = [
            [str(c.id), c.subject, c.status, c.author, c.text[:50], c.resolution[:30]]
            for c in found
        ]
        return table(rows, ["#", "about", "status", "by", "comment", "resolution"])

    ctx.output([c.as_dict() for c in found], text)
    return 0


def run_comment(ctx: CliContext) -> int:
    """Add a review comment."""
    args = ctx.args
    found = review.add_comment(
        ctx.workspace(), args.assessment, args.text,
        question_id=args.question or "", finding_id=args.finding,
    )  # fmt: skip
    ctx.output(found.as_dict(), f"comment {found.id} on {found.subject} is open")
    return 0


def run_resolve(ctx: CliContext) -> int:
    """Resolve a review comment."""
    found = review.resolve_comment(ctx.workspace(), ctx.args.comment, ctx.args.resolution)
    ctx.output(found.as_dict(), f"comment {found.id} resolved")
    return 0


def run_approve(ctx: CliContext) -> int:
    """Approve an assessment as its reviewer."""
    ws = ctx.workspace()
    when = review.approve(ws, ctx.args.assessment)
    data = {"assessment": ctx.args.assessment, "approved_by": ws.actor, "approved_at": when}
    ctx.output(data, f"assessment {ctx.args.assessment} approved by {ws.actor} on {when:%Y-%m-%d}")
    return 0


def _show_import(ctx: CliContext, result: Any, changes: int, lines: list[str]) -> int:
    """Print what a sheet read back changes (or why nothing was applied); 1 on problems."""

    def text() -> str:
        out = [f"{result.file.name}: {plural(changes, 'change')}", *lines]
        out += [f"  problem: {p}" for p in result.problems]
        if result.problems:
            out.append("nothing was applied: correct the problems and import again")
        elif result.applied:
            out.append("applied")
        return "\n".join(out)

    ctx.output(result.as_dict(), text)
    return 1 if result.problems else 0


def run_review_import(ctx: CliContext) -> int:
    """Read the Review comments sheet back from a returned workbook."""
    args = ctx.args
    result = review_sheet.import_review(
        ctx.workspace(), args.assessment, args.file, dry_run=args.dry_run
    )
    lines = [
        f"  row {r.row}: comment {r.comment_id} resolved"
        + (f": {r.resolution[:50]}" if r.resolution else "")
        for r in result.resolutions
    ]
    lines += [
        f"  row {n.row}: new comment on {n.subject}: {n.text[:50]}" for n in result.new_comments
    ]
    return _show_import(ctx, result, result.changes, lines)
