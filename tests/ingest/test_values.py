"""Value normalisation: vocabularies, dates, e-mails, lists and yes/no."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.ingest.fields import SPECS, aliases_markdown, header_key
from app.ingest.values import BadValue, excel_serial, normaliser, split_email
from app.ingest.vocabulary import vocabulary_markdown


def _norm(entity: str, field: str):
    return normaliser(SPECS[entity].field(field))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Owner E-mail *", "owneremail"),
        ("owner_email", "owneremail"),
        ("OWNER EMAIL (required)", "owneremail"),
        ("  Last   rotated [date] ", "lastrotated"),
        ("Système", "systeme"),
        ("(optional)", "optional"),
    ],
)
def test_header_key(text, key):
    assert header_key(text) == key


@pytest.mark.parametrize(
    ("entity", "field", "raw", "value"),
    [
        ("systems", "environment", "prod", "production"),
        ("systems", "environment", "Production", "production"),
        ("systems", "environment", " PRD ", "production"),
        ("systems", "environment", "UAT", "staging"),
        ("systems", "environment", "dev", "development"),
        ("systems", "autonomy", "human on the loop", "human-on-the-loop"),
        ("systems", "autonomy", "Human-in-the-Loop", "human-in-the-loop"),
        ("systems", "autonomy", "HITL", "human-in-the-loop"),
        ("systems", "autonomy", "fully autonomous", "autonomous"),
        ("systems", "autonomy", "decision support", "advisory"),
        ("systems", "data_classification", "Highly Confidential", "restricted"),
        ("systems", "data_classification", "internal use only", "internal"),
        ("systems", "data_classification", "PII", "confidential"),
        ("systems", "lifecycle_stage", "POC", "pilot"),
        ("systems", "lifecycle_stage", "decommissioned", "retired"),
        ("systems", "exposure", "internet facing", "public"),
        ("systems", "exposure", "B2B", "partner"),
        # An "Internet facing" column answered as a question, and the words beside it.
        ("systems", "exposure", "Yes", "public"),
        ("systems", "exposure", "[x] Yes", "public"),
        ("systems", "exposure", "No", "internal"),
        ("systems", "exposure", "Partner only", "partner"),
        ("systems", "autonomy", "semi-auto", "human-in-the-loop"),
        ("identities", "kind", "Service Principal", "service-account"),
        ("identities", "kind", "API key", "api-key"),
        ("identities", "kind", "IAM role", "role"),
        ("identities", "kind", "managed identity", "managed-identity"),
        ("grants", "action", "Read/Write", "write"),
        ("grants", "action", "*", "admin"),
        ("grants", "action", "Full Control", "admin"),
        ("grants", "action", "invoke", "execute"),
        ("delegations", "kind", "sts:AssumeRole", "assume-role"),
        ("delegations", "kind", "OBO", "on-behalf-of"),
        ("systems", "environment", "", None),
    ],
)
def test_vocabulary_variants(entity, field, raw, value):
    assert _norm(entity, field)(raw) == value


def test_unknown_vocabulary_word_names_the_choices():
    with pytest.raises(BadValue) as caught:
        _norm("systems", "environment")("moon base")
    assert str(caught.value) == (
        "'moon base' is not a known environment (use production, staging, test, development)"
    )


def test_symbols_do_not_match_other_symbols():
    assert _norm("grants", "action")("???") is None  # "not known", never "*" (admin)
    assert _norm("grants", "action")("*") == "admin"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (dt.date(2025, 3, 4), dt.date(2025, 3, 4)),
        (dt.datetime(2025, 3, 4, 23, 30), dt.date(2025, 3, 4)),
        (45678.0, dt.date(2025, 1, 21)),
        (45678, dt.date(2025, 1, 21)),
        ("45678", dt.date(2025, 1, 21)),
        ("2025-03-04", dt.date(2025, 3, 4)),
        ("2025-03-04T10:20:30+00:00", dt.date(2025, 3, 4)),
        ("2025-03-04T23:30:00-05:00", dt.date(2025, 3, 5)),
        ("2019-05-06T10:20:30Z", dt.date(2019, 5, 6)),
        ("04/03/2025", dt.date(2025, 3, 4)),
        ("4.3.2025", dt.date(2025, 3, 4)),
        ("04-03-25", dt.date(2025, 3, 4)),
        ("2025/03/04", dt.date(2025, 3, 4)),
        ("20250304", dt.date(2025, 3, 4)),
        ("4 Mar 2025", dt.date(2025, 3, 4)),
        ("March 4, 2025", dt.date(2025, 3, 4)),
        ("N/A", None),
        ("no_information", None),
        ("not_supported", None),
        ("never", None),
        ("-", None),
        ("", None),
    ],
)
def test_dates(raw, value):
    assert _norm("identities", "last_rotated")(raw) == value


@pytest.mark.parametrize("raw", ["31/02/2025", "13/13/2025", "tomorrow", "2025-02-30", True, 0])
def test_not_dates(raw):
    with pytest.raises(BadValue, match="is not a date"):
        _norm("identities", "last_rotated")(raw)


def test_excel_serial_epoch():
    assert excel_serial(1) == dt.date(1899, 12, 31)
    assert excel_serial(61) == dt.date(1900, 3, 1)


def test_emails():
    email = _norm("systems", "owner_email")
    assert email("  Maria.Okafor@Example.COM ") == "maria.okafor@example.com"
    assert email("mailto:li@example.com") == "li@example.com"
    assert email("") is None
    assert split_email("Maria Okafor <Maria@Example.com>") == ("maria@example.com", "Maria Okafor")
    with pytest.raises(BadValue, match="'Maria Okafor' is not an e-mail address"):
        email("Maria Okafor")


@pytest.mark.parametrize(
    ("raw", "items"),
    [
        ("svc-a; svc-b", ["svc-a", "svc-b"]),
        ("svc-a,svc-b", ["svc-a", "svc-b"]),
        ("svc-a\nsvc-b\r\nsvc-c", ["svc-a", "svc-b", "svc-c"]),
        (" svc-a ;; svc-a ; ", ["svc-a"]),
        (1001.0, ["1001"]),
        ("", []),
    ],
)
def test_several_ids_in_one_cell(raw, items):
    assert _norm("systems", "identities")(raw) == items


def test_list_results_are_not_shared():
    tools = _norm("systems", "tools")
    first = tools("a; b")
    first.append("c")
    assert tools("a; b") == ["a", "b"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("yes", True), ("Y", True), ("✓", True), (True, True), (1.0, True), ("No", False),
     ("false", False), (0, False), ("", None)],
)  # fmt: skip
def test_yes_no(raw, value):
    assert _norm("grants", "logged")(raw) is value


def test_yes_no_rejects_other_words():
    with pytest.raises(BadValue, match="'maybe' is not yes or no"):
        _norm("grants", "logged")("maybe")


def test_alias_documentation_is_current():
    docs = Path(__file__).resolve().parents[2] / "docs" / "import-aliases.md"
    text = docs.read_text(encoding="utf-8")
    assert aliases_markdown() in text
    assert vocabulary_markdown() in text
