"""The text ``assay frameworks upgrade`` prints: the moves and the scores before and after."""

from __future__ import annotations

import logging
from typing import Any

from app.catalog.mapping import ChangeKind
from app.cli.common import table
from app.services.upgrade_plan import UpgradePlan
from app.support.text import plural

logger = logging.getLogger(__name__)

_FIGURES = (("mean", "MEAN"), ("coverage", "COVERAGE"), ("completeness", "COMPLETE"))


def upgrade_text(plan: UpgradePlan, dry_run: bool) -> str:
    """Return the summary, the changed questions and the scores side by side."""
    done = "dry run, nothing changed" if dry_run else "done"
    lines = [
        f"Assessment {plan.assessment_id}: {plan.framework_id} {plan.from_version} -> "
        f"{plan.to_version} ({done})",
        plan.summary(),
        "",
        _moves(plan),
    ]
    if plan.new_questions:
        lines += ["", "New questions (unanswered):"]
        lines += [f"  {q}  {plan.target.question(q).title}" for q in plan.new_questions]
    if plan.removed:
        lines += ["", "Removed questions:"]
        lines += [
            f"  {m.old_id}  {'answered' if m.answered else 'unanswered'}" for m in plan.removed
        ]
    lines += ["", "Scores before and after:", _scores(plan)]
    return "\n".join(lines)


def _moves(plan: UpgradePlan) -> str:
    shown = [m for m in plan.moves if m.change != ChangeKind.UNCHANGED or m.dropped]
    rows = [
        [
            m.change.value,
            m.old_id,
            ", ".join(m.new_ids) or "-",
            "yes" if m.answered else "no",
            "to review" if m.to_review and m.answered else "",
        ]
        for m in shown
    ]
    unchanged = len(plan.moves) - len(shown)
    text = table(rows, ["CHANGE", "OLD", "NEW", "ANSWERED", "REVIEW"])
    return text + f"\n({plural(unchanged, 'unchanged question')} not listed)"


def _figure(node: dict[str, Any] | None, name: str) -> str:
    if node is None or node.get(name) is None:
        return "-"
    value = node[name]
    return f"{value:.0%}" if name != "mean" else f"{value:.2f}"


def _scores(plan: UpgradePlan) -> str:
    headers = ["NODE"]
    for _, label in _FIGURES:
        headers += [f"{label} BEFORE", "AFTER"]
    rows = []
    for row in plan.score_rows():
        cells = [row.title if row.key == "overall" else row.key]
        for name, _ in _FIGURES:
            cells += [_figure(row.before, name), _figure(row.after, name)]
        rows.append(cells)
    return table(rows, headers)
