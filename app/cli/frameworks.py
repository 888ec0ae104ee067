"""``assay frameworks list|show|validate|add|upgrade``: the questionnaire frameworks."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.catalog.mapping import identifier_url
from app.catalog.schema import Framework, Node
from app.cli.common import CliContext, table, terminal_safe
from app.cli.upgrade_text import upgrade_text
from app.services.errors import UserError
from app.services.frameworks import (
    FrameworkFileError,
    add_custom_framework,
    catalog_for,
    describe_framework,
    framework_summary,
    read_framework_file,
)
from app.services.upgrade import plan_upgrade, upgrade_assessment
from app.support.text import plural

logger = logging.getLogger(__name__)

PRIORITY_NAMES = {1: "High", 2: "Moderate", 3: "Foundational"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``frameworks list``, ``show``, ``validate``, ``add`` and ``upgrade``."""
    parser = subparsers.add_parser("frameworks", help="list, show, check or add frameworks")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", help="list every framework").set_defaults(handler=list_frameworks)
    show = verbs.add_parser(
        "show",
        help="show a framework's tree and questions",
        description="With --json, each question's path lists node ids from root to leaf.",
    )
    show.add_argument("framework_id", metavar="ID", help="framework id, e.g. nist-ai-rmf")
    show.set_defaults(handler=show_framework)
    upgrade = verbs.add_parser(
        "upgrade",
        help="move an assessment to another version of a framework, keeping its answers",
        description=(
            "Carries answers, notes, evidence and findings through the new version's mapping; "
            "answers to changed, split or merged questions are flagged for review; answers "
            "of removed questions stay in the journal. Shows the scores before and after."
        ),
    )
    upgrade.add_argument("--assessment", type=int, required=True, metavar="ID")
    upgrade.add_argument("--to", required=True, metavar="VERSION", help="the version to move to")
    upgrade.add_argument("--framework", metavar="ID", help="which framework (when several)")
    upgrade.add_argument("--file", metavar="FILE", help="a framework file holding that version")
    upgrade.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    upgrade.set_defaults(handler=upgrade_assessment_cli)
    for verb, handler, text in (
        ("validate", validate_file, "check a framework file and list every problem"),
        ("add", add_file, "add your own framework (YAML file or spreadsheet) to the workspace"),
    ):
        sub = verbs.add_parser(verb, help=text)
        sub.add_argument("file", metavar="FILE", help=".yaml framework file or .xlsx question set")
        sub.add_argument("--sheet", help="spreadsheet: sheet to read (default: the first)")
        sub.add_argument("--id", dest="framework_id", help="spreadsheet: framework id")
        sub.add_argument("--version", dest="framework_version", help="spreadsheet: version")
        sub.add_argument("--title", help="spreadsheet: title")
        sub.set_defaults(handler=handler)


def upgrade_assessment_cli(ctx: CliContext) -> int:
    """Move an assessment to another framework version (or show the plan with --dry-run)."""
    args = ctx.args
    options = {
        "framework_id": args.framework,
        "file": Path(args.file) if args.file else None,
    }
    run = plan_upgrade if args.dry_run else upgrade_assessment
    try:
        plan = run(ctx.workspace(), args.assessment, args.to, **options)
    except FrameworkFileError as exc:
        _print_problems(exc)
        raise
    ctx.output(
        plan.as_dict() | {"applied": not args.dry_run}, lambda: upgrade_text(plan, args.dry_run)
    )
    return 0


def _file_options(ctx: CliContext) -> dict[str, str | None]:
    args = ctx.args
    return {
        "framework_id": args.framework_id,
        "version": args.framework_version,
        "title": args.title,
        "sheet": args.sheet,
    }


def list_frameworks(ctx: CliContext) -> int:
    """Print every framework of the workspace's catalog."""
    frameworks = catalog_for(ctx.workspace()).frameworks()
    data = [framework_summary(fw) for fw in frameworks]
    rows = [
        [fw.id, fw.version, str(len(fw.questions)), "custom" if fw.custom else "shipped", fw.title]
        for fw in frameworks
    ]
    ctx.output(data, lambda: table(rows, ["ID", "VERSION", "QUESTIONS", "ORIGIN", "TITLE"]))
    return 0


def show_framework(ctx: CliContext) -> int:
    """Print one framework's tree with its questions."""
    catalog = catalog_for(ctx.workspace())
    try:
        framework = catalog.framework(ctx.args.framework_id)
    except LookupError as exc:
        raise UserError(str(exc)) from exc
    ctx.output(describe_framework(framework), lambda: _tree_text(framework))
    return 0


def _tree_text(framework: Framework) -> str:
    lines = [
        f"{framework.title}",
        f"{framework.id} {framework.version} · {len(framework.questions)} questions"
        + (f" · published {framework.published}" if framework.published else "")
        + (f" · {identifier_url(framework.identifier)}" if framework.identifier else "")
        + (f" · sha256 {framework.sha256[:12]}" if framework.sha256 else ""),
        "",
    ]
    by_node: dict[str, list[str]] = {}
    for q in framework.questions:
        tags = [t for t in (q.focus_area and q.focus_area.value, _priority(q.priority)) if t]
        tag_text = f" [{', '.join(tags)}]" if tags else ""
        by_node.setdefault(q.node, []).append(f"{q.id}  {q.ref}{tag_text}  {q.title}")

    def walk(nodes: tuple[Node, ...], depth: int) -> None:
        for node in nodes:
            lines.append(f"{'  ' * depth}{node.id}  {node.title}")
            lines.extend(f"{'  ' * (depth + 1)}{text}" for text in by_node.get(node.id, []))
            walk(node.children, depth + 1)

    walk(framework.nodes, 0)
    return "\n".join(lines)


def _priority(priority: int | None) -> str:
    return f"P{priority} {PRIORITY_NAMES[priority]}" if priority else ""


def _print_problems(error: FrameworkFileError) -> None:
    for line in error.problems:
        print(terminal_safe(line), file=sys.stderr)


def validate_file(ctx: CliContext) -> int:
    """Check a framework file; list every problem and exit 1 if there are any."""
    path = Path(ctx.args.file)
    try:
        framework, _ = read_framework_file(path, **_file_options(ctx))
    except FrameworkFileError as exc:
        if ctx.json:
            ctx.output({"file": str(path), "valid": False, "problems": exc.problems}, "")
        else:
            _print_problems(exc)
            summary = f"assay: {path.name}: {plural(len(exc.problems), 'problem')}"
            print(terminal_safe(summary), file=sys.stderr)
        return 1
    data = {"file": str(path), "valid": True, "problems": [], **framework_summary(framework)}
    text = (
        f"{path.name}: valid · {framework.id} {framework.version} · "
        f"{len(framework.questions)} questions in {len(framework.iter_nodes())} nodes"
    )
    ctx.output(data, text)
    return 0


def add_file(ctx: CliContext) -> int:
    """Validate a framework file and add it to the workspace as a custom framework."""
    path = Path(ctx.args.file)
    try:
        added = add_custom_framework(ctx.workspace(create=True), path, **_file_options(ctx))
    except FrameworkFileError as exc:
        _print_problems(exc)
        raise UserError(f"{path.name}: not added, {plural(len(exc.problems), 'problem')}") from exc
    data = {
        "id": added.framework_id,
        "version": added.version,
        "title": added.title,
        "questions": added.questions,
        "sha256": added.sha256,
        "source": added.source_name,
    }
    ctx.output(data, f"added {added}")
    return 0
