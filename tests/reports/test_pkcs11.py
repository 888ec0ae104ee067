"""Signing on a PKCS#11 token, for real: SoftHSM2 tokens made for the test.

The assessor signs on the assessor's card, the reviewer countersigns on the reviewer's card;
Assay and pdfsig both accept the two signatures against the firm's root.
"""

from __future__ import annotations

import logging

import pytest

from app.reports.credentials import Credential, list_tokens
from app.reports.errors import SigningError
from app.reports.signing import sign_pdf
from app.reports.trust import load_trust
from app.reports.verify import Verdict, verify_pdf
from tests.pki import CERTUTIL, PDFSIG, SOFTHSM_LIB, TOKEN_PIN, nss_db, pdfsig, shared_softhsm

pytestmark = pytest.mark.skipif(SOFTHSM_LIB is None, reason="SoftHSM2 not installed")


@pytest.fixture(scope="module")
def hsm(tmp_path_factory):
    return shared_softhsm(tmp_path_factory)


def _card(token: str, key: str, pin: str = TOKEN_PIN) -> Credential:
    return Credential(pkcs11_lib=SOFTHSM_LIB, token=token, key=key, secret=pin.encode())


def test_the_library_lists_tokens_and_their_keys(hsm):
    from pathlib import Path

    tokens = {t.label: t for t in list_tokens(Path(SOFTHSM_LIB))}
    assert {"Assessor Card", "Reviewer Card"} <= set(tokens)
    (key,) = tokens["Assessor Card"].keys
    assert key.label == "alice-sign"
    assert "Alice Assessor" in key.subject


def test_assessor_signs_and_reviewer_countersigns_on_tokens(hsm, report_pdf, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    signed = tmp_path / "signed.pdf"
    first = sign_pdf(report_pdf, signed, _card("Assessor Card", "alice-sign"))
    assert first.signer == "Alice Assessor"
    both = tmp_path / "countersigned.pdf"
    second = sign_pdf(signed, both, _card("Reviewer Card", "rob-sign"), role="reviewer")
    assert (second.signer, second.role) == ("Rob Reviewer", "reviewer")
    result = verify_pdf(both, load_trust([hsm.root_pem]))
    assert result.verdict is Verdict.TRUSTED
    rows = [(c.facts.role, c.facts.signer, c.changed_after) for c in result.signatures]
    assert rows == [
        ("assessor", "Alice Assessor", "later signatures added"),
        ("reviewer", "Rob Reviewer", "nothing"),
    ]
    assert TOKEN_PIN not in caplog.text
    if PDFSIG and CERTUTIL:
        report = pdfsig(both, nss_db(tmp_path / "nss", hsm.pki.pki.root))
        assert report.count("Signature is Valid") == 2
        assert report.count("Certificate is Trusted") == 2
        assert "Alice Assessor" in report
        assert "Rob Reviewer" in report


@pytest.mark.parametrize(
    ("token", "key", "pin", "message"),
    [
        ("Assessor Card", "alice-sign", "0000-wrong", "wrong PIN"),
        ("No Such Card", "alice-sign", TOKEN_PIN, "No token 'No Such Card'"),
        ("Assessor Card", "nobody", TOKEN_PIN, "No key and certificate 'nobody'"),
    ],
)
def test_token_mistakes_are_one_line_without_the_pin(
    hsm, report_pdf, tmp_path, token, key, pin, message
):
    with pytest.raises(SigningError) as caught:
        sign_pdf(report_pdf, tmp_path / "x.pdf", _card(token, key, pin))
    assert message in str(caught.value)
    assert pin not in str(caught.value)
    assert not (tmp_path / "x.pdf").exists()
