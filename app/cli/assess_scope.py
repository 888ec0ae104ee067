"""``assay assess answer`` for many questions at once, and ``assay assess presets``."""

from __future__ import annotations

import logging
from pathlib import Path

from app.cli.common import CliContext, table
from app.services import assessments, bulk_answers, presets
from app.services.errors import UserError
from app.services.evidence import bulk_answer_with_evidence
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

_AREAS = ("secure", "defend", "thwart")


def _levels(text: str) -> dict[str, int | str | None]:
    """Read ``3`` (all focus areas) or ``secure=3,defend=na,thwart=2``."""
    out: dict[str, int | str | None] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        area, sep, value = part.partition("=")
        if not sep:
            area, value = "all", part
        if area.strip().lower() not in (*_AREAS, "all"):
            raise UserError(f"unknown focus area {area!r} in --level (use {', '.join(_AREAS)})")
        out[area.strip().lower()] = parse_level(value)
    if not out:
        raise UserError("--level needs a value")
    return out


def parse_level(text: str) -> int | str | None:
    """Read a level: 0-5, ``na`` or ``none``.

    Raises:
        UserError: Anything else.
    """
    value = text.strip().lower()
    if value == "none":
        return None
    if value == assessments.NOT_APPLICABLE:
        return value
    if value.isdigit():
        return int(value)
    raise UserError(f"--level must be 0-5, na or none, not {text!r}")


def parse_filter(text: str) -> dict[str, object]:
    """Read a bulk filter such as ``framework=nist-ir-8596,node=PR.AA,unanswered``.

    Raises:
        UserError: An unknown key or a bad priority.
    """
    keys = {"framework": "framework", "node": "node", "focus": "focus_area", "text": "text"}
    out: dict[str, object] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if key == "unanswered" and not sep:
            out["unanswered"] = True
        elif key == "priority" and value.strip().isdigit():
            out["max_priority"] = int(value)
        elif key in keys and sep:
            out[keys[key]] = value.strip()
        else:
            raise UserError(f"cannot read {part!r} in --where (use {_known()})")
    return out


def _known() -> str:
    return "framework=, node=, focus=, priority=, text=, unanswered"


def run_many(ctx: CliContext, ws: Workspace) -> int:
    """Answer a subcategory's focus areas, or every own question matching a filter."""
    args = ctx.args
    files = [Path(f) for f in args.evidence]
    if args.all_focus_areas:
        loaded = assessments.load_questions(ws, args.assessment)
        wanted = bulk_answers.focus_area_changes(
            loaded, args.all_focus_areas, _levels(args.level), note=args.note,
            strength=args.strength,
        )  # fmt: skip
        result = bulk_answer_with_evidence(
            ws, args.assessment, wanted, files, action="response.focus_areas"
        )
    else:
        loaded = assessments.load_questions(ws, args.assessment)
        chosen = bulk_answers.matching(
            loaded, assessments.list_responses(ws, args.assessment), **parse_filter(args.where)
        )
        if not chosen:
            raise UserError(f"no own question of assessment {args.assessment} matches {args.where}")
        level = parse_level(args.level)
        if level == assessments.NOT_APPLICABLE and not (args.note or "").strip():
            raise UserError("an N/A answer needs its justification in --note")
        changes = assessments.answer_changes(level, note=args.note, strength=args.strength)
        wanted = {question_id: dict(changes) for question_id in chosen}
        result = bulk_answer_with_evidence(ws, args.assessment, wanted, files)
    rows = [
        [r.question_id, "N/A" if r.not_applicable else "-" if r.level is None else str(r.level)]
        for r in result.responses
    ]
    text = f"{plural(len(rows), 'answer')} changed in one action\n" + table(
        rows, ["question", "level"]
    )
    ctx.output([r.as_dict() for r in result.responses], text)
    return 0


def run_presets(ctx: CliContext) -> int:
    """List presets and the questions each would ask (for ``--system``, or the organisation)."""
    ws, system = ctx.workspace(), ctx.args.system
    data, rows = [], []
    for preset in presets.list_presets():
        for_system = system if preset.preset.kind == "system" else None
        if preset.preset.kind == "system" and system is None:
            own = total = inherited = None
        else:
            plan = assessments.plan_assessment(
                ws, for_system, preset.framework_ids, filters=preset.filters
            )
            total, inherited, own = plan.total, plan.inherited, plan.own
        data.append({"id": preset.id, "label": preset.label, "custom": preset.custom,
                     "kind": preset.preset.kind.value, "questions": total,
                     "own_questions": own, "inherited_questions": inherited})  # fmt: skip
        shown = "-" if total is None else f"{own} own + {inherited} inherited"
        rows.append([preset.id, preset.preset.kind.value, shown, preset.label])
    ctx.output(data, table(rows, ["id", "for", "questions", "label"]))
    return 0
