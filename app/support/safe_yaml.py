"""YAML that cannot hurt: no aliases, no duplicate keys, no runaway nesting.

PyYAML's safe loader builds only plain data, but it still expands aliases (a kilobyte of nested
``*a`` references becomes billions of values) and lets a repeated key silently replace the
first. Here the document is first composed into nodes, which are checked, and only then
constructed: an alias, a duplicate key or nesting deeper than :data:`MAX_DEPTH` is refused with
the line it is on, before anything is expanded.
"""

from __future__ import annotations

import logging
from typing import Any

import yaml

logger = logging.getLogger(__name__)

MAX_DEPTH = 64
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RefusedYamlError(yaml.MarkedYAMLError):  # type: ignore[misc]  # PyYAML ships no types
    """The YAML is well formed but uses something Assay refuses (alias, duplicate key)."""


def load_strict(text: str) -> Any:
    """Parse one YAML document into plain data, refusing aliases and duplicate keys.

    Raises:
        yaml.YAMLError: The text is not valid YAML, or is refused (:class:`RefusedYamlError`).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def compose_strict(text: str) -> yaml.Node | None:
    """Compose the text into checked nodes (for finding the line of a problem)."""
    node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - a safe loader class
    if node is not None:
        check_nodes(node)
    return node


def check_nodes(root: yaml.Node) -> None:
    """Refuse a node tree with an alias (a node reached twice), a duplicate key or deep nesting.

    Raises:
        RefusedYamlError: Naming the line of the first such node.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            _refuse(node, "aliases (*name) are not accepted; write the value out")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            _refuse(node, f"nesting deeper than {MAX_DEPTH} levels is not accepted")
        if isinstance(node, yaml.MappingNode):
            _check_keys(node)
            stack.extend((part, depth + 1) for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _check_keys(node: yaml.MappingNode) -> None:
    keys: set[str] = set()
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "<<":
            _refuse(key, "merge keys (<<) are not accepted; write the values out")
        if key.value in keys:
            _refuse(key, f"the key {key.value!r} appears twice in the same mapping")
        keys.add(key.value)


def _refuse(node: yaml.Node, reason: str) -> None:
    raise RefusedYamlError(problem=reason, problem_mark=node.start_mark)
