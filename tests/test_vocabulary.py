"""One vocabulary: severity order, colours and the progress protocol are each defined once."""

from __future__ import annotations

import ast
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


#: A noun with its plural ending in brackets: "file(s)", "box(es)". Not "http(s)".
_LAZY_PLURAL = re.compile(r"(?<!http)[a-z]\((?:s|es)\)")


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _lazy_plurals_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        f"{path.relative_to(APP.parent)}:{node.lineno}: {node.value.strip()[:60]}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in skip and _LAZY_PLURAL.search(node.value)
    ]


def test_no_text_shown_to_people_says_file_s():
    # Counts go through app.support.text.plural (the templates' count filter): "1 file", "3 files".
    found = [hit for path in sorted(APP.rglob("*.py")) for hit in _lazy_plurals_in(path)]
    templates = APP.parent / "templates"
    found += [
        f"{path.relative_to(APP.parent)}:{number}: {line.strip()[:60]}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _LAZY_PLURAL.search(line)
    ]
    assert found == []


def test_one_pluralising_helper():
    assert _where(r"^\s*def _?plural\w*\(") == ["support/text.py"]
