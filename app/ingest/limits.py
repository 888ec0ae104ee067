"""Caps that keep reading a hostile or oversized file bounded in time and memory."""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What the importer accepts before it refuses a file.

    Attributes:
        max_rows: Data rows per sheet (rows of a CSV file). A 100,000-system register lists
            about 500,000 grants on one sheet; Excel's own sheet holds 1,048,576 rows.
        max_columns: Columns per sheet.
        max_cell_chars: Characters in one cell (Excel's own cap is 32,767).
        max_file_bytes: Size of the file on disk.
        max_unpacked_bytes: Total uncompressed size a workbook's zip declares for its parts
            (an honest 100,000-row register expands to about 420 MB; the cap is twice the
            largest register the row cap allows).
        max_compression_ratio: How many times a large part may expand. Spreadsheet XML
            compresses about 5 to 20 times; a decompression bomb hundreds or thousands.
        ratio_floor_bytes: Parts smaller than this expand as far as they like (a tiny, very
            repetitive part is harmless).
        max_zip_entries: Parts in a workbook's zip.
        max_csv_field_bytes: Longest field the CSV parser reads before it gives up on the file.
        header_search_rows: How many rows at the top of a sheet may hold titles above the header.
    """

    max_rows: int = 1_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_767
    max_file_bytes: int = 256 * MIB
    max_unpacked_bytes: int = 2048 * MIB
    max_compression_ratio: int = 100
    ratio_floor_bytes: int = 4 * MIB
    max_zip_entries: int = 10_000
    max_csv_field_bytes: int = 1 * MIB
    header_search_rows: int = 30


DEFAULT_LIMITS = Limits()


def megabytes(size: int) -> str:
    """Return a byte count as megabytes for a message, e.g. ``'12.5 MB'``."""
    return f"{size / MIB:,.1f} MB"
