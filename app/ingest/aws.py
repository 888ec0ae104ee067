"""The AWS IAM credential report, read exactly as AWS produces it.

Each row is an IAM user (the account's root user is the row ``<root_account>``). Every user
becomes an identity (its ARN is the id), and so does each of its access keys
(``access_key_1`` and ``access_key_2``) that exists, with the key's rotation and last-use
dates. AWS writes ``N/A``, ``no_information`` and ``not_supported`` where a value does not
apply; those read as empty. The columns that have no canonical field (MFA, regions, services,
certificates) are kept as custom attributes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from app.domain.enums import IdentityKind
from app.ingest.fields import IDENTITIES, SPECS
from app.ingest.problems import IngestError, Problem, Source, quote
from app.ingest.records import IdentityRecord, ParsedInventory, SheetInfo
from app.ingest.values import BadValue, normaliser
from app.ingest.xlsx import RawSheet

logger = logging.getLogger(__name__)

FORMAT = "aws-credential-report"
PROVIDER = "AWS IAM"
ROOT_USER = "<root_account>"
PLACEHOLDERS = frozenset({"n/a", "no_information", "not_supported", ""})
REQUIRED_COLUMNS = ("user", "arn", "user_creation_time", "access_key_1_active")
KEY_SLOTS = (1, 2)

_USER_ATTRIBUTES = (
    "password_enabled",
    "password_next_rotation",
    "mfa_active",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
_KEY_ATTRIBUTES = ("active", "last_used_region", "last_used_service")


_to_date = normaliser(SPECS[IDENTITIES].field("last_used"))


def looks_like_report(raw: RawSheet) -> bool:
    """Return True when the sheet's first row is a credential report's header."""
    if not raw.rows:
        return False
    header = [str(c).strip().lower() for c in raw.rows[0]]
    return all(column in header for column in REQUIRED_COLUMNS)


class _Reader:
    def __init__(self, file: str, raw: RawSheet) -> None:
        self.file, self.raw = file, raw
        self.header = [str(c).strip().lower() for c in raw.rows[0]]
        self.position = {name: i for i, name in enumerate(self.header)}
        self.out = ParsedInventory(file, FORMAT)
        self.errors: list[Problem] = []

    def cell(self, row: list[Any], column: str) -> str:
        index = self.position.get(column)
        if index is None or index >= len(row):
            return ""
        text = str(row[index]).strip()
        return "" if text.lower() in PLACEHOLDERS else text

    def date(self, row: list[Any], column: str, source: Source) -> dt.date | None:
        text = self.cell(row, column)
        if not text:
            return None
        try:
            return _to_date(text)
        except BadValue as exc:
            self.errors.append(Problem(self.file, "", source.row, column, str(exc)))
            return None

    def flag(self, row: list[Any], column: str, source: Source) -> bool | None:
        text = self.cell(row, column).lower()
        if text in ("true", "false"):
            return text == "true"
        if text:
            reason = f"{quote(text)} is not true or false"
            self.errors.append(Problem(self.file, "", source.row, column, reason))
        return None

    def user_record(self, row: list[Any], source: Source) -> IdentityRecord | None:
        user, arn = self.cell(row, "user"), self.cell(row, "arn")
        if not arn:
            self.errors.append(Problem(self.file, "", source.row, "arn", "the row has no ARN"))
            return None
        root = user == ROOT_USER
        human = root or self.flag(row, "password_enabled", source) is True
        used = [self.date(row, "password_last_used", source)]
        used += [self.date(row, f"access_key_{n}_last_used_date", source) for n in KEY_SLOTS]
        values = {
            "id": arn,
            "name": "root user" if root else user,
            "kind": (IdentityKind.HUMAN_USER if human else IdentityKind.SERVICE_ACCOUNT).value,
            "provider": PROVIDER,
            "created": self.date(row, "user_creation_time", source),
            "last_rotated": self.date(row, "password_last_changed", source),
            "last_used": max((d for d in used if d), default=None),
        }
        attributes: dict[str, Any] = {"user": user, "account": _account(arn)}
        for column in _USER_ATTRIBUTES:
            if column in self.position:
                attributes[column] = str(row[self.position[column]]).strip()
        headers = {
            "id": "arn",
            "name": "user",
            "created": "user_creation_time",
            "last_rotated": "password_last_changed",
            "last_used": "password_last_used",
        }
        return IdentityRecord((arn,), values, attributes, source, headers)

    def key_record(self, row: list[Any], slot: int, source: Source) -> IdentityRecord | None:
        prefix = f"access_key_{slot}_"
        active = self.flag(row, prefix + "active", source)
        rotated = self.date(row, prefix + "last_rotated", source)
        if not active and rotated is None:
            return None
        user, arn = self.cell(row, "user"), self.cell(row, "arn")
        key_id = f"{arn}/access_key_{slot}"
        values = {
            "id": key_id,
            "name": f"{'root user' if user == ROOT_USER else user} access key {slot}",
            "kind": IdentityKind.API_KEY.value,
            "provider": PROVIDER,
            "last_rotated": rotated,
            "last_used": self.date(row, prefix + "last_used_date", source),
        }
        attributes: dict[str, Any] = {"user": user, "user_arn": arn, "slot": slot}
        for name in _KEY_ATTRIBUTES:
            if prefix + name in self.position:
                attributes[name] = str(row[self.position[prefix + name]]).strip()
        headers = {
            "id": "arn",
            "last_rotated": prefix + "last_rotated",
            "last_used": prefix + "last_used_date",
        }
        return IdentityRecord((key_id,), values, attributes, source, headers)

    def run(self) -> ParsedInventory:
        seen: dict[str, int] = {}
        rows = self.raw.rows
        read = rejected = 0
        for index in range(1, len(rows)):
            row = rows[index]
            if not any(str(c).strip() for c in row):
                continue
            read += 1
            source = Source(self.file, "", index + 1)
            self.errors = []
            records = [self.user_record(row, source)]
            records += [self.key_record(row, slot, source) for slot in KEY_SLOTS]
            arn = self.cell(row, "arn")
            if arn in seen:
                reason = f"duplicate ARN {quote(arn)}: already on row {seen[arn]}"
                self.errors.append(Problem(self.file, "", source.row, "arn", reason))
            elif arn:
                seen[arn] = source.row
            if self.errors:
                rejected += 1
                self.out.problems.extend(self.errors)
                self.out.reject([r for r in records if r is not None])
                continue
            self.out.records[IDENTITIES].extend(r for r in records if r is not None)
        self.out.rows = read
        self.out.covered = {IDENTITIES}
        columns = [(h, "") for h in self.header]
        self.out.sheets.append(SheetInfo(self.raw.name, IDENTITIES, 1, columns, read, rejected))
        return self.out


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def read_credential_report(file: str, raw: RawSheet) -> ParsedInventory:
    """Read an AWS IAM credential report into identity records.

    Args:
        file: The file name, for messages.
        raw: The report's cells (a CSV file's only sheet).

    Returns:
        The identities (users and their access keys) and the problems found.

    Raises:
        IngestError: The sheet is not a credential report.
    """
    if not looks_like_report(raw):
        raise IngestError(
            f"{file} is not an AWS IAM credential report: its first row should be the "
            "report's header (user,arn,user_creation_time,...)"
        )
    return _Reader(file, raw).run()
