"""Signed reports verify with pyHanko and poppler; any change after signing is caught."""

from __future__ import annotations

import hashlib
import json
import re
import stat

import pytest

from app.reports.certificates import create_self_signed_p12, export_certificate_pem
from app.reports.credentials import Credential
from app.reports.errors import SigningError
from app.reports.manifest import EVIDENCE_MANIFEST_NAME, RESULTS_NAME, attachments_for
from app.reports.signing import sign_pdf
from app.reports.trust import load_trust
from app.reports.verify import Verdict, read_attachments, verify_pdf
from tests.pki import PDFSIG, pdfsig


@pytest.fixture(scope="module")
def signed(report_pdf, report_data, p12, tmp_path_factory):
    path, password = p12
    out = tmp_path_factory.mktemp("signed") / "signed.pdf"
    result = sign_pdf(
        report_pdf,
        out,
        Credential(p12_path=path, secret=password),
        attachments=attachments_for(report_data),
        location="Lyon",
    )
    assert result.signer == "Jordan Okafor"
    assert (result.role, result.level) == ("assessor", "B-B")
    return out


@pytest.fixture(scope="module")
def own_certificate(p12, tmp_path_factory):
    pem = tmp_path_factory.mktemp("pem") / "assessor.pem"
    export_certificate_pem(p12[0], p12[1], pem)
    return pem


def _flip_inside_a_stream(data: bytes) -> bytes:
    """Change one byte inside the first content stream after the header."""
    match = re.search(rb"stream\r?\n", data[200:])
    assert match is not None
    offset = 200 + match.end() + 10
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def test_self_signed_report_is_intact_but_not_trusted(signed, own_certificate):
    result = verify_pdf(signed)
    assert result.verdict is Verdict.UNTRUSTED
    assert result.verdict.colour == "amber"
    assert not result.ok
    (check,) = result.signatures
    assert check.intact
    assert not check.trusted
    assert (check.facts.signer, check.facts.role, check.facts.level) == (
        "Jordan Okafor",
        "assessor",
        "B-B",
    )
    assert check.facts.signing_time is not None
    assert check.coverage == "whole file"
    assert check.changed_after == "nothing"
    assert "no trust anchor is configured" in check.problems[0]
    trusted = verify_pdf(signed, load_trust([own_certificate]))
    assert trusted.verdict is Verdict.TRUSTED
    assert trusted.ok


def test_attachments_are_signed_in(signed, report_data, report_text):
    files = read_attachments(signed)
    assert set(files) == {EVIDENCE_MANIFEST_NAME, RESULTS_NAME}
    manifest = files[EVIDENCE_MANIFEST_NAME]
    assert hashlib.sha256(manifest).hexdigest() in "".join(report_text.split())
    results = json.loads(files[RESULTS_NAME])
    assert results["document"]["assessment_ref"] == report_data.document.assessment_ref
    assert len(results["answers"]) == len(report_data.answers)
    assert verify_pdf(signed).attachments == (EVIDENCE_MANIFEST_NAME, RESULTS_NAME)


@pytest.mark.skipif(PDFSIG is None, reason="poppler's pdfsig not installed")
def test_pdfsig_agrees(signed, tmp_path):
    out = pdfsig(signed)
    assert "Signature is Valid" in out
    assert "Total document signed" in out
    assert "Certificate issuer is unknown" in out  # self-signed: amber in Assay too
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(_flip_inside_a_stream(signed.read_bytes()))
    assert "Signature is Valid" not in pdfsig(tampered)


def test_one_flipped_byte_breaks_the_signature(signed, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(_flip_inside_a_stream(signed.read_bytes()))
    result = verify_pdf(tampered)
    assert result.verdict is Verdict.BROKEN
    assert not result.signatures[0].intact
    assert result.summary.startswith("Broken")


def test_wrong_password_and_unsigned_files(report_pdf, p12, tmp_path):
    path, password = p12
    with pytest.raises(SigningError) as caught:
        sign_pdf(report_pdf, tmp_path / "x.pdf", Credential(p12_path=path, secret=b"Tr0ub4dor&3"))
    message = str(caught.value)
    assert "wrong password" in message
    assert "Tr0ub4dor" not in message
    assert password.decode() not in message
    unsigned = verify_pdf(report_pdf)
    assert unsigned.verdict is Verdict.BROKEN
    assert "not signed" in unsigned.summary
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\nnot really a pdf")
    assert verify_pdf(garbage).verdict is Verdict.BROKEN


def test_signing_a_pdf_without_a_box_adds_one(tmp_path, p12, own_certificate):
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    HTML(string="<p>Letter without a signature box.</p>").write_pdf(plain)
    out = tmp_path / "plain-signed.pdf"
    credential = Credential(p12_path=p12[0], secret=p12[1])
    sign_pdf(plain, out, credential, attachments={"note.json": b"{}"})
    result = verify_pdf(out, load_trust([own_certificate]))
    assert result.ok
    assert result.attachments == ("note.json",)


def test_roles_take_their_own_fields_once(report_pdf, signed, p12, tmp_path):
    credential = Credential(p12_path=p12[0], secret=p12[1])
    with pytest.raises(SigningError, match="assessor signed first"):
        sign_pdf(report_pdf, tmp_path / "r.pdf", credential, role="reviewer")
    with pytest.raises(SigningError, match="already carries"):
        sign_pdf(signed, tmp_path / "again.pdf", credential, role="assessor")
    with pytest.raises(SigningError, match="Unknown signing role"):
        sign_pdf(signed, tmp_path / "x.pdf", credential, role="notary")


def test_certificate_file_is_private_and_needs_name_and_password(tmp_path):
    path = tmp_path / "trial.p12"
    create_self_signed_p12(path, "Name", "Org", "a@b.example", b"pw")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(SigningError):
        create_self_signed_p12(tmp_path / "x.p12", " ", "Org", "a@b.example", b"pw")
    with pytest.raises(SigningError):
        create_self_signed_p12(tmp_path / "x.p12", "Name", "Org", "a@b.example", b"")
