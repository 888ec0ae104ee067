"""Write the demo inventory as a client might send it: one workbook, a sheet per record kind.

The systems sheet starts with a title banner above its headers and carries a column Assay
does not know ("Cost centre"), so the demo exercises header detection and custom attributes.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from app.ingest.fields import SPECS
from app.services.demo.inventory_data import CLIENT, DemoInventory

logger = logging.getLogger(__name__)

_EXTRA_SYSTEM_COLUMN = "Cost centre"


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def write_demo_workbook(inventory: DemoInventory, path: Path) -> Path:
    """Write ``inventory`` to an .xlsx file and return its path."""
    from openpyxl import Workbook  # heavy: only when a demo is built

    book = Workbook()
    book.remove(book.active)
    sheets = {
        "systems": inventory.systems,
        "identities": inventory.identities,
        "resources": inventory.resources,
        "grants": inventory.grants,
        "delegations": inventory.delegations,
    }
    for entity, rows in sheets.items():
        spec = SPECS[entity]
        sheet = book.create_sheet(spec.title)
        headers = [f.name for f in spec.fields]
        if entity == "systems":
            sheet.append([f"{CLIENT}: AI system register, exported {dt.date.today():%d %B %Y}"])
            sheet.append([])
            headers = [*headers, _EXTRA_SYSTEM_COLUMN]
        sheet.append(headers)
        for index, row in enumerate(rows):
            values = [_cell(row.get(name)) for name in headers]
            if entity == "systems":
                values[-1] = f"CC-{4100 + index * 7}"
            sheet.append(values)
    book.save(path)
    logger.info("wrote demo inventory %s", path)
    return path
