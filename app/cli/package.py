"""``assay package handout|open|handback|merge``: several assessors on one engagement.

The lead hands a slice of the engagement to an assessor; the assessor opens it as a new
workspace, works offline and hands back what changed; the lead merges it, deciding every record
both changed. ``merge --dry-run`` lists what a merge would do and writes nothing.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from app.cli.common import CliContext, table
from app.cli.signing import read_password
from app.services.errors import UserError
from app.services.packages.handback import export_handback
from app.services.packages.handout import PackageResult, export_handout, open_handout
from app.services.packages.merge import SIDES, MergeItem, MergeResult, Side, merge_package
from app.services.reporting.signing import SigningRequest

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``package handout``, ``package open``, ``package handback`` and ``package merge``."""
    parser = subparsers.add_parser(
        "package", help="hand out part of an engagement, hand it back, merge it"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    handout = verbs.add_parser("handout", help="write an assessor's hand-out package")
    handout.add_argument("--to", required=True, metavar="NAME", help="the assessor it is for")
    handout.add_argument(
        "--system", action="append", default=[], metavar="ID", help="a system (repeatable)"
    )
    handout.add_argument(
        "--assessment", action="append", default=[], type=int, metavar="N",
        help="an assessment (repeatable); with neither, the whole engagement",
    )  # fmt: skip
    _output_and_signing(handout)
    handout.set_defaults(handler=run_handout)
    opener = verbs.add_parser("open", help="open a hand-out package as a new workspace")
    opener.add_argument("file", metavar="FILE", help="the .assaypkg hand-out")
    opener.set_defaults(handler=run_open)
    handback = verbs.add_parser("handback", help="write what changed since the hand-out")
    _output_and_signing(handback)
    handback.set_defaults(handler=run_handback)
    merge = verbs.add_parser("merge", help="merge an assessor's hand-back package")
    merge.add_argument("file", metavar="FILE", help="the .assaypkg hand-back")
    merge.add_argument(
        "--dry-run", action="store_true", help="list what would change; write nothing"
    )
    merge.add_argument("--take", choices=SIDES, help="decide every conflict not decided one by one")
    merge.add_argument(
        "--decide", action="append", default=[], metavar="GID=mine|theirs",
        help="decide one conflict by its gid or the gid's first characters (repeatable)",
    )  # fmt: skip
    merge.set_defaults(handler=run_merge)


def _output_and_signing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="package to write")
    parser.add_argument("--sign", metavar="P12", help="sign the manifest with this PKCS#12 file")
    parser.add_argument("--pkcs11-lib", metavar="PATH", help="sign on a token: its PKCS#11 library")
    parser.add_argument("--token", metavar="LABEL", default="", help="the token's label")
    parser.add_argument("--key", metavar="LABEL", default="", help="the key's label on the token")
    parser.add_argument("--password-file", metavar="F", help="read the password or PIN from F")


def _signing(args: argparse.Namespace) -> SigningRequest | None:
    if args.sign and args.pkcs11_lib:
        raise UserError("sign with --sign P12 or with --pkcs11-lib PATH, not both")
    if not args.sign and not args.pkcs11_lib:
        return None
    where = Path(args.sign).name if args.sign else f"token {args.token or '?'}"
    return SigningRequest(
        p12_path=Path(args.sign) if args.sign else None,
        password=read_password(args.password_file, f"Password or PIN for {where}: "),
        pkcs11_lib=Path(args.pkcs11_lib) if args.pkcs11_lib else None,
        token=args.token,
        key=args.key,
    )


def _output(path: str) -> Path:
    target = Path(path).expanduser()
    if target.suffix != ".assaypkg":
        raise UserError(f"{target.name}: a package's name ends in .assaypkg")
    return target


#: A record kind in words, singular and plural (the package's own kind names are ids).
_KIND_WORDS: dict[str, tuple[str, str]] = {
    "person": ("person", "people"), "system": ("system", "systems"),
    "identity": ("identity", "identities"), "resource": ("resource", "resources"),
    "grant": ("grant", "grants"), "delegation": ("delegation", "delegations"),
    "assessment": ("assessment", "assessments"), "response": ("answer", "answers"),
    "finding": ("finding", "findings"), "opinion": ("opinion", "opinions"),
    "evidence": ("evidence file", "evidence files"),
    "evidence_request": ("evidence request", "evidence requests"),
    "review_comment": ("review comment", "review comments"),
}  # fmt: skip


def _counted(kind: str, n: int) -> str:
    one, many = _KIND_WORDS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return f"{n} {one if n == 1 else many}"


def _describe(verb: str, result: PackageResult) -> str:
    counts = ", ".join(_counted(kind, n) for kind, n in result.counts.items() if n) or "nothing"
    signed = f"; signed by {result.signer}" if result.signer else ""
    text = f"{verb} {result.path.name} ({counts}){signed}\nsha256 {result.sha256}"
    if result.left_out:
        left = ", ".join(_counted(kind, n) for kind, n in result.left_out.items())
        text += (f"\nleft out: {left} of assessments started in this workspace (assessments "
                 "travel out only: the lead starts them and hands them out)")  # fmt: skip
    return text


def _as_dict(result: PackageResult) -> dict[str, Any]:
    return {"file": str(result.path), "sha256": result.sha256, "counts": result.counts,
            "signer": result.signer, "left_out": result.left_out}  # fmt: skip


def run_handout(ctx: CliContext) -> int:
    """Write a hand-out package."""
    args = ctx.args
    result = export_handout(
        ctx.workspace(create=False), args.to, _output(args.output),
        systems=args.system, assessments=args.assessment, signing=_signing(args),
    )  # fmt: skip
    ctx.output(
        _as_dict(result), lambda: _describe("handed out", result) + _nothing_to_answer(result)
    )
    return 0


def _nothing_to_answer(result: PackageResult) -> str:
    if result.counts.get("assessment"):
        return ""
    return ("\nnote: no assessment travels in it, so the assessor has nothing to answer; start "
            "one first (assay assess new --system ID) and hand out again")  # fmt: skip


def run_open(ctx: CliContext) -> int:
    """Open a hand-out package as the (new) workspace named by --workspace."""
    named = getattr(ctx.args, "workspace", None)
    if not named:
        raise UserError("name the new workspace to open the package into: --workspace NEW.assay")
    target = Path(named).expanduser()
    existed = target.exists()
    try:
        result = open_handout(ctx.workspace(create=True), Path(ctx.args.file))
    except UserError:
        if not existed:  # a refused package leaves no empty workspace behind
            ctx.close()
            for leftover in (target, *(target.with_name(target.name + s) for s in _SIDE_FILES)):
                leftover.unlink(missing_ok=True)
        raise
    ctx.output(_as_dict(result), lambda: _describe("opened", result))
    return 0


_SIDE_FILES = ("-wal", "-shm")


def run_handback(ctx: CliContext) -> int:
    """Write the hand-back package of this workspace."""
    args = ctx.args
    result = export_handback(
        ctx.workspace(create=False), _output(args.output), signing=_signing(args)
    )
    ctx.output(_as_dict(result), lambda: _describe("handed back", result))
    return 0


def _decisions(pairs: list[str]) -> dict[str, Side]:
    decisions: dict[str, Side] = {}
    for pair in pairs:
        gid, _, side = pair.partition("=")
        if side not in SIDES or not gid:
            raise UserError(f"--decide {pair}: write it as GID=mine or GID=theirs")
        decisions[gid.strip()] = "mine" if side == "mine" else "theirs"
    return decisions


def run_merge(ctx: CliContext) -> int:
    """Merge a hand-back package (or, with --dry-run, list what merging would do)."""
    args = ctx.args
    with ctx.progress(f"Merging {Path(args.file).name}") as progress:
        result = merge_package(
            ctx.workspace(create=False), Path(args.file), take=args.take,
            decisions=_decisions(args.decide), dry_run=args.dry_run, progress=progress,
        )  # fmt: skip
    name = Path(args.file).name
    ctx.output(_merge_dict(result), lambda: _describe_merge(name, result))
    return 0


def _item_dict(item: MergeItem) -> dict[str, Any]:
    keys = ("kind", "gid", "group", "label", "author", "at", "mine", "theirs", "mine_by",
            "mine_at")  # fmt: skip
    return {key: getattr(item, key) for key in keys}


def _merge_dict(result: MergeResult) -> dict[str, Any]:
    return {"package": result.package, "author": result.author, "signer": result.signer,
            "applied": result.applied, "already_merged": result.already_merged,
            "counts": result.counts(), "decisions": result.decisions,
            "items": [_item_dict(i) for i in result.items if i.group != "same"]}  # fmt: skip


_GROUPS = (("new", "new"), ("theirs", "changed by them only"), ("conflict", "conflicts"))


def _describe_merge(name: str, result: MergeResult) -> str:
    lines = [f"package {name} by {result.author or '?'}"
             + (f", signed by {result.signer}" if result.signer else ", unsigned")
             + f"\nsha256 {result.package}"]  # fmt: skip
    for group, title in _GROUPS:
        items = result.group(group)  # type: ignore[arg-type]
        lines.append(f"{title}: {len(items)}")
        if group == "conflict" and items:
            rows = [[i.gid, i.label, _side(i.mine), _who(i.mine_by, i.mine_at), _side(i.theirs),
                     _who(i.author, i.at), result.decisions.get(i.gid, "undecided")]
                    for i in items]  # fmt: skip
            headers = ["gid", "record", "mine", "mine by", "theirs", "theirs by", "decision"]
            lines.append(table(rows, headers))
        elif items and not result.already_merged:
            lines.extend(f"  {item.label}" for item in items)
    lines.append(f"unchanged: {len(result.group('same'))}")
    lines.append(_outcome(result))
    return "\n".join(lines)


def _outcome(result: MergeResult) -> str:
    if result.already_merged:
        return "this package was merged before: nothing changed"
    if result.applied:
        return "merged in one transaction and journalled"
    undecided = [i for i in result.group("conflict") if i.gid not in result.decisions]
    if undecided:
        count = f"{len(undecided)} conflict{'' if len(undecided) == 1 else 's'}"
        return (f"dry run: nothing was written; {count} to decide before merging: "
                "--decide GID=mine|theirs each, or --take mine|theirs for all")  # fmt: skip
    return "dry run: nothing was written; merge without --dry-run to write it"


def _who(by: str, at: str) -> str:
    return f"{by or '?'} {at[:16].replace('T', ' ')}".strip()


def _side(record: dict[str, Any] | None) -> str:
    """Return a record's gist: an answer's level and note, an opinion's rating and summary."""
    if record is None:
        return "(removed)"
    if "question_id" in record and "level" in record:
        level = "n/a" if record.get("not_applicable") else record.get("level")
        evidence = len(record.get("evidence") or [])
        shown = f"note {_quoted(record.get('notes'))}" if record.get("notes") else "no note"
        return f"level {level}, {evidence} evidence, {shown}"
    if "executive_summary" in record:
        summary = record.get("executive_summary")
        shown = f"summary {_quoted(summary)}" if summary else "no summary"
        return f"{record.get('rating') or 'no rating'}, {shown}"
    text = record.get("title") or record.get("description") or record.get("text") or ""
    status = str(record.get("status") or "")
    return ", ".join(part for part in (status, _quoted(text) if text else "") if part)


def _quoted(text: object, width: int = 30) -> str:
    """Return text in quotes, cut to ``width`` characters with an ellipsis."""
    value = str(text or "")
    return f"“{value[:width]}{'…' if len(value) > width else ''}”"
