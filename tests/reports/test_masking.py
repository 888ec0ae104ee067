"""Secret identifiers are masked for client reports; ordinary text is left alone."""

from __future__ import annotations

import pytest

from app.reports.masking import mask_secret


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("arn:aws:iam::123456789012:role/agent-runner", "123456789012", "9012"),
        ("arn:aws:iam::123456789012:role/agent-runner", "agent-runner", "role/age"),
        ("key AKIAIOSFODNN7EXAMPLE in use", "IOSFODNN7EXA", "AKIA"),
        ("client 1b4e28ba-2fa1-11d2-883f-0016d3cca427", "1b4e28ba", "a427"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijkl", "ghp_"),
        ("xoxb-123456789012-abcdefABCDEF", "123456789012", "xoxb-"),
        (
            "secret 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "9f86d08",
            "0a08",
        ),
        ("url-safe Zx9_k2LmQ-8pR7sT1uVwXy3", "8pR7sT1uVw", "wXy3"),
    ],
)
def test_secrets_are_masked(text, secret, kept):
    masked = mask_secret(text)
    assert secret not in masked
    assert kept in masked


@pytest.mark.parametrize(
    "text",
    [
        "",
        "svc-claims-runner",
        "Rotate the key every 90 days through the secrets manager.",
        "https://example.com/docs/runbook",
        "GOVERN 1.1 and PR.AA-05",
        "an-ordinary-very-long-hyphenated-identifier-name",
        # System ids and names of words and numbers are names, not secrets.
        "MX-AI-0001-ENTERPRISE-CUSTOMER-SERVICE",
        "claims-agent-v2-prod-2026-westeurope",
    ],
)
def test_ordinary_text_is_unchanged(text):
    assert mask_secret(text) == text


def test_masking_is_idempotent():
    text = "arn:aws:s3:::claims-bucket and AKIAIOSFODNN7EXAMPLE"
    assert mask_secret(mask_secret(text)) == mask_secret(text)
