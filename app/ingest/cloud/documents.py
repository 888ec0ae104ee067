"""Load one identity-platform export (JSON, or YAML for Kubernetes) safely and within bounds.

JSON is parsed with the standard library; a truncated or damaged file gives its line and column.
YAML is read from text of bounded size by the project's strict safe loader, which refuses
aliases, duplicate keys and deep nesting (``kubectl`` writes none of them; aliases are how a
small YAML file expands into a huge tree). JSON's tree is bounded by the file's size, and its
depth by the parser's own recursion limit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.ingest.limits import DEFAULT_LIMITS, Limits, megabytes
from app.ingest.problems import IngestError
from app.ingest.readers import decode_text
from app.support.safe_yaml import load_strict

logger = logging.getLogger(__name__)

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
_SNIFF = 4096


@dataclass(frozen=True, slots=True)
class Document:
    """One loaded export file.

    Attributes:
        name: The file name (no folder), used in every message.
        data: The parsed JSON or YAML tree (dicts, lists, strings, numbers, booleans, None).
        syntax: ``json`` or ``yaml``.
        stem: The file name without its suffix (names a Kubernetes cluster).
    """

    name: str
    data: Any
    syntax: str
    stem: str


def looks_structured(path: Path) -> bool:
    """Return True when a file is JSON or YAML rather than a workbook or CSV file.

    Decided by the suffix, else by the first non-blank character of the text (``{`` or ``[``),
    so an export saved without its suffix is still recognised.
    """
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES + YAML_SUFFIXES:
        return True
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF)
    except OSError:
        return False
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] in (b"{", b"[")


def load_document(
    path: Path, limits: Limits = DEFAULT_LIMITS, display: str | None = None
) -> Document:
    """Read and parse one export file.

    Args:
        path: The JSON or YAML file.
        limits: The size cap (``max_file_bytes``).
        display: How messages name the file (default: its name; within a folder, its path there).

    Returns:
        The parsed document.

    Raises:
        IngestError: The file is missing, too large, binary, not valid JSON/YAML (with line and
            column), uses YAML aliases, or is too large or deep once parsed.
    """
    path = Path(path)
    display = display or path.name
    if not path.is_file():
        raise IngestError(f"{display}: no such file")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise IngestError(
            f"{display} is {megabytes(size)}, more than the {megabytes(limits.max_file_bytes)} "
            "an export may have"
        )
    text, _encoding = decode_text(path.read_bytes(), display)
    if not text.strip():
        raise IngestError(f"{display} is empty")
    stripped = text.lstrip()
    if path.suffix.lower() in YAML_SUFFIXES and not stripped.startswith(("{", "[")):
        data, syntax = _load_yaml(text, display), "yaml"
    elif stripped.startswith(("{", "[")):
        data, syntax = _load_json(text, display), "json"
    else:
        data, syntax = _load_yaml(text, display), "yaml"
    logger.info("loaded %s (%s, %s)", display, syntax, megabytes(size))
    return Document(display, data, syntax, path.stem)


def _load_json(text: str, display: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        end = exc.pos >= len(text.rstrip()) or text.rstrip()[-1:] not in ("}", "]")
        hint = " (the file ends too early: is it truncated?)" if end else ""
        raise IngestError(
            f"{display}, line {exc.lineno}, column {exc.colno}: the JSON cannot be read "
            f"({exc.msg}){hint}"
        ) from exc
    except RecursionError as exc:
        raise IngestError(f"{display}: the JSON is nested too deeply to be an export") from exc


def _load_yaml(text: str, display: str) -> Any:
    try:
        documents = [d for d in (load_strict(part) for part in _documents(text)) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = exc.problem or exc.context or "unreadable"
        raise IngestError(f"{display}{where}: the YAML cannot be read ({reason})") from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise IngestError(f"{display}: the file is neither JSON nor readable YAML") from exc
    if not documents:
        raise IngestError(f"{display} is empty")
    if len(documents) == 1:
        return documents[0]
    return {"kind": "List", "items": documents}


def _documents(text: str) -> list[str]:
    """Split a YAML stream into its documents (``---`` lines), keeping line numbers."""
    parts: list[str] = []
    current: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True)):
        if line.rstrip() == "---" and any(x.strip() for x in current):
            parts.append("".join(current))
            current = ["\n"] * (number + 1)  # blank lines keep the file's line numbers
            continue
        current.append(line)
    parts.append("".join(current))
    return parts
