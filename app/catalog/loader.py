"""Read questionnaire and crosswalk files, reporting every problem of a file at once.

YAML is parsed with PyYAML's safe loader (the libyaml one when available) after its node tree
is checked: aliases, merge keys and duplicate keys are refused with their line (see
:mod:`app.support.safe_yaml`). When a file does not validate, it is parsed a second time into a
node tree only to find the line of each problem.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.catalog.errors import CatalogError, Problem
from app.catalog.parsed_yaml import parse_kept
from app.catalog.presets import PresetFile
from app.catalog.schema import Crosswalk, Framework
from app.catalog.structure import format_location
from app.support.safe_yaml import compose_strict, load_strict

logger = logging.getLogger(__name__)

__all__ = [
    "load_crosswalk",
    "load_crosswalk_text",
    "load_framework",
    "load_framework_text",
    "load_presets_text",
    "problems_from_validation",
]

_ModelT = TypeVar("_ModelT", bound=BaseModel)


def load_framework(path: Path, *, custom: bool = False, shipped: bool = False) -> Framework:
    """Parse and validate one framework file.

    Args:
        path: The YAML file.
        custom: True for a user's own framework.
        shipped: True for a file the app ships: its parse is kept between runs
            (:mod:`app.catalog.parsed_yaml`).

    Returns:
        The framework, with ``sha256`` of the file's bytes and ``source_name`` set.

    Raises:
        CatalogError: The file cannot be read or has problems; every problem is listed.
    """
    data = _read_bytes(path)
    return load_framework_text(
        _decode(data, path.name),
        path.name,
        custom=custom,
        sha256=hashlib.sha256(data).hexdigest(),
        keep_parse=shipped,
    )


def load_framework_text(
    text: str,
    source_name: str,
    *,
    custom: bool = False,
    sha256: str | None = None,
    keep_parse: bool = False,
) -> Framework:
    """Parse and validate a framework from its YAML text.

    Args:
        text: The YAML text.
        source_name: The file name to name in messages.
        custom: True for a user's own framework.
        sha256: The hash of the original bytes; by default the hash of ``text`` as UTF-8.
        keep_parse: Keep the parse between runs (the app's shipped texts only).

    Raises:
        CatalogError: With every problem found.
    """
    framework = _validate(Framework, text, source_name, keep_parse=keep_parse)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return framework.set_origin(sha256=digest, source_name=source_name, custom=custom)


def load_crosswalk(path: Path, *, shipped: bool = False) -> Crosswalk:
    """Parse and validate the crosswalk file (``shipped``: its parse is kept between runs).

    Raises:
        CatalogError: With every problem found.
    """
    text = _decode(_read_bytes(path), path.name)
    return load_crosswalk_text(text, path.name, keep_parse=shipped)


def load_crosswalk_text(text: str, source_name: str, *, keep_parse: bool = False) -> Crosswalk:
    """Parse and validate crosswalk YAML text (``keep_parse``: kept between runs).

    Raises:
        CatalogError: With every problem found.
    """
    return _validate(Crosswalk, text, source_name, keep_parse=keep_parse)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogError(
            path.name, [Problem("", f"cannot read the file: {exc.strerror}")]
        ) from exc


def _decode(data: bytes, source_name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text (byte {exc.start})")
        raise CatalogError(source_name, [problem]) from exc


def _validate(
    model: type[_ModelT], text: str, source_name: str, *, keep_parse: bool = False
) -> _ModelT:
    """Parse (or read the kept parse of) ``text`` and validate it as ``model``.

    A kept parse that fails validation is never taken over the text: the text is parsed
    again and that is validated, so the problems reported are the text's own.
    """
    try:
        raw = parse_kept(text, load_strict) if keep_parse else load_strict(text)
    except yaml.YAMLError as exc:
        raise CatalogError(source_name, [_syntax_problem(exc)]) from exc
    try:
        return _validated(model, raw, text, source_name)
    except CatalogError:
        if not keep_parse:
            raise
        logger.warning("the kept parse of %s fails validation; parsing the text", source_name)
        return _validated(model, load_strict(text), text, source_name)


def _validated(model: type[_ModelT], raw: object, text: str, source_name: str) -> _ModelT:
    if not isinstance(raw, Mapping):
        problem = Problem("", "must be a YAML mapping with schema_version, id, nodes, questions")
        raise CatalogError(source_name, [problem])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from_validation(exc, _LineFinder(text))
        raise CatalogError(source_name, problems) from exc


def _syntax_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        reason += f" {context} that starts at line {context_mark.line + 1}"
    return Problem("", f"not valid YAML: {reason}", mark.line + 1 if mark else None)


def problems_from_validation(
    exc: ValidationError, lines: _LineFinder | None = None
) -> list[Problem]:
    """Turn pydantic's errors into problems with readable messages, ordered by line."""
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part != "[key]")
        line = lines.line(loc) if lines else None
        problems.append(Problem(format_location(loc), _message(error), line))
    problems.sort(key=lambda p: p.line or 0)
    return problems


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known key",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    message = message.replace("Input should be", "must be").replace("should have", "must have")
    return message[:1].lower() + message[1:]


class _LineFinder:
    """Find the line of a location such as ``("questions", 12, "priority")`` in YAML text."""

    def __init__(self, text: str) -> None:
        try:
            self._root = compose_strict(text)
        except yaml.YAMLError:
            self._root = None

    def line(self, loc: tuple[str | int, ...]) -> int | None:
        node = self._root
        if node is None:
            return None
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def dump_framework_yaml(framework: Framework) -> str:
    """Return the framework as YAML text in the file format (e.g. to store a spreadsheet set).

    Loading the text with :func:`load_framework_text` gives an equal framework.
    """
    data = framework.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data = {"schema_version": framework.schema_version, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def load_presets_text(text: str, source_name: str) -> PresetFile:
    """Parse and validate a presets file from its YAML text.

    Raises:
        CatalogError: The text has problems; every problem is listed.
    """
    return _validate(PresetFile, text, source_name)
