"""Masking of secret identifiers for client-facing reports.

The reporting service applies :func:`mask_secret` to identity ids, names, paths and free text
when it builds a view-model with the ``client`` profile. What counts as a secret identifier:

- ARNs (``arn:aws:iam::123456789012:role/agent-runner``): the account number keeps its last
  four digits and the resource name its first three characters;
- cloud access key ids (``AKIA…``, ``ASIA…``) and common token formats (``ghp_…``, ``xoxb-…``,
  ``sk-…``, ``AIza…``, ``glpat-…``): the recognisable prefix and the last four characters stay;
- GUIDs (Azure client and key ids) and long hexadecimal or base64-like strings of 20 characters
  or more that mix letters and digits: the last four characters stay.

Everything else is returned unchanged, so a masked text still reads naturally.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

MASK = "•"

_ARN = re.compile(
    r"\barn:(?P<partition>[\w-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):"
    r"(?P<account>\d{12})?:(?P<resource>[^\s,;\"'<>]+)"
)
_PREFIXED = re.compile(
    r"\b(?P<prefix>AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ghp_|gho_|ghs_|ghu_|github_pat_|"
    r"glpat-|xox[abposr]-|sk-(?:proj-|ant-)?|AIza)(?P<body>[A-Za-z0-9_\-]{12,})"
)
_GUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
_LONG_TOKEN = re.compile(r"(?<![\w/.-])[A-Za-z0-9+/_=-]{20,}(?![\w/.-])")


def _keep_tail(value: str, keep: int = 4) -> str:
    if len(value) <= keep:
        return MASK * len(value)
    return MASK * 4 + value[-keep:]


def _mask_arn(match: re.Match[str]) -> str:
    account = match.group("account") or ""
    resource = match.group("resource")
    kind, sep, name = resource.rpartition("/") if "/" in resource else ("", "", resource)
    if not sep and ":" in resource:
        kind, sep, name = resource.partition(":")
    masked_name = name[:3] + MASK * 3 if len(name) > 3 else MASK * 3
    masked_account = _keep_tail(account) if account else ""
    return (
        f"arn:{match.group('partition')}:{match.group('service')}:{match.group('region')}:"
        f"{masked_account}:{kind}{sep}{masked_name}"
    )


def _mask_prefixed(match: re.Match[str]) -> str:
    return match.group("prefix") + _keep_tail(match.group("body"))


#: A word of a hyphenated name shorter than this may mix letters and digits ("v2", "ais001").
_READABLE_MIXED = 7
_SEPARATORS = re.compile(r"[-_]")


def _mixes(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _looks_secret(token: str) -> bool:
    """Whether a long token is a secret rather than a name made of words and numbers.

    A name such as ``MX-AI-0001-CUSTOMER-SERVICE`` or ``claims-agent-v2-prod-2026`` is words
    and numbers joined by hyphens; a key or token mixes letters and digits within its pieces.
    """
    if not _mixes(token):
        return False
    words = [w for w in _SEPARATORS.split(token) if w]
    if len(words) < 2:
        return True
    return any(_mixes(w) and len(w) >= _READABLE_MIXED for w in words)


def _mask_long(match: re.Match[str]) -> str:
    token = match.group(0)
    return _keep_tail(token) if _looks_secret(token) else token


def mask_secret(text: str) -> str:
    """Mask secret identifiers (ARNs, key ids, tokens, GUIDs) inside ``text``.

    Args:
        text: Any text: an identifier, a path, a note.

    Returns:
        The text with each secret identifier shortened to a recognisable, non-secret form;
        text without secrets comes back unchanged. Masking an already masked text changes
        nothing.
    """
    if not text:
        return text
    masked = _ARN.sub(_mask_arn, text)
    masked = _PREFIXED.sub(_mask_prefixed, masked)
    masked = _GUID.sub(lambda m: _keep_tail(m.group(0)), masked)
    return _LONG_TOKEN.sub(_mask_long, masked)
