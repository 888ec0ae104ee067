"""``assay assess opinion`` and ``assay assess verify``, and the provenance options of answers."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from app.cli.common import CliContext, date_option
from app.domain.review import AnswerSource, OpinionRating, VerificationMethod
from app.services import opinion, opinion_draft, provenance
from app.services.errors import UserError
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_TEXT_OPTIONS = {
    "rationale": "rationale",
    "summary": "executive_summary",
    "themes": "key_themes",
    "limitations": "scope_limitations",
}
_METHODS = "|".join(m.value for m in VerificationMethod)


def register_assess_verbs(verbs: argparse._SubParsersAction) -> None:
    """Add ``opinion`` and ``verify`` to ``assay assess``."""
    view = verbs.add_parser(
        "opinion", help="show or write the overall opinion, summary, themes and scope limits"
    )
    view.add_argument("--assessment", required=True, type=int, metavar="ID")
    view.add_argument(
        "--rating", metavar="R", help=" | ".join(r.value for r in OpinionRating) + " (quoted)"
    )
    for option, name in _TEXT_OPTIONS.items():
        view.add_argument(f"--{option}", metavar="TEXT", help=name.replace("_", " "))
    view.add_argument(
        "--draft",
        action="store_true",
        help="fill the fields nobody has written with a draft from the results",
    )
    view.set_defaults(handler=run_opinion)

    verify = verbs.add_parser("verify", help="record how the assessor verified an answer")
    verify.add_argument("--assessment", required=True, type=int, metavar="ID")
    verify.add_argument("--question", required=True, metavar="QID")
    verify.add_argument("--method", required=True, metavar=_METHODS)
    verify.add_argument("--with", dest="with_whom", default="", metavar="WHO")
    verify.add_argument("--on", metavar="YYYY-MM-DD", help="when (default today)")
    verify.set_defaults(handler=run_verify)


def answer_options(parser: argparse.ArgumentParser) -> None:
    """Add the provenance options to ``assay assess answer``."""
    parser.add_argument(
        "--source",
        choices=[s.value for s in AnswerSource],
        help="who gave the answer (client: a self-assessment, not verified)",
    )
    parser.add_argument("--verify", metavar=_METHODS, help="how the assessor verified it")
    parser.add_argument("--with", dest="with_whom", default="", metavar="WHO")
    parser.add_argument("--on", metavar="YYYY-MM-DD", help="when it was verified (default today)")


def checked_provenance(args: argparse.Namespace) -> tuple[str | None, dt.date | None]:
    """Check the provenance options before anything is written; return the method and date.

    Raises:
        UserError: An unknown method, a bad date, or --with/--on without --verify.
    """
    method = provenance.check_method(args.verify) if args.verify else None
    on = date_option(args.on, "--on")
    if method is None and (args.with_whom or on):
        raise UserError("--with and --on describe a verification: give --verify METHOD too")
    return method, on


def record_provenance(
    ws: Workspace, args: argparse.Namespace, method: str | None, on: dt.date | None
) -> provenance.Provenance:
    """Record the provenance options of an answer just given; return its provenance."""
    if args.source:
        provenance.set_source(ws, args.assessment, [args.question], args.source)
    if method:
        provenance.record_verification(
            ws, args.assessment, args.question, method, with_whom=args.with_whom, on=on
        )
    return provenance.get_provenance(ws, args.assessment, args.question)


def run_verify(ctx: CliContext) -> int:
    """Record how an answer was verified."""
    args = ctx.args
    on = date_option(args.on, "--on")
    found = provenance.record_verification(
        ctx.workspace(), args.assessment, args.question, args.method,
        with_whom=args.with_whom, on=on,
    )  # fmt: skip
    ctx.output(found.as_dict(), f"{found.question_id}: {found.text}")
    return 0


def run_opinion(ctx: CliContext) -> int:
    """Show the assessor's voice; write the fields given; offer a draft with --draft."""
    args, ws = ctx.args, ctx.workspace()
    texts = {name: getattr(args, option) for option, name in _TEXT_OPTIONS.items()}
    texts = {name: text for name, text in texts.items() if text is not None}
    if args.rating is not None:
        texts["rating"] = args.rating
    if texts:
        opinion.write_opinion(ws, args.assessment, **texts)
    if args.draft:
        opinion_draft.offer_draft(ws, args.assessment)
    found = opinion.get_opinion(ws, args.assessment)
    ctx.output(found.as_dict(), lambda: opinion_text(found))
    return 0


def opinion_text(found: opinion.OpinionInfo) -> str:
    """Return the assessor's voice as plain text, each field under its label."""
    blocks = []
    for name, label in opinion.FIELD_LABELS.items():
        text = getattr(found, name) or "(not written)"
        mark = " [edited]" if name in found.edited else " [draft]" if getattr(found, name) else ""
        blocks.append(f"{label}{mark}:\n  " + text.replace("\n", "\n  "))
    if found.approved_by and found.approved_at:
        blocks.append(f"Approved by {found.approved_by} on {found.approved_at:%Y-%m-%d}")
    return "\n".join(blocks)
