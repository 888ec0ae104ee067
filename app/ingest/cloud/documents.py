"""Load one identity-platform export (JSON, or YAML for Kubernetes) safely and within bounds.

JSON is parsed with the standard library; a truncated or damaged file gives its line and column.
YAML is read with PyYAML's safe loader from text of bounded size, and anchors and aliases are
refused (``kubectl`` never writes them, and aliases are how a small YAML file expands into a huge
tree); the loaded YAML tree is then walked once to check its size and depth, so a reader never
meets a structure larger than :data:`MAX_NODES` values or deeper than :data:`MAX_DEPTH`. JSON's
tree is bounded by the file's size, and its depth by the parser's own recursion limit.
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

logger = logging.getLogger(__name__)

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
#: Values (objects, lists and scalars) one export may hold.
MAX_NODES = 20_000_000
#: Nesting depth one export may have (real exports stay below 20).
MAX_DEPTH = 64
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


def load_document(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read and parse one export file.

    Args:
        path: The JSON or YAML file.
        limits: The size cap (``max_file_bytes``).

    Returns:
        The parsed document.

    Raises:
        IngestError: The file is missing, too large, binary, not valid JSON/YAML (with line and
            column), uses YAML aliases, or is too large or deep once parsed.
    """
    path = Path(path)
    display = path.name
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
    if syntax == "yaml":  # JSON is bounded by the file's size; YAML by this walk too
        check_size(data, display)
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


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases are not accepted in an export", event.start_mark
            )
        return super().compose_node(parent, index)


def _load_yaml(text: str, display: str) -> Any:
    try:
        documents = [d for d in yaml.load_all(text, Loader=_NoAliasLoader) if d is not None]  # noqa: S506 - a safe loader
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


def check_size(data: Any, display: str) -> None:
    """Walk a parsed tree once and refuse it when it is too large or too deep.

    Raises:
        IngestError: More than :data:`MAX_NODES` values or deeper than :data:`MAX_DEPTH`.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise IngestError(f"{display} is nested more than {MAX_DEPTH} levels deep")
        if nodes > MAX_NODES:
            raise IngestError(f"{display} holds more than {MAX_NODES:,} values; split the export")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
