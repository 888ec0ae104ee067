"""Parsed framework YAML kept between runs gives exactly what parsing the text gives."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal

import pytest
import yaml

from app.catalog import parsed_yaml
from app.catalog.errors import CatalogError
from app.catalog.loader import load_framework_text
from app.catalog.registry import load_default_catalog, shipped_framework_paths
from app.support.safe_yaml import load_strict


def _kept_files():
    folder = parsed_yaml._kept_path("x").parent  # noqa: SLF001 - where the copies are kept
    return sorted(folder.glob("*")) if folder.exists() else []


def test_every_shipped_file_reads_back_exactly_what_it_parses_into():
    for path in shipped_framework_paths():
        text = path.read_text(encoding="utf-8-sig")
        parsed = load_strict(text)
        first = parsed_yaml.parse_kept(text, load_strict)  # parses and keeps
        again = parsed_yaml.parse_kept(text, pytest.fail)  # read back: never parsed
        assert first == again == parsed
        assert repr(again) == repr(parsed)  # the same types too (integer keys, booleans)


def test_the_catalog_read_back_equals_the_catalog_parsed(monkeypatch):
    kept = load_default_catalog()
    assert _kept_files()
    kept_again = load_default_catalog()
    monkeypatch.setattr("app.catalog.loader.parse_kept", lambda text, parse: parse(text))
    parsed = load_default_catalog()
    dumps = [[f.model_dump() for f in c.frameworks()] for c in (kept, kept_again, parsed)]
    assert dumps[0] == dumps[1] == dumps[2]


def test_a_changed_text_is_parsed_again():
    text = "id: one\nlevels: {1: low, 2: high}\n"
    assert parsed_yaml.parse_kept(text, load_strict) == {
        "id": "one",
        "levels": {1: "low", 2: "high"},
    }
    changed = text.replace("high", "higher")
    assert parsed_yaml.parse_kept(changed, load_strict)["levels"][2] == "higher"


def test_data_that_would_not_come_back_the_same_is_not_kept():
    text = "id: dated\nreleased: 2025-01-31\n"
    assert parsed_yaml.parse_kept(text, load_strict)["released"] == dt.date(2025, 1, 31)
    assert _kept_files() == []


def test_a_text_that_fails_to_parse_is_refused_every_time():
    text = "id: a\nid: b\n"
    for _ in range(2):
        with pytest.raises(yaml.YAMLError):
            parsed_yaml.parse_kept(text, load_strict)
    assert _kept_files() == []


def test_a_damaged_copy_is_parsed_again(tmp_path):
    text = "id: damaged\nschema_version: 1\n"
    parsed_yaml.parse_kept(text, load_strict)
    (copy,) = _kept_files()
    copy.write_bytes(b"\x00 not marshal data")
    assert parsed_yaml.parse_kept(text, load_strict) == {"id": "damaged", "schema_version": 1}


def test_a_framework_with_problems_reports_them_as_before():
    bad = "schema_version: 1\nid: x\n"
    reported = []
    for _ in range(2):  # parsed and kept, then read back: the same problems
        with pytest.raises(CatalogError, match="required") as raised:
            load_framework_text(bad, "bad.yaml", keep_parse=True)
        reported.append(raised.value.problems)
    assert len(_kept_files()) == 1
    assert reported[0] == reported[1]


def _shipped_text():
    path = next(iter(shipped_framework_paths()))
    return path, path.read_text(encoding="utf-8-sig")


def test_a_copy_changed_in_any_byte_is_not_used():
    _, text = _shipped_text()
    parsed = parsed_yaml.parse_kept(text, load_strict)
    (copy,) = _kept_files()
    kept = copy.read_bytes()
    for position in (0, len(parsed_yaml._HEADER) + 3, len(kept) // 2, len(kept) - 1):
        changed = bytearray(kept)
        changed[position] ^= 0x01
        copy.write_bytes(bytes(changed))
        assert parsed_yaml.parse_kept(text, load_strict) == parsed
        assert copy.read_bytes() == kept  # parsed again and kept again, as it was
    copy.write_bytes(kept[: len(kept) // 2])  # cut short
    assert parsed_yaml.parse_kept(text, load_strict) == parsed


def test_a_copy_written_by_another_version_is_not_used(monkeypatch):
    text = "id: versioned\n"
    parsed_yaml.parse_kept(text, load_strict)
    monkeypatch.setattr(parsed_yaml, "_HEADER", b"assay parsed YAML, marshal 4, app 99.0\n")
    assert parsed_yaml.parse_kept(text, lambda _: {"id": "parsed again"}) == {"id": "parsed again"}


def test_a_checksummed_copy_that_fails_validation_gives_way_to_the_text():
    path, text = _shipped_text()
    from app.catalog.loader import load_framework

    expected = load_framework(path).model_dump()  # not kept: parsed
    assert _kept_files() == []
    load_framework(path, shipped=True)
    (copy,) = _kept_files()
    payload = marshal.dumps({"id": 1})  # a copy with its checksum made to match
    digest = hashlib.sha256(payload).hexdigest().encode()
    copy.write_bytes(parsed_yaml._HEADER + digest + b"\n" + payload)
    assert load_framework(path, shipped=True).model_dump() == expected


def test_only_shipped_texts_are_kept():
    _, shipped = _shipped_text()
    own = shipped + "\n# the user's own copy\n"
    assert load_framework_text(own, "mine.yaml", custom=True).custom
    assert _kept_files() == []
    load_default_catalog(extra=[])
    kept = {copy.name for copy in _kept_files()}
    assert len(kept) == len(list(shipped_framework_paths())) + 1  # and the crosswalk
