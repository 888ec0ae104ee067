"""``assay systems|identities|resources|grants|delegations add|edit|delete``: hand edits.

Every record kind takes the same shape: ``add KEY… [--set FIELD=VALUE]…``,
``edit KEY… --set FIELD=VALUE…`` and ``delete KEY…``. A system, identity or resource is named by
its id; a grant by identity, resource and action (``--scope`` when it has one); a delegation by
its from identity, to identity and kind. Values are read as the importer reads them, and each
change is journalled (the same service the window's dialogs use).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging

from app.cli.common import CliContext
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.services import inventory_edit
from app.services.errors import UserError

logger = logging.getLogger(__name__)

_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    SYSTEMS: (("ID", "the system's inventory id"),),
    IDENTITIES: (("ID", "the identity's inventory id"),),
    RESOURCES: (("ID", "the resource's inventory id"),),
    GRANTS: (("IDENTITY", "the identity holding the grant"), ("RESOURCE", "the resource"),
             ("ACTION", "read, write, execute or admin")),
    DELEGATIONS: (("FROM", "the identity that can act as another"),
                  ("TO", "the identity it can act as"),
                  ("KIND", "assume-role, impersonate or on-behalf-of")),
}  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``resources``, ``grants`` and ``delegations`` with their add|edit|delete verbs."""
    for entity, text in ((RESOURCES, "resources identities can reach"),
                         (GRANTS, "grants of identities on resources"),
                         (DELEGATIONS, "delegations between identities")):  # fmt: skip
        parser = subparsers.add_parser(entity, help=f"add, edit or delete {text}")
        verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
        add_edit_verbs(verbs, entity)


def add_edit_verbs(verbs: argparse._SubParsersAction, entity: str) -> None:
    """Add ``add``, ``edit`` (not for delegations) and ``delete`` for one record kind."""
    noun = inventory_edit.NOUNS[entity]
    fields = ", ".join(inventory_edit.EDITABLE[entity]) or "none"
    for verb in ("add", "edit", "delete"):
        if verb == "edit" and not inventory_edit.EDITABLE[entity]:
            continue
        parser = verbs.add_parser(verb, help=f"{verb} a {noun} by hand (journalled)",
                                  description=f"Fields: {fields}.")  # fmt: skip
        for name, help_text in _KEYS[entity]:
            parser.add_argument(name.lower(), metavar=name, help=help_text)
        if entity == GRANTS:
            parser.add_argument("--scope", default="", help="the grant's scope text, if any")
        if verb != "delete":
            parser.add_argument(
                "--set", dest="values", metavar="FIELD=VALUE", action="append", default=[],
                help=f"a field's new value; repeatable ({fields})",
            )  # fmt: skip
        parser.set_defaults(handler=_HANDLERS[verb], entity=entity)


def _key(ctx: CliContext) -> tuple[str, ...]:
    args = ctx.args
    parts = [getattr(args, name.lower()) for name, _help in _KEYS[args.entity]]
    if args.entity == GRANTS:
        parts.append(args.scope)
    return tuple(parts)


def _values(ctx: CliContext) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in ctx.args.values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--set: {item!r} is not FIELD=VALUE")
        values[name.strip().replace("-", "_").replace(" ", "_")] = value
    return values


def _report(ctx: CliContext, result: inventory_edit.EditResult, verb: str) -> int:
    noun = inventory_edit.NOUNS[result.entity]
    changed = f" ({', '.join(result.changed)})" if verb == "edited" and result.changed else ""
    if verb == "edited" and not result.changed:
        text = f"{noun} {result.label}: nothing changed"
    else:
        text = f"{inventory_edit.noun_title(result.entity)} {result.label} {verb}{changed}"
    ctx.output({**dataclasses.asdict(result), "action": verb}, text)
    return 0


def add(ctx: CliContext) -> int:
    """Add a record by hand."""
    result = inventory_edit.add_record(
        ctx.workspace(create=True), ctx.args.entity, _key(ctx), _values(ctx)
    )
    return _report(ctx, result, "added")


def edit(ctx: CliContext) -> int:
    """Change fields of a record by hand."""
    values = _values(ctx)
    if not values:
        raise UserError("nothing to change: give at least one --set FIELD=VALUE")
    result = inventory_edit.edit_record(ctx.workspace(), ctx.args.entity, _key(ctx), values)
    return _report(ctx, result, "edited")


def delete(ctx: CliContext) -> int:
    """Delete a record by hand."""
    result = inventory_edit.delete_record(ctx.workspace(), ctx.args.entity, _key(ctx))
    return _report(ctx, result, "deleted")


_HANDLERS = {"add": add, "edit": edit, "delete": delete}
