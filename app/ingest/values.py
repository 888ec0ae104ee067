"""Turn cell values as clients write them into canonical values.

Each normaliser takes a cell as read (text, number, date, boolean or empty) and returns the
canonical value, or raises :class:`BadValue` with a reason the user can read. Empty cells give
the field's empty value (``""``, ``None`` or ``[]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    LifecycleStage,
    Sensitivity,
)
from app.ingest.fields import BOOL, DATE, EMAIL, ENUM, ID, IDS, LIST, TEXT, FieldSpec, header_key
from app.ingest.problems import quote

logger = logging.getLogger(__name__)


class BadValue(ValueError):  # noqa: N818 - reads as what the cell is
    """A cell value that cannot be read as what its column holds; the message is the reason."""


Normaliser = Callable[[Any], Any]
_MISSING = object()

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2_958_465  # 9999-12-31
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_NAMED_EMAIL = re.compile(r"^\s*\"?([^<>\"]*?)\"?\s*<\s*([^<>]+?)\s*>\s*$")
_SPLIT = re.compile(r"[;,\n\r]+")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:[ T].*)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[ T].*)?$")
_NAMED_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")
_EMPTY_WORDS = frozenset(
    header_key(w)
    for w in ("n/a", "na", "none", "never", "null", "no_information", "not_supported",
              "not set", "unknown", "tbd")
)  # fmt: skip
_TRUE = frozenset(
    header_key(w)
    for w in ("yes", "y", "true", "1", "x", "required", "enabled", "on", "ja", "oui")
) | {"✓", "✔", "☑"}  # fmt: skip
_FALSE = frozenset(
    header_key(w)
    for w in ("no", "n", "false", "0", "not required", "disabled", "off", "nein", "non")
)  # fmt: skip

# Spelling variants (compared by header_key) of each vocabulary, beside the values themselves.
# fmt: off
_VARIANTS: dict[type[StrEnum], dict[str, str]] = {
    Environment: {
        "production": "prod | prd | live | prod env | p",
        "staging": "stage | stg | preprod | pre-production | pre prod | acceptance | uat",
        "test": "testing | tst | qa | quality assurance | integration | sit",
        "development": "dev | develop | sandbox | lab | local",
    },
    LifecycleStage: {
        "planned": "plan | planning | idea | proposed | proposal | design | backlog | concept",
        "development": "dev | in development | build | building | implementation",
        "pilot": "poc | proof of concept | trial | beta | pilot phase | experiment | mvp | "
                 "preview",
        "production": "prod | live | deployed | in production | operational | in use | active | "
                      "ga | general availability | run",
        "retired": "decommissioned | sunset | archived | retiring | deprecated | withdrawn | "
                   "end of life | eol | inactive",
    },
    Autonomy: {
        "advisory": "advise | advisor | recommend | recommendation | recommendations only | "
                    "assistive | assist | decision support | suggest | suggestions | "
                    "informational | read only | none",
        "human-in-the-loop": "hitl | human in loop | human approval | approval required | "
                             "human approves | semi autonomous | semi-automated",
        "human-on-the-loop": "hotl | human on loop | supervised | human oversight | monitored | "
                             "human supervision",
        "autonomous": "fully autonomous | full autonomy | agentic | unattended | automated | "
                      "fully automated | full | no human | auto | human out of the loop",
    },
    Sensitivity: {
        "public": "open | unclassified | public data | c0 | tlp clear | tlp white",
        "internal": "internal use | internal only | internal use only | company | private | c1 | "
                    "tlp green | low",
        "confidential": "sensitive | confidential data | c2 | tlp amber | medium | pii | "
                        "personal | personal data",
        "restricted": "secret | highly confidential | strictly confidential | highly restricted | "
                      "top secret | c3 | c4 | tlp red | high | critical | special category | "
                      "phi | pci",
    },
    Exposure: {
        "internal": "internal only | employees | staff | intranet | private | internal users | "
                    "back office | corporate",
        "partner": "partners | b2b | third party | third parties | extranet | suppliers | "
                   "vendors | partner facing",
        "public": "external | internet | internet facing | customer facing | customers | "
                  "public facing | b2c | open | anonymous | everyone",
    },
    IdentityKind: {
        "service-account": "svc | sa | service principal | spn | system account | "
                           "technical account | machine account | service user | bot account | "
                           "non human | nhi",
        "api-key": "key | access key | token | api token | pat | personal access token | secret | "
                   "bearer token | client secret",
        "oauth-client": "oauth | oauth app | oauth application | app registration | "
                        "client credentials | application | app | enterprise application | client",
        "agent-identity": "agent | ai agent | agent id | bot | workload agent",
        "managed-identity": "msi | workload identity | system assigned | user assigned | "
                            "instance profile | workload identity federation | pod identity",
        "role": "iam role | aws role | assumable role | group | cloud role",
        "human-delegation": "delegation | delegated | delegated access | on behalf of | obo | "
                            "user delegation | consent",
        "human-user": "user | human | iam user | person | employee | named user | root | "
                      "root account",
    },
    Action: {
        "read": "r | view | viewer | reader | list | get | select | query | readonly | ro | "
                "browse | download | read access",
        "execute": "exec | x | invoke | run | call | trigger | use | send | execute access",
        "write": "w | update | create | modify | edit | put | post | delete | insert | "
                 "contributor | editor | read write | rw | upload | write access | change",
        "admin": "administrator | owner | full | full control | full access | * | all | manage | "
                 "superuser | root | admin access | god mode | privileged | administer",
    },
    DelegationKind: {
        "assume-role": "assume | sts:AssumeRole | role chaining | switch role | trust",
        "impersonate": "impersonation | act as | run as | service account user | "
                       "token creator | sudo",
        "on-behalf-of": "obo | delegated | delegation | oauth delegation | user delegation | "
                        "token exchange",
    },
}
# fmt: on


def _variants(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _vocabulary(enum: type[StrEnum]) -> dict[str, str]:
    table = {header_key(member.value): member.value for member in enum}
    for value, variants in _VARIANTS.get(enum, {}).items():
        for variant in _variants(variants):
            table.setdefault(vocabulary_key(variant), value)
    return table


def vocabulary_key(text: str) -> str:
    """Return the key a vocabulary word is looked up by (symbols such as ``*`` kept as is)."""
    return header_key(text) or text.strip().lower()


_VOCABULARIES: dict[type[StrEnum], dict[str, str]] = {e: _vocabulary(e) for e in _VARIANTS}


def is_blank(value: Any) -> bool:
    """Return True for an empty cell (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """Return a cell as trimmed text: whole numbers without ``.0``, dates as ISO text."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value).strip()


def split_email(value: Any) -> tuple[str | None, str]:
    """Read an e-mail cell, which may be ``Name <address>``.

    Returns:
        The address (lower case) or None when empty, and the name when the cell gave one.

    Raises:
        BadValue: The cell does not hold an e-mail address.
    """
    text = as_text(value)
    if not text:
        return None, ""
    name = ""
    named = _NAMED_EMAIL.match(text)
    if named:
        name, text = named.group(1).strip(), named.group(2)
    text = text.strip().lower().removeprefix("mailto:")
    if not _EMAIL.match(text):
        raise BadValue(f"{quote(as_text(value))} is not an e-mail address")
    return text, name


def _email(value: Any) -> str | None:
    return split_email(value)[0]


def _text(value: Any) -> str:
    return as_text(value)


def _items(value: Any) -> list[str]:
    text = as_text(value)
    if not text:
        return []
    if "," not in text and ";" not in text and "\n" not in text and "\r" not in text:
        return [text]
    items: list[str] = []
    seen: set[str] = set()
    for part in _SPLIT.split(text):
        part = part.strip()
        if part and part not in seen:
            seen.add(part)
            items.append(part)
    return items


def _copying(function: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    """Return a memoised list-valued normaliser that hands each caller its own list."""
    remembered = memoised(function)

    def fresh(value: Any) -> list[str]:
        return list(remembered(value))

    return fresh


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    key = header_key(as_text(value)) or as_text(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise BadValue(f"{quote(value)} is not yes or no")


def excel_serial(serial: float) -> dt.date:
    """Return the date of an Excel serial day number (1900 date system)."""
    if not 1 <= serial <= _MAX_SERIAL:
        raise BadValue(f"{quote(as_text(serial))} is not a date")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool | dt.time | dt.timedelta):
        raise BadValue(f"{quote(as_text(value))} is not a date")
    if isinstance(value, int | float):
        return excel_serial(value)
    text = as_text(value)
    if not text or text in {"-", "--", "—", "–"} or header_key(text) in _EMPTY_WORDS:
        return None
    parsed = _parse_date_text(text)
    if parsed is None:
        raise BadValue(f"{quote(text)} is not a date")
    return parsed


def _parse_date_text(text: str) -> dt.date | None:
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        stamp = None
    if stamp is not None:
        return _date(stamp)
    for pattern, order in ((_DAY_FIRST, (3, 2, 1)), (_YEAR_FIRST, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            year += 2000 if year < 100 else 0
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    if text.isdigit():
        if len(text) == 8:
            try:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                return None
        if len(text) == 5:
            return excel_serial(int(text))
        return None
    cleaned = text.replace(",", " ").replace(".", " ")
    cleaned = " ".join(cleaned.split())
    for fmt in _NAMED_MONTH_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _enum_normaliser(fspec: FieldSpec) -> Normaliser:
    assert fspec.enum is not None
    vocabulary = _VOCABULARIES.get(fspec.enum) or _vocabulary(fspec.enum)
    label = fspec.name.replace("_", " ")
    choices = ", ".join(member.value for member in fspec.enum)

    def normalise(value: Any) -> str | None:
        text = as_text(value)
        if not text:
            return None
        found = vocabulary.get(vocabulary_key(text))
        if found is None:
            raise BadValue(f"{quote(text)} is not a known {label} (use {choices})")
        return found

    return normalise


_BY_KIND: dict[str, Normaliser] = {
    TEXT: _text,
    ID: _text,
    EMAIL: _email,
    DATE: _date,
    LIST: _items,
    IDS: _items,
    BOOL: _bool,
}


def memoised(function: Callable[[Any], Any], size: int = 20_000) -> Callable[[Any], Any]:
    """Return ``function`` remembering its results for up to ``size`` distinct cells.

    Columns of owners, vocabularies and dates repeat the same few values over thousands of rows;
    failures are not remembered (they raise each time, so every row gets its problem).
    """
    texts: dict[str, Any] = {}  # text cells, the common case, keyed by the text alone
    others: dict[tuple[type, Any], Any] = {}  # 1, 1.0 and True are equal keys: add the type

    def remembered(value: Any) -> Any:
        if value.__class__ is str:
            found = texts.get(value, _MISSING)
            if found is _MISSING:
                found = function(value)
                if len(texts) < size:
                    texts[value] = found
            return found
        key = (type(value), value)
        try:
            return others[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell: nothing to remember
            return function(value)
        result = function(value)
        if len(others) < size:
            others[key] = result
        return result

    return remembered


def normaliser(fspec: FieldSpec) -> Normaliser:
    """Return the function that normalises cells of this field.

    Fields with few distinct values (vocabularies, e-mails, dates, yes/no) are memoised; each call
    returns a fresh memo, so its cache lives as long as the reading of one sheet.
    """
    if fspec.kind == ENUM:
        return memoised(_enum_normaliser(fspec))
    if fspec.kind in (EMAIL, DATE, BOOL):
        return memoised(_BY_KIND[fspec.kind])
    if fspec.kind in (LIST, IDS):
        return _copying(_BY_KIND[fspec.kind])
    return _BY_KIND[fspec.kind]


def empty_value(fspec: FieldSpec) -> Any:
    """Return the value an empty cell of this field stands for."""
    if fspec.kind in (TEXT, ID):
        return ""
    if fspec.kind in (LIST, IDS):
        return []
    return None


def vocabulary_variants(enum: type[StrEnum]) -> dict[str, tuple[str, ...]]:
    """Return the accepted spelling variants of each value of a vocabulary (for the docs)."""
    return {value: _variants(text) for value, text in _VARIANTS.get(enum, {}).items()}


def vocabulary_markdown() -> str:
    """Return the accepted spelling variants of every vocabulary as Markdown (for the docs)."""
    lines: list[str] = []
    for enum, variants in _VARIANTS.items():
        lines += [f"### {enum.__name__}", "", "| Value | Also accepted |", "|---|---|"]
        for value, text in variants.items():
            accepted = ", ".join(f"`{v}`" for v in _variants(text))
            lines.append(f"| `{value}` | {accepted} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
