"""Signed reports verify with pyHanko and poppler; any change after signing is caught."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import pytest

from app.reports.errors import SigningError
from app.reports.manifest import EVIDENCE_MANIFEST_NAME, RESULTS_NAME, attachments_for
from app.reports.signing import create_self_signed_p12, export_certificate_pem, sign_pdf
from app.reports.verify import read_attachments, verify_pdf

PDFSIG = shutil.which("pdfsig")


@pytest.fixture(scope="module")
def signed(report_pdf, report_data, p12, tmp_path_factory):
    path, password = p12
    out = tmp_path_factory.mktemp("signed") / "signed.pdf"
    result = sign_pdf(
        report_pdf, out, path, password, attachments=attachments_for(report_data), location="Lyon"
    )
    assert result.signer == "Jordan Okafor"
    return out


def _flip_inside_a_stream(data: bytes) -> bytes:
    """Change one byte inside the first content stream after the header."""
    match = re.search(rb"stream\r?\n", data[200:])
    assert match is not None
    offset = 200 + match.end() + 10
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def test_signed_report_verifies(signed, p12, tmp_path):
    result = verify_pdf(signed)
    assert result.ok
    assert result.intact
    assert result.covers_whole_document
    assert not result.modified_after_signing
    assert result.signatures == 1
    assert result.signer == "Jordan Okafor"
    assert result.signing_time is not None
    assert not result.trusted
    assert "VALID" in result.summary
    pem = tmp_path / "assessor.pem"
    export_certificate_pem(p12[0], p12[1], pem)
    assert verify_pdf(signed, [pem]).trusted


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
    out = subprocess.run([PDFSIG, str(signed)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in out.stdout
    assert "Total document signed" in out.stdout
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(_flip_inside_a_stream(signed.read_bytes()))
    out = subprocess.run([PDFSIG, str(tampered)], capture_output=True, text=True, check=False)
    assert "Signature is Valid" not in out.stdout


def test_one_flipped_byte_breaks_the_signature(signed, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(_flip_inside_a_stream(signed.read_bytes()))
    result = verify_pdf(tampered)
    assert not result.ok
    assert not result.intact
    assert result.summary.startswith("INVALID")


def test_appending_after_signing_is_reported(signed, tmp_path):
    from io import BytesIO

    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed.read_bytes()))
    info = writer.root
    info[NameObject("/Lang")] = TextStringObject("fr")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(out.getvalue())
    result = verify_pdf(changed)
    assert result.intact
    assert not result.covers_whole_document
    assert result.modified_after_signing
    assert not result.ok
    assert result.summary.startswith("CHANGED")


def test_wrong_password_and_unsigned_files(report_pdf, p12, tmp_path):
    path, password = p12
    with pytest.raises(SigningError) as caught:
        sign_pdf(report_pdf, tmp_path / "x.pdf", path, b"Tr0ub4dor&3", attachments={})
    message = str(caught.value)
    assert "wrong password" in message
    assert "Tr0ub4dor" not in message
    assert password.decode() not in message
    unsigned = verify_pdf(report_pdf)
    assert not unsigned.ok
    assert "not signed" in unsigned.summary
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\nnot really a pdf")
    assert not verify_pdf(garbage).intact


def test_signing_a_pdf_without_a_box_adds_one(tmp_path, p12):
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    HTML(string="<p>Letter without a signature box.</p>").write_pdf(plain)
    out = tmp_path / "plain-signed.pdf"
    sign_pdf(plain, out, p12[0], p12[1], attachments={"note.json": b"{}"})
    result = verify_pdf(out)
    assert result.ok
    assert result.attachments == ("note.json",)


def test_certificate_needs_name_and_password(tmp_path):
    with pytest.raises(SigningError):
        create_self_signed_p12(tmp_path / "x.p12", " ", "Org", "a@b.example", b"pw")
    with pytest.raises(SigningError):
        create_self_signed_p12(tmp_path / "x.p12", "Name", "Org", "a@b.example", b"")
