"""``assay assess``: create, answer, score, check, compare and move assessments along."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from app.cli import assess_scope as cli_bulk
from app.cli import voice as cli_voice
from app.cli.common import CliContext, table
from app.services import (
    answer_undo,
    assessments,
    bulk_answers,
    finding_themes,
    findings,
    provenance,
    quality_gate,
    scoring,
    suggestions,
)
from app.services.errors import UserError
from app.services.evidence import answer_with_evidence
from app.support.text import plural

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``assess`` and its verbs to the CLI."""
    parser = subparsers.add_parser("assess", help="assess an AI system against frameworks")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    new = verbs.add_parser("new", help="start an assessment of an AI system or the organisation")
    who = new.add_mutually_exclusive_group(required=True)
    who.add_argument("--system", metavar="ID", help="inventory id of the system")
    who.add_argument(
        "--organisation",
        action="store_true",
        help="the engagement's organisation assessment (organisation-level questions, once)",
    )
    new.add_argument("--framework", metavar="ID[,ID]", help="framework ids (or a --preset)")
    new.add_argument("--preset", metavar="NAME", help="a preset: agentic, organisation-baseline…")
    new.add_argument("--focus", metavar="AREAS", help="IR 8596 focus areas: secure,defend,thwart")
    new.add_argument("--max-priority", type=int, metavar="N", help="1 High only … 3 all")
    new.add_argument("--target", type=int, metavar="N", help="target maturity 0-5")
    new.add_argument("--title", default="", metavar="TEXT")
    new.set_defaults(handler=run_new)

    answer = verbs.add_parser("answer", help="answer one question, a subcategory or a filter")
    _assessment_option(answer)
    target = answer.add_mutually_exclusive_group(required=True)
    target.add_argument("--question", metavar="QID")
    target.add_argument(
        "--all-focus-areas",
        metavar="REF",
        help="every IR 8596 focus area of one subcategory (e.g. PR.AA-05) in one action",
    )
    target.add_argument(
        "--where", metavar="FILTER", help=f"bulk: every own question matching {_FILTER_HELP}"
    )
    answer.add_argument(
        "--level", required=True, metavar="0-5|na|none[,…]", help="with --all-focus-areas one "
        "level for all, or secure=N,defend=N,thwart=N"
    )  # fmt: skip
    answer.add_argument("--note", metavar="TEXT", help="notes; the justification for na")
    answer.add_argument("--evidence", action="append", default=[], metavar="FILE")
    answer.add_argument("--strength", metavar="S", help="self-declared|document|observed|tested")
    answer.add_argument(
        "--flag", dest="flagged", action="store_true", help="flag the answer for review"
    )
    answer.add_argument("--reviewed", action="store_true", help="mark the answer reviewed")
    cli_voice.answer_options(answer)
    answer.set_defaults(handler=run_answer)
    cli_voice.register_assess_verbs(verbs)

    for verb, handler, text in (
        ("undo", run_undo, "take back the last answer change (from the journal)"),
        ("score", run_score, "score per node and overall"),
        ("show", run_show, "show the assessment and its answers"),
        ("submit", run_submit, "submit a draft for review"),
        ("reassess", run_reassess, "start a new draft from a copy of a final assessment"),
        ("gate", run_gate, "run the quality gate"),
    ):
        sub = verbs.add_parser(verb, help=text)
        _assessment_option(sub)
        sub.set_defaults(handler=handler)

    final = verbs.add_parser("finalize", help="make an assessment in review final")
    _assessment_option(final)
    final.add_argument("--force", action="store_true", help="finalise despite gate errors")
    final.set_defaults(handler=run_finalize)

    found = verbs.add_parser("findings", help="list (or --refresh) an assessment's findings")
    _assessment_option(found)
    found.add_argument("--refresh", action="store_true", help="raise gap findings again first")
    found.set_defaults(handler=run_findings)

    suggest = verbs.add_parser("suggest", help="suggested answers to one question")
    _assessment_option(suggest)
    suggest.add_argument("--question", required=True, metavar="QID")
    suggest.add_argument("--accept", type=int, metavar="N", help="accept suggestion N (from 1)")
    suggest.set_defaults(handler=run_suggest)

    compare = verbs.add_parser("compare", help="compare two assessments of one system")
    compare.add_argument("first", type=int, metavar="A")
    compare.add_argument("second", type=int, metavar="B")
    compare.set_defaults(handler=run_compare)

    listing = verbs.add_parser("list", help="list assessments")
    listing.add_argument("--system", metavar="ID", help="only this system's")
    listing.set_defaults(handler=run_list)

    scope = verbs.add_parser("override", help="answer an inherited question for this system")
    _assessment_option(scope)
    scope.add_argument("--question", required=True, metavar="QID")
    scope.add_argument("--reason", required=True, metavar="TEXT", help="why this system differs")
    scope.set_defaults(handler=run_override)

    back = verbs.add_parser("inherit", help="drop an override: the organisation answer counts")
    _assessment_option(back)
    back.add_argument("--question", required=True, metavar="QID")
    back.set_defaults(handler=run_inherit)

    listing_presets = verbs.add_parser("presets", help="list presets with their question counts")
    listing_presets.add_argument("--system", metavar="ID", help="count for this system")
    listing_presets.set_defaults(handler=run_presets)


_FILTER_HELP = (
    "framework=ID,node=ID,focus=AREA,priority=N,unanswered,text=WORDS (all optional, comma-"
    "separated)"
)


def _assessment_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--assessment", required=True, type=int, metavar="ID")


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _summary(info: assessments.AssessmentInfo) -> str:
    frameworks = ", ".join(f"{f.id} {f.version}" for f in info.frameworks)
    return (
        f"assessment {info.id}: {info.title} [{info.status}]\n"
        f"system      {info.system} {info.system_name}\n"
        f"frameworks  {frameworks}\n"
        f"target      {info.target_level}"
        + (f" (risk tier {info.risk_tier})" if info.risk_tier else "")
        + f"\nanswered    {info.answered} of {info.questions}"
        + f"\nown         {plural(info.own_questions, 'question')}; "
        f"{info.inherited} inherited from the organisation assessment"
        + (f", {info.overridden} overridden" if info.overridden else "")
    )


def run_new(ctx: CliContext) -> int:
    """Create an assessment."""
    args = ctx.args
    if not args.framework and not args.preset:
        raise UserError("name the frameworks with --framework, or a --preset")
    info = assessments.new_assessment(
        ctx.workspace(),
        None if args.organisation else args.system,
        _split(args.framework) or [],
        preset=args.preset,
        focus_areas=_split(args.focus),
        max_priority=args.max_priority,
        target=args.target,
        title=args.title,
    )
    ctx.output(info.as_dict(), lambda: _summary(info))
    return 0


def run_answer(ctx: CliContext) -> int:
    """Answer one question, a subcategory's focus areas, or every question of a filter."""
    args, ws = ctx.args, ctx.workspace()
    if args.question is None:
        return cli_bulk.run_many(ctx, ws)
    level = cli_bulk.parse_level(args.level)
    if level == assessments.NOT_APPLICABLE and not (args.note or "").strip():
        raise UserError("an N/A answer needs its justification in --note")
    if assessments.get_assessment(ws, args.assessment).final:
        raise UserError(f"assessment {args.assessment} is final and read-only")
    assessments.get_response(ws, args.assessment, args.question)
    changes = assessments.answer_changes(level, note=args.note, strength=args.strength)
    changes |= {name: True for name in ("flagged", "reviewed") if getattr(args, name)}
    method, on = cli_voice.checked_provenance(args)
    files = [Path(path) for path in args.evidence]
    response = answer_with_evidence(ws, args.assessment, args.question, changes, files)
    found = cli_voice.record_provenance(ws, args, method, on)
    shown = "N/A" if response.not_applicable else response.level
    data = response.as_dict() | {"provenance": found.as_dict()}
    ctx.output(data, f"{response.question_id}: {shown} — {found.text}")
    return 0


def run_undo(ctx: CliContext) -> int:
    """Take back the newest answer change of an assessment not yet undone."""
    undone = answer_undo.undo_last_answer(ctx.workspace(), ctx.args.assessment)
    response = undone.response
    shown = "N/A" if response.not_applicable else response.level
    shown = "unanswered" if shown is None else shown
    data = {"undone_seq": undone.undone_seq, "response": response.as_dict()}
    ctx.output(data, f"undid journal entry {undone.undone_seq}: {undone.question_id} is {shown}")
    return 0


def run_score(ctx: CliContext) -> int:
    """Print the scores of every node and overall."""
    score = scoring.score_assessment(ctx.workspace(), ctx.args.assessment)
    data = score.as_dict()

    def text() -> str:
        rows = [
            [
                "  " * node["depth"] + node["title"][:60],
                _num(node["mean"]),
                "-" if node["achieved_level"] is None else str(node["achieved_level"]),
                _pct(node["coverage"]),
                _pct(node["completeness"]),
                _num(node["gap"]),
                _pct(node["confidence"]),
            ]
            for node in [data["overall"] | {"depth": 0}, *data["nodes"]]
        ]
        headers = ["node", "mean", "achieved", "coverage", "complete", "gap", "confidence"]
        return table(rows, headers)

    ctx.output(data, text)
    return 0


def _origin(response: assessments.ResponseInfo) -> str:
    if response.inherited:
        day = response.inherited_on.isoformat() if response.inherited_on else "?"
        return f"organisation {day}"
    return "overridden" if response.origin == "overridden" else "own"


def run_show(ctx: CliContext) -> int:
    """Print the assessment and every answer."""
    ws = ctx.workspace()
    info = assessments.get_assessment(ws, ctx.args.assessment)
    responses = assessments.list_responses(ws, info.id)
    sources = provenance.list_provenance(ws, info.id)

    def text() -> str:
        rows = [
            [
                r.question_id,
                "N/A" if r.not_applicable else "-" if r.level is None else str(r.level),
                r.evidence_strength or "",
                str(len(r.evidence_ids)),
                ("flagged " if r.flagged else "") + ("reviewed" if r.reviewed else ""),
                _origin(r),
                sources[r.question_id].text if r.question_id in sources else "",
                (r.justification or r.notes).replace("\n", " ")[:50],
            ]
            for r in responses
        ]
        headers = ["question", "level", "strength", "files", "review", "from", "source", "note"]
        return _summary(info) + "\n\n" + table(rows, headers)

    data = {
        "assessment": info.as_dict(),
        "responses": [
            r.as_dict() | {"provenance": sources[r.question_id].as_dict()}
            for r in responses
            if r.question_id in sources
        ],
    }
    ctx.output(data, text)
    return 0


def run_submit(ctx: CliContext) -> int:
    """Submit a draft for review."""
    info = assessments.submit_for_review(ctx.workspace(), ctx.args.assessment)
    ctx.output(info.as_dict(), f"assessment {info.id} is now {info.status}")
    return 0


def run_finalize(ctx: CliContext) -> int:
    """Make an assessment final."""
    info = assessments.finalize(ctx.workspace(), ctx.args.assessment, force=ctx.args.force)
    ctx.output(info.as_dict(), f"assessment {info.id} is now {info.status}")
    return 0


def run_reassess(ctx: CliContext) -> int:
    """Start a re-assessment from a final assessment."""
    info = assessments.reassess(ctx.workspace(), ctx.args.assessment)
    text = f"assessment {info.id} started from assessment {info.previous_id}"
    ctx.output(info.as_dict(), text)
    return 0


def run_gate(ctx: CliContext) -> int:
    """Run the quality gate; exit 1 when it finds errors."""
    report = quality_gate.run_quality_gate(ctx.workspace(), ctx.args.assessment)

    def text() -> str:
        lines = [f"error    {i.message}" for i in report.errors]
        lines += [f"warning  {i.message}" for i in report.warnings]
        errors = len(report.errors)
        block = plural(errors, "blocks", "block", number=False)
        verdict = "passed" if report.ok else f"{plural(errors, 'error')} {block} signing"
        return "\n".join([*lines, f"quality gate {verdict}"])

    ctx.output(report.as_dict(), text)
    return 0 if report.ok else 1


def run_findings(ctx: CliContext) -> int:
    """List an assessment's findings, optionally raising gap findings again first."""
    ws, aid = ctx.workspace(), ctx.args.assessment
    if ctx.args.refresh:
        finding_themes.refresh_gap_findings(ws, aid)
    found = findings.list_findings(ws, assessment_id=aid)
    rows = [[str(f.id), f.severity, f.status, f.source, f.title[:70]] for f in found]
    text = table(rows, ["id", "severity", "status", "source", "title"])
    ctx.output([f.as_dict() for f in found], text)
    return 0


def run_suggest(ctx: CliContext) -> int:
    """Show (or accept) suggested answers to one question."""
    args, ws = ctx.args, ctx.workspace()
    offered = suggestions.suggestions_for(ws, args.assessment, args.question)
    if args.accept is not None:
        if not 1 <= args.accept <= len(offered):
            raise UserError(f"--accept must be 1 to {len(offered)}")
        response = suggestions.accept_suggestion(ws, args.assessment, offered[args.accept - 1])
        ctx.output(response.as_dict(), f"{response.question_id}: {response.level} (accepted)")
        return 0
    lines = [
        f"{n}. [{s.kind}] level {'-' if s.level is None else s.level}: {s.reason}"
        for n, s in enumerate(offered, start=1)
    ]
    ctx.output([s.as_dict() for s in offered], "\n".join(lines) or "no suggestion")
    return 0


def run_compare(ctx: CliContext) -> int:
    """Compare two assessments question by question and node by node."""
    comparison = scoring.compare_assessments(ctx.workspace(), ctx.args.first, ctx.args.second)

    def text() -> str:
        counts = ", ".join(f"{n} {change}" for change, n in sorted(comparison.counts().items()))
        changed = [q for q in comparison.questions if q["change"] != "unchanged"]
        rows = [[q["question_id"], str(q["first"]), str(q["second"]), q["change"]] for q in changed]
        nodes = [
            [n["title"][:50], _num(n["mean"]["first"]), _num(n["mean"]["second"])]
            for n in comparison.nodes
        ]
        return "\n\n".join(
            [
                f"questions: {counts or 'none'}",
                table(rows, ["question", "A", "B", "change"]),
                table(nodes, ["node", "mean A", "mean B"]),
            ]
        )

    ctx.output(comparison.as_dict(), text)
    return 0


def run_list(ctx: CliContext) -> int:
    """List assessments."""
    found = assessments.list_assessments(ctx.workspace(), ctx.args.system)
    rows = [
        [str(a.id), a.system, a.status, f"{a.answered}/{a.questions}", a.title[:50]] for a in found
    ]
    text = table(rows, ["id", "system", "status", "answered", "title"])
    ctx.output([a.as_dict() for a in found], text)
    return 0


def run_override(ctx: CliContext) -> int:
    """Answer an inherited question for this system instead (with a reason)."""
    args = ctx.args
    response = bulk_answers.override(ctx.workspace(), args.assessment, args.question, args.reason)
    ctx.output(response.as_dict(), f"{response.question_id}: overridden ({args.reason.strip()})")
    return 0


def run_inherit(ctx: CliContext) -> int:
    """Drop an override so that the organisation answer counts again."""
    args = ctx.args
    response = bulk_answers.inherit_again(ctx.workspace(), args.assessment, args.question)
    ctx.output(response.as_dict(), f"{response.question_id}: inherited again")
    return 0


def run_presets(ctx: CliContext) -> int:
    """List presets and how many questions each asks (of its own, and inherited)."""
    return cli_bulk.run_presets(ctx)
