"""One vocabulary: severity order, colours and the progress protocol are each defined once."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _where(pattern: str, under: str = "") -> list[str]:
    found = re.compile(pattern, re.M)
    return sorted(
        str(path.relative_to(APP))
        for path in (APP / under).rglob("*.py")
        if found.search(path.read_text(encoding="utf-8"))
    )


def test_severity_order_is_defined_once():
    assert _where(r"^SEVERITY_ORDER\b") == ["domain/enums.py"]
    assert _where(r"\"critical\",\s*\"high\",\s*\"medium\"|_SEVERITY_RANK\s*=") == []


def test_the_windows_colours_with_meaning_live_in_its_theme():
    # Reports have their own palette, for paper, in templates/base.css and reports/charts.py.
    assert _where(r"^\s*\w*SEVERITY_COLOURS\s*[:=]", "gui") == ["gui/theme.py"]
    assert _where(r"^\s*\w*TIER_TEXT\w*\b[^=\n]*=\s*\{", "gui") == ["gui/theme.py"]


def test_one_progress_protocol():
    assert _where(r"^class Progress\(Protocol\)") == ["support/progress.py"]
    assert _where(r"^class Cancelled\(") == ["support/progress.py"]
    assert _where(r"ProgressArg = Any") == []
