"""``assay import inventory FILE`` and ``assay inventory template -o FILE``.

The import always plans first and prints what it would do (creates, updates, unchanged,
rejected, missing per entity) with every problem; ``--dry-run`` stops there. Without
``--valid-only`` a file with errors is refused as a whole and nothing is written.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from app.cli.common import CliContext, table
from app.services.errors import UserError
from app.services.identity_analysis import FindingRefresh
from app.services.inventory_import import (
    IMPORT_FORMATS,
    ImportPlan,
    ImportResult,
    plan_import,
)
from app.services.inventory_import.background import import_and_refresh
from app.services.inventory_import.profile import (
    MappingProfile,
    load_profile,
    save_profile,
)
from app.support.text import plural

logger = logging.getLogger(__name__)

FORMAT_CHOICES = IMPORT_FORMATS
MAX_PROBLEMS_SHOWN = 50
MAX_CONDITIONAL_SHOWN = 10
_COUNT_KEYS = ("creates", "updates", "unchanged", "rejected", "missing")
_ENTITY_TITLES = {
    "systems": "AI systems",
    "identities": "identities",
    "resources": "resources",
    "grants": "grants",
    "delegations": "delegations",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``import inventory`` and ``inventory template``."""
    importer = subparsers.add_parser("import", help="import data into the workspace")
    kinds = importer.add_subparsers(dest="kind", metavar="KIND", required=True)
    inv = kinds.add_parser(
        "inventory",
        help="import an AI-system inventory (.xlsx, .xlsm, .csv) or identity exports (JSON/YAML)",
        description="Import an inventory workbook or CSV file, or the IAM exports of AWS, Azure/"
        "Entra ID, Google Cloud or Kubernetes (a JSON/YAML file, or a folder of them; see "
        "docs/identity-sources.md). Every problem is reported with file and sheet, row and "
        "column, or JSON path; a file with errors is refused unless --valid-only.",
    )
    inv.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="the .xlsx, .xlsm or .csv file, or a JSON/YAML export or folder of exports",
    )
    inv.add_argument("--sheet", metavar="S", help="read only this sheet of the workbook")
    inv.add_argument(
        "--map",
        metavar="COLUMN=FIELD",
        action="append",
        default=[],
        help="map a column to a field (e.g. 'Svc owner=owner_email' or 'Type=identities.kind'; "
        "FIELD 'attribute' keeps it as a custom attribute); repeatable",
    )
    inv.add_argument(
        "--header-row",
        metavar="SHEET=N",
        action="append",
        default=[],
        help="the row N (from 1) holding the column headers of SHEET, when the importer "
        "guesses wrong; a bare N for a CSV file; repeatable",
    )
    inv.add_argument(
        "--value",
        metavar="COLUMN:TEXT=VALUE",
        action="append",
        default=[],
        help="what a value not understood means in a column (e.g. 'Autonomy:Advisory only="
        "advisory'); an empty VALUE leaves it unrecorded; repeatable",
    )
    inv.add_argument(
        "--id-rule",
        metavar="RULE",
        help="how a row without an id gets one: 'generated' (the default, stable, from the "
        "row's name), a column, or columns joined with + (e.g. 'Business unit+Name')",
    )
    inv.add_argument(
        "--profile",
        metavar="FILE",
        type=Path,
        help="a mapping profile (JSON): its column and value mappings, header rows and id rule "
        "are used, and the ones given here are saved into it for the next import",
    )
    inv.add_argument("--format", choices=FORMAT_CHOICES, default="auto", help="file format")
    inv.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    inv.add_argument(
        "--valid-only", action="store_true", help="import the valid rows even if others have errors"
    )
    inv.add_argument(
        "--delete-missing",
        action="store_true",
        help="delete records of the kinds the file covers that it does not list",
    )
    inv.set_defaults(handler=import_inventory)

    inventory = subparsers.add_parser("inventory", help="inventory template")
    verbs = inventory.add_subparsers(dest="verb", metavar="VERB", required=True)
    template = verbs.add_parser("template", help="write the inventory template workbook")
    template.add_argument("-o", "--output", metavar="FILE", type=Path, required=True)
    template.set_defaults(handler=write_template)


def import_inventory(ctx: CliContext) -> int:
    """Plan the import, print it, and apply it unless it is a dry run."""
    args = ctx.args
    profile = _profile(args)
    ws = ctx.workspace(create=True)
    with ctx.progress(f"Reading {Path(args.file).name}") as progress:
        plan = plan_import(ws, args.file, sheet=args.sheet, format=args.format,
                           **profile.plan_options(), progress=progress)  # fmt: skip
    if args.profile is not None and (_gives_choices(args) or not args.profile.exists()):
        save_profile(args.profile, profile)
        logger.info("mapping profile %s saved", args.profile.name)
    if args.dry_run:
        ctx.output(_plan_data(plan, None), lambda: _plan_text(plan, dry_run=True))
        return 0
    if plan.has_errors and not args.valid_only:
        ctx.output(_plan_data(plan, None), lambda: _plan_text(plan, dry_run=False))
        rows = sum(plan.rejected_rows().values())
        raise UserError(
            f"{plan.file_name}: {plural(len(plan.errors), 'problem')} in {plural(rows, 'row')}; "
            "nothing was imported (fix them, or add --valid-only to import the valid rows)"
        )
    # As the import wizard does: the identity findings follow the inventory they judge.
    with ctx.progress(f"Importing {plan.file_name}") as progress:
        result, refresh = import_and_refresh(
            ws,
            plan,
            valid_only=args.valid_only,
            delete_missing=args.delete_missing,
            progress=progress,
        )
    refresh = refresh or FindingRefresh()  # only a cancel skips it, and the CLI cannot cancel
    data = _plan_data(plan, result) | {"identity_findings": dataclasses.asdict(refresh)}
    ctx.output(data, lambda: f"{_result_text(plan, result)}\n{_refresh_text(refresh)}")
    return 0


def _profile(args: argparse.Namespace) -> MappingProfile:
    """Return the profile the options give: the --profile file's, with the options added."""
    base = MappingProfile()
    if args.profile is not None and args.profile.exists():
        base = load_profile(args.profile)
    # The plan checks the choices given here (a bad one is never saved into the profile).
    return base.updated(
        columns=args.map, values=args.value, header_rows=args.header_row, id_rule=args.id_rule
    )


def _gives_choices(args: argparse.Namespace) -> bool:
    return bool(args.map or args.value or args.header_row or args.id_rule)


def _refresh_text(refresh: FindingRefresh) -> str:
    return (
        f"Identity findings: {refresh.created} new, {refresh.reopened} reopened, "
        f"{refresh.resolved} resolved, {refresh.updated + refresh.unchanged} still open."
    )


def _plan_data(plan: ImportPlan, result: ImportResult | None) -> dict:
    data = plan.to_dict()
    data["applied"] = None if result is None else {"run": result.run_id, "counts": result.counts}
    return data


def _summary_table(plan: ImportPlan) -> str:
    summary = plan.summary()
    rows = []
    for entity, title in _ENTITY_TITLES.items():
        counts = summary[entity]
        if any(counts.values()):
            rows.append([title, *(str(counts[k]) for k in _COUNT_KEYS)])
    links = summary["links"]
    if any(links.values()):
        rows.append(["system-identity links", str(links["creates"]), "-", "-", "-",
                     str(links["missing"])])  # fmt: skip
    headers = ["records", "new", "changed", "unchanged", "rejected", "not in file"]
    return table(rows, headers)


def _problem_lines(plan: ImportPlan) -> list[str]:
    problems = plan.problems
    if not problems:
        return ["No problems found."]
    errors = len(plan.errors)
    lines = [f"{plural(errors, 'error')}, {plural(len(problems) - errors, 'warning')}:"]
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        mark = "error" if problem.is_error else "warning"
        lines.append(f"  {mark}: {problem}")
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  … and {len(problems) - MAX_PROBLEMS_SHOWN:,} more (see --json)")
    return lines


def _export_lines(plan: ImportPlan) -> list[str]:
    """Return what an identity export adds to the plan: conditional grants and coverage."""
    lines: list[str] = []
    grants = [r for r in plan.resolved.records["grants"] if r.values.get("conditional")]
    if grants:
        are = plural(len(grants), "is", number=False)
        lines += ["", f"{plural(len(grants), 'grant')} {are} conditional: a deny, a condition or a "
                  "boundary may narrow them (kept, and counted at full strength):"]  # fmt: skip
        for record in grants[:MAX_CONDITIONAL_SHOWN]:
            why = (record.attributes.get("denied_by") or record.attributes.get("conditions")
                   or record.attributes.get("limits") or [""])[0]  # fmt: skip
            identity, *rest = (part for part in record.key if part)
            shown = " → ".join(
                [plan.coverage.label(identity) if plan.coverage else identity, *rest]
            )
            lines.append(f"  {shown} — {_shortened(str(why))}")
        if len(grants) > MAX_CONDITIONAL_SHOWN:
            lines.append(f"  … and {len(grants) - MAX_CONDITIONAL_SHOWN:,} more (see --json)")
    cover = plan.coverage
    if cover is None:
        return lines
    lines += ["", f"Identity exports describe {cover.exported:,} identities."]
    if cover.unfound:
        lines.append(f"AI systems with identities found in no export ({len(cover.unfound):,}):")
        for system, identities in list(cover.unfound.items())[:MAX_CONDITIONAL_SHOWN]:
            lines.append(f"  {system}: {', '.join(cover.label(i) for i in identities)}")
    if cover.unused_count:
        shown = ", ".join(cover.label(i) for i in cover.unused[:MAX_CONDITIONAL_SHOWN])
        more = "…" if cover.unused_count > MAX_CONDITIONAL_SHOWN else ""
        lines.append(f"Exported identities used by no AI system ({cover.unused_count:,}): "
                     f"{shown}{more}")  # fmt: skip
    return lines


def _shortened(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reading_lines(plan: ImportPlan) -> list[str]:
    """Say which rows were skipped, how many permissions were read, which values were not."""
    parsed, lines = plan.parsed, []
    if parsed.skipped_rows:
        lines.append(f"Skipped non-data rows (totals, sources, notes): {parsed.skipped_text()}")
    understood, entries = parsed.permissions
    if entries:
        lines.append(f"{understood:,} of {entries:,} permission entries understood.")
    if parsed.unknown_values:
        lines.append("Values not understood, read as unrecorded (give their meaning with --value):")
        for value in parsed.unknown_values[:MAX_PROBLEMS_SHOWN]:
            lines.append(
                f"  {value.column}:{value.text}  ({plural(value.count, 'row')}, for {value.field})"
            )
    return [""] + lines if lines else []


def _kept_lines(plan: ImportPlan) -> list[str]:
    kept = plan.diff.kept_edits
    if not kept:
        return []
    lines = [f"Changed in Assay since the last import, kept ({len(kept)}):"]
    for edit in kept[:MAX_PROBLEMS_SHOWN]:
        in_file = "leaves it empty" if _blank(edit.in_file) else f"says {edit.in_file}"
        lines.append(f"  {edit.label}: {_shown(edit.in_assay)} (the file {in_file})")
    if len(kept) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  … and {len(kept) - MAX_PROBLEMS_SHOWN:,} more (see --json)")
    return [*lines, ""]


def _blank(value: object) -> bool:
    return value in (None, "", [])


def _shown(value: object) -> str:
    return "(empty)" if _blank(value) else str(value)


def _plan_text(plan: ImportPlan, *, dry_run: bool) -> str:
    head = f"{plan.file_name} ({plan.format}, {plan.parsed.rows:,} data rows)"
    lines = [head, "", _summary_table(plan), *_reading_lines(plan), ""]
    lines += [*_kept_lines(plan), *_problem_lines(plan), *_export_lines(plan)]
    if dry_run:
        lines += ["", "Dry run: nothing was written."]
    return "\n".join(lines)


def _result_text(plan: ImportPlan, result: ImportResult) -> str:
    lines = [_plan_text(plan, dry_run=False), ""]
    lines.append(
        f"Imported (import run {result.run_id}); {plural(result.people_created, 'new owner')}."
    )
    deleted = {e: c["deleted"] for e, c in result.counts.items() if c.get("deleted")}
    if deleted:
        lines.append("Deleted: " + ", ".join(f"{n} {e}" for e, n in deleted.items()))
    return "\n".join(lines)


def write_template(ctx: CliContext) -> int:
    """Write the inventory template workbook."""
    from app.services.inventory_template import write_template as write

    path = write(ctx.args.output)
    ctx.output({"written": str(path)}, f"Wrote {path}")
    return 0
