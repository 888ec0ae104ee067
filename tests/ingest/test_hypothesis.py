"""Random headers and cells: the reader never crashes and every problem is clear."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.columns import ColumnRule
from app.ingest.fields import SPECS
from app.ingest.limits import Limits
from app.ingest.pipeline import parse_raw_file
from app.ingest.readers import RawFile
from app.ingest.records import ParsedInventory
from app.ingest.references import KnownIds, check_references
from app.ingest.xlsx import RawSheet

KNOWN_HEADERS = sorted(
    {alias for spec in SPECS.values() for f in spec.fields for alias in (f.name, *f.aliases)}
    | {"Identity kind", "System owner", "Resource sensitivity", "Cost centre", "Notes"}
)
SHEET_NAMES = ["AI systems", "Identities", "Service accounts", "Resources", "Grants",
               "Delegations", "Register", "Sheet1", "Read me"]  # fmt: skip
WORDS = ["prod", "Production", "HITL", "human on the loop", "restricted", "read", "Read/Write",
         "admin", "assume role", "yes", "no", "N/A", "svc-1", "svc-2; svc-3", "AIS-1", "db",
         "a@example.com", "Maria <maria@example.com>", "31/02/2025", "2025-01-31", "=SUM(A1)",
         "", " "]  # fmt: skip

headers = st.one_of(st.sampled_from(KNOWN_HEADERS), st.text(max_size=20))
cells = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.none(),
)


@st.composite
def sheets(draw):
    name = draw(st.sampled_from(SHEET_NAMES))
    width = draw(st.integers(min_value=1, max_value=7))
    header = draw(st.lists(headers, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=12))
    banner = draw(st.lists(st.lists(st.text(max_size=10), max_size=2), max_size=2))
    return RawSheet(name, [*banner, header, *rows])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sheets(), min_size=1, max_size=3, unique_by=lambda s: s.name))
def test_random_sheets_never_crash_and_problems_are_clear(raw_sheets):
    raw = RawFile("random.xlsx", "xlsx", raw_sheets)
    inventory = parse_raw_file(raw, limits=Limits(max_cell_chars=25))
    resolved = check_references(inventory, KnownIds())
    names = {s.name for s in raw_sheets}
    rejected = {(p.sheet, p.row) for p in inventory.problems if p.is_error}
    for problem in inventory.problems + resolved.problems:
        assert problem.reason.strip()
        assert problem.severity in ("error", "warning")
        assert problem.row >= 0
        assert problem.sheet in names
        assert str(problem).startswith("random.xlsx, sheet ")
    for entity, records in inventory.records.items():
        fields = set(SPECS[entity].field_names)
        for record in records:
            assert set(record.values) <= fields
            assert all(isinstance(k, str) for k in record.attributes)
            assert record.key[0]
            assert (record.source.sheet, record.source.row) not in rejected


def _read_cell_by_cell(raw: RawFile, limits: Limits) -> ParsedInventory:
    """Parse with every row read cell by cell (the block reading finds no cell ordinary)."""

    def nothing_ordinary(rule, cells, unusual):  # noqa: ANN001, ANN202, ARG001
        unusual.update(range(len(cells)))
        return [None] * len(cells)

    ordinary = ColumnRule.convert
    ColumnRule.convert = nothing_ordinary  # type: ignore[method-assign]
    try:
        return parse_raw_file(raw, limits=limits)
    finally:
        ColumnRule.convert = ordinary  # type: ignore[method-assign]


#: Cells of one type, as most columns of a real register hold.
COLUMN_CELLS = [
    st.sampled_from(WORDS).map(lambda w: f" {w} " if len(w) % 2 else w),
    st.sampled_from(["AIS-1", "svc-1", "svc-2", "db", "", "Ann <ann@example.com>"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.integers(min_value=-5, max_value=50_000),
    st.booleans(),
    st.floats(min_value=0, max_value=10),
]


@st.composite
def typed_sheets(draw):
    """A sheet whose columns each hold cells of one type (a block's columns read at once)."""
    name = draw(st.sampled_from(SHEET_NAMES))
    header = draw(st.lists(st.sampled_from(KNOWN_HEADERS), min_size=1, max_size=7))
    kinds = [draw(st.sampled_from(COLUMN_CELLS)) for _ in header]
    rows = draw(st.lists(st.tuples(*kinds).map(list), min_size=1, max_size=20))
    return RawSheet(name, [header, *rows])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(sheets(), typed_sheets()), min_size=1, max_size=3,
                unique_by=lambda s: s.name))  # fmt: skip
def test_reading_rows_column_by_column_gives_what_reading_cell_by_cell_gives(raw_sheets):
    limits = Limits(max_cell_chars=25)
    fresh = [RawSheet(s.name, [list(r) for r in s.rows]) for s in raw_sheets]
    by_column = parse_raw_file(RawFile("random.xlsx", "xlsx", raw_sheets), limits=limits)
    by_cell = _read_cell_by_cell(RawFile("random.xlsx", "xlsx", fresh), limits)
    assert repr(by_column) == repr(by_cell)
