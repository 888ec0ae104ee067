"""The inventory template workbook: the sheets, headers and drop-downs the importer expects.

The workbook has a "Read me" sheet and one sheet per entity (AI systems, identities, resources,
grants, delegations) with the canonical headers of DESIGN §5, drop-down lists on every column
with a fixed vocabulary, and one worked example that imports cleanly. openpyxl is imported only
when a template is written.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from app.ingest.fields import BOOL, DATE, ENUM, IDS, LIST, SPECS, EntitySpec, FieldSpec
from app.services.errors import UserError

logger = logging.getLogger(__name__)

_VALIDATED_ROWS = 5_000
_HEADER_FILL = "1F3A5F"
_EXAMPLE_FILL = "EEF3F8"

EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "systems": [
        {
            "id": "AIS-001",
            "name": "Claims triage assistant",
            "description": "Summarises incoming claims and proposes a triage decision",
            "owner_name": "Maria Example",
            "owner_email": "maria.example@example.com",
            "business_unit": "Claims",
            "provider": "Azure OpenAI",
            "model": "gpt-4.1",
            "lifecycle_stage": "production",
            "environment": "production",
            "autonomy": "human-in-the-loop",
            "data_classification": "confidential",
            "exposure": "internal",
            "tools": "claims-db; email-gateway",
            "identities": "svc-claims-triage",
            "tags": "claims; customer-data",
            "review_due": dt.date(2026, 12, 31),
        }
    ],
    "identities": [
        {
            "id": "svc-claims-triage",
            "name": "Claims triage service account",
            "kind": "service-account",
            "provider": "Entra ID",
            "owner_email": "platform-team@example.com",
            "systems": "AIS-001",
            "environment": "production",
            "created": dt.date(2025, 1, 15),
            "last_rotated": dt.date(2025, 10, 1),
            "last_used": dt.date(2026, 1, 20),
            "expires": dt.date(2026, 10, 1),
            "revocation_procedure": "Disable the app registration, then rotate its secret "
            "(runbook RB-12)",
        },
        {
            "id": "role-claims-reader",
            "name": "Claims read-only role",
            "kind": "role",
            "provider": "Entra ID",
            "owner_email": "platform-team@example.com",
            "environment": "production",
            "created": dt.date(2024, 6, 1),
            "revocation_procedure": "Remove the role assignment",
        },
    ],
    "resources": [
        {
            "id": "claims-db",
            "name": "Claims database",
            "kind": "database",
            "environment": "production",
            "sensitivity": "confidential",
        }
    ],
    "grants": [
        {
            "identity": "role-claims-reader",
            "resource": "claims-db",
            "action": "read",
            "scope": "claims.*",
            "approval_required": "no",
            "logged": "yes",
            "last_used": dt.date(2026, 1, 20),
        }
    ],
    "delegations": [
        {
            "from_identity": "svc-claims-triage",
            "to_identity": "role-claims-reader",
            "kind": "assume-role",
        }
    ],
}

READ_ME = (
    "How to fill in this workbook",
    "",
    "One sheet per kind of record; keep the header row as it is. Delete the example rows (shaded) "
    "or overwrite them.",
    "AI systems: one row per AI system. 'identities' lists the ids of the identities it uses.",
    "Identities: service accounts, API keys, OAuth clients, agent identities, managed "
    "identities, roles and delegated human access.",
    "Resources: what identities can reach (databases, APIs, queues, tools) and how sensitive "
    "it is.",
    "Grants: one row per permission of an identity on a resource (read, execute, write, admin).",
    "Delegations: an identity that can act as another (assume-role, impersonate, on-behalf-of).",
    "",
    "Several ids in one cell: separate them with ';', ',' or new lines.",
    "Dates: real dates, or text as YYYY-MM-DD or DD/MM/YYYY.",
    "Owners are matched by e-mail; the same e-mail on several rows is one person.",
    "Columns you add are kept as custom attributes of the record; nothing is dropped.",
    "Drop-down columns show the expected words; common variants (e.g. 'prod') are accepted too.",
    "Import with: assay import inventory FILE --dry-run  (then again without --dry-run)",
)


def template_fields(spec: EntitySpec) -> list[FieldSpec]:
    """Return the fields a template sheet shows, in order."""
    return [f for f in spec.fields if f.in_template]


def _choices(fspec: FieldSpec) -> list[str] | None:
    if fspec.kind == ENUM and fspec.enum is not None:
        return [member.value for member in fspec.enum]
    if fspec.kind == BOOL:
        return ["yes", "no"]
    return None


def write_template(path: Path) -> Path:
    """Write the inventory template workbook.

    Args:
        path: Where to write the .xlsx file (its folder must exist).

    Returns:
        The path written.

    Raises:
        UserError: The file cannot be written.
    """
    from openpyxl import Workbook

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        path = path.with_suffix(".xlsx")
    book = Workbook()
    _read_me(book.active)
    for spec in SPECS.values():
        _entity_sheet(book.create_sheet(spec.title), spec)
    try:
        book.save(path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
    logger.info("wrote inventory template %s", path)
    return path


def _read_me(sheet: Any) -> None:
    from openpyxl.styles import Font

    sheet.title = "Read me"
    for row, line in enumerate(READ_ME, start=1):
        sheet.cell(row=row, column=1, value=line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110


def _entity_sheet(sheet: Any, spec: EntitySpec) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fields = template_fields(spec)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    example_fill = PatternFill("solid", fgColor=_EXAMPLE_FILL)
    for col, fspec in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=col, value=fspec.name)
        cell.font, cell.fill = header_font, header_fill
        cell.comment = Comment(_field_note(fspec), "Assay")
        width = max(len(fspec.name) + 4, 14 if fspec.kind != IDS else 22)
        sheet.column_dimensions[get_column_letter(col)].width = width
        _validation(sheet, fspec, get_column_letter(col))
    for row, example in enumerate(EXAMPLES[spec.name], start=2):
        for col, fspec in enumerate(fields, start=1):
            cell = sheet.cell(row=row, column=col, value=example.get(fspec.name))
            cell.fill = example_fill
            if fspec.kind == DATE:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(fields))}1"


def _field_note(fspec: FieldSpec) -> str:
    parts = [fspec.help] if fspec.help else []
    choices = _choices(fspec)
    if choices:
        parts.append("One of: " + ", ".join(choices))
    elif fspec.kind == DATE:
        parts.append("A date (YYYY-MM-DD)")
    elif fspec.kind in (LIST, IDS):
        parts.append("Several values separated by ';'")
    aliases = ", ".join(fspec.aliases[:6])
    if aliases:
        parts.append(f"Also recognised as: {aliases}")
    return "\n".join(parts)


def _validation(sheet: Any, fspec: FieldSpec, letter: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    cells = f"{letter}2:{letter}{_VALIDATED_ROWS}"
    choices = _choices(fspec)
    if choices:
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        rule.error = "Choose one of: " + ", ".join(choices)
    elif fspec.kind == DATE:
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        rule.error = "Enter a date (YYYY-MM-DD)"
    else:
        return
    rule.errorStyle = "warning"
    rule.errorTitle = fspec.name
    rule.showErrorMessage = True
    sheet.add_data_validation(rule)
    rule.add(cells)
