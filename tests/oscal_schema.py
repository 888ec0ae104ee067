"""Check OSCAL documents against NIST's published JSON schema and for dangling references.

The schema (``tests/data/oscal/oscal_complete_schema.json``, see the README there) uses
Unicode property classes such as ``\\p{L}`` in its patterns, which Python's ``re`` does not
know; the ``pattern`` keyword is therefore evaluated with the ``regex`` module, which does.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import regex

DATA = Path(__file__).parent / "data" / "oscal"
SCHEMA_FILE = DATA / "oscal_complete_schema.json"
CSF_CATALOG_FILE = DATA / "NIST_CSF_v2.0_catalog.xml"
_OSCAL_XML = "{http://csrc.nist.gov/ns/oscal/1.0}"


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if isinstance(instance, str) and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _validator(schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})
    return cls(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@cache
def _model_validator(model: str) -> jsonschema.protocols.Validator:
    """Return a validator of the one model of the complete schema whose root key is ``model``.

    The complete schema picks the model with ``oneOf``, which reports a broken document as
    "matches none"; checking against the matching branch lists every error instead.
    """
    schema = dict(_schema())
    branches = [b for b in schema.pop("oneOf") if model in b.get("required", ())]
    return _validator(schema | {"allOf": branches or [{"required": [model]}]})


def schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Return every error of a document against NIST's schema, as ``path: message`` lines.

    The document is valid when the complete schema accepts it as it is published; the
    messages come from the branch of its model.
    """
    if _validator(_schema()).is_valid(document):
        return []
    model = next(iter(document), "")
    errors = _model_validator(model).iter_errors(document)
    out = []
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(str(p) for p in error.absolute_path)
        out.append(f"{path}: {error.message[:300]}")
    return out or ["the document matches no OSCAL model"]


@cache
def csf_control_ids() -> frozenset[str]:
    """Return every control id of NIST's official CSF 2.0 OSCAL catalog."""
    root = ET.parse(CSF_CATALOG_FILE).getroot()  # noqa: S314 - NIST's file, kept in the tests
    return frozenset(c.get("id") or "" for c in root.iter(f"{_OSCAL_XML}control"))


def walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield ``(path, key, value)`` for every key of every mapping in a JSON tree."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


_UUID_DEFINERS = {"uuid"}
_UUID_REFERENCES = {
    "party-uuids",
    "actor-uuid",
    "subject-uuid",
    "observation-uuid",
    "finding-uuid",
    "risk-uuid",
    "task-uuid",
    "component-uuid",
    "item-uuid",
    "location-uuid",
    "implementation-statement-uuid",
}


def defined_uuids(documents: list[Mapping[str, Any]]) -> set[str]:
    """Return every uuid defined anywhere in these documents."""
    return {v for doc in documents for _p, k, v in walk(doc) if k in _UUID_DEFINERS}


def reference_problems(
    document: Mapping[str, Any], context: list[Mapping[str, Any]], files: set[str]
) -> list[str]:
    """Return the references of a document that do not resolve.

    Args:
        document: The document to check.
        context: The documents it may point into (those it imports), itself included.
        files: The file names an ``href`` may name (the other exported files).
    """
    uuids = defined_uuids(context)
    roles = {
        r["id"]
        for doc in context
        for _p, k, v in walk(doc)
        if k == "roles"
        for r in v
        if isinstance(r, Mapping)
    }
    problems = duplicate_definitions(document)
    for path, key, value in walk(document):
        values = value if isinstance(value, list) else [value]
        if key in _UUID_REFERENCES:
            problems += [f"{path}/{key}: {v} not defined" for v in values if v not in uuids]
        elif key == "role-id" and value not in roles:
            problems.append(f"{path}/role-id: {value} not defined")
        elif key == "href" and isinstance(value, str):
            problems += _href_problem(path, value, uuids, files)
    return problems


_ID_HOLDERS = {"groups", "controls", "parts"}


def duplicate_definitions(document: Mapping[str, Any]) -> list[str]:
    """Return the uuids, and the ids of groups, controls and parts, defined twice.

    OSCAL requires both to be unique within a document; a tool resolving ``control-id`` or
    ``objective-id`` cannot tell two definitions of one id apart.
    """
    seen: dict[str, str] = {}
    problems = []
    for path, key, value in walk(document):
        holder = path.rsplit("/", 2)[-2] if path.count("/") >= 2 else ""
        if key == "uuid" or (key == "id" and holder in _ID_HOLDERS):
            name = f"{key} {value}"
            if name in seen:
                problems.append(f"{path}/{key}: {value} already defined at {seen[name]}")
            seen.setdefault(name, path)
    return problems


def _href_problem(path: str, href: str, uuids: set[str], files: set[str]) -> list[str]:
    if href.startswith("#"):
        return [] if href[1:] in uuids else [f"{path}/href: {href} not defined"]
    if href.startswith(("https://", "http://")):
        return []
    return [] if href in files else [f"{path}/href: {href} is no exported file"]
