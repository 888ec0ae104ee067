"""Each verdict earned by a real file, and pdfsig says the same.

A throw-away firm PKI issues the certificates; its root is the configured trust anchor for
Assay and, through an NSS database, for pdfsig. Files signed with unfit certificates are made
with pyHanko directly, as a tool outside Assay would make them.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from app.reports.credentials import Credential
from app.reports.errors import SigningError
from app.reports.signing import sign_pdf
from app.reports.trust import load_revocation, load_trust
from app.reports.verify import Verdict, verify_pdf
from tests.pki import CERTUTIL, NOW, PDFSIG, PkiServices, nss_db, pdfsig, sign_unchecked

pytestmark = pytest.mark.skipif(
    PDFSIG is None or CERTUTIL is None, reason="poppler's pdfsig and NSS certutil needed"
)
PASSWORD = b"firm issued"


@pytest.fixture(scope="module")
def firm(tmp_path_factory):
    services = PkiServices()
    folder = tmp_path_factory.mktemp("firm")
    (folder / "root.pem").write_bytes(services.pki.root.pem())
    yield services, folder
    services.stop()


@pytest.fixture(scope="module")
def anchors(firm):
    return load_trust([firm[1] / "root.pem"])


@pytest.fixture(scope="module")
def nss(firm):
    return nss_db(firm[1] / "nss", firm[0].pki.root)


def _p12(firm, name: str, **kwargs) -> tuple:
    services, folder = firm
    issued = services.pki.issue(name, **kwargs)
    path = issued.write_p12(folder / f"{name.replace(' ', '-')}.p12", PASSWORD, [])
    return path, issued


@pytest.fixture(scope="module")
def assessor_signed(firm, report_pdf):
    path, _ = _p12(firm, "Alice Assessor")
    out = firm[1] / "assessor-signed.pdf"
    sign_pdf(report_pdf, out, Credential(p12_path=path, secret=PASSWORD))
    return out


def _only(result):
    (check,) = [c for c in result.signatures if not c.facts.is_timestamp]
    return check


def test_intact_and_trusted_is_green_and_pdfsig_trusts_it(assessor_signed, anchors, nss):
    result = verify_pdf(assessor_signed, anchors)
    assert result.verdict is Verdict.TRUSTED
    assert result.verdict.colour == "green"
    assert result.ok
    assert _only(result).problems == ()
    out = pdfsig(assessor_signed, nss)
    assert "Signature is Valid" in out
    assert "Certificate is Trusted" in out
    assert "Total document signed" in out


def test_without_the_anchor_it_is_amber_and_pdfsig_does_not_trust_it(assessor_signed):
    result = verify_pdf(assessor_signed)
    assert result.verdict is Verdict.UNTRUSTED
    assert result.verdict.colour == "amber"
    assert not result.ok
    assert "Check who the signer is before relying on it" in result.summary
    out = pdfsig(assessor_signed)
    assert "Signature is Valid" in out
    assert "Certificate issuer is unknown" in out


def test_an_impostors_self_signed_report_is_never_trusted(firm, report_pdf, anchors, p12):
    out = firm[1] / "impostor.pdf"
    sign_pdf(report_pdf, out, Credential(p12_path=p12[0], secret=p12[1]))
    result = verify_pdf(out, anchors)
    assert result.verdict is Verdict.UNTRUSTED
    assert "does not chain to a configured trust anchor" in _only(result).problems[0]
    assert "Certificate is Trusted" not in pdfsig(out, firm[1] / "nss")


def test_altered_and_resigned_by_an_impostor_is_changed(firm, assessor_signed, anchors, p12, nss):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(assessor_signed.read_bytes()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[NameObject("/Rotate")] = TextStringObject("90")
    writer.update_container(page)
    altered = io.BytesIO()
    writer.write(altered)
    staged = firm[1] / "altered.pdf"
    staged.write_bytes(altered.getvalue())
    resigned = sign_unchecked(staged, firm[1] / "resigned.pdf", p12[0], p12[1], "Impostor")
    result = verify_pdf(resigned, anchors)
    assert result.verdict.colour == "red"
    assessor = result.signatures[0]
    assert assessor.verdict is Verdict.CHANGED
    assert assessor.changed_after == "content changed"
    assert result.signatures[1].verdict is Verdict.UNTRUSTED
    report = pdfsig(resigned, nss)
    assert "Not total document signed" in report.split("Signature #2")[0]


def test_content_appended_after_signing_is_changed(firm, assessor_signed, anchors, nss):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(assessor_signed.read_bytes()))
    writer.root[NameObject("/Lang")] = TextStringObject("fr")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    changed = firm[1] / "changed.pdf"
    changed.write_bytes(out.getvalue())
    result = verify_pdf(changed, anchors)
    assert result.verdict is Verdict.CHANGED
    assert _only(result).coverage == "its revision"
    assert result.summary.endswith("ask the signers for the file as they signed it.")
    assert "Not total document signed" in pdfsig(changed, nss)


def test_a_flipped_byte_is_broken(firm, assessor_signed, anchors, nss):
    data = bytearray(assessor_signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    broken = firm[1] / "broken.pdf"
    broken.write_bytes(bytes(data))
    result = verify_pdf(broken, anchors)
    assert result.verdict is Verdict.BROKEN
    assert "Do not rely on this signature" in result.summary
    assert "Signature is Valid" not in pdfsig(broken, nss)


@pytest.mark.parametrize(
    ("name", "validity", "expected", "pdfsig_says"),
    [
        (
            "Expired Signer",
            {"valid_from": NOW - dt.timedelta(days=400), "valid_until": NOW - dt.timedelta(days=2)},
            "had expired",
            "Certificate has Expired",
        ),
        (
            "Future Signer",
            {
                "valid_from": NOW + dt.timedelta(days=30),
                "valid_until": NOW + dt.timedelta(days=400),
            },
            "not yet valid",
            "Certificate has Expired",  # NSS reports "not yet valid" with the same code
        ),
    ],
)
def test_a_certificate_outside_its_validity_is_broken_even_when_trusted(
    firm, report_pdf, anchors, nss, name, validity, expected, pdfsig_says
):
    path, _ = _p12(firm, name, **validity)
    with pytest.raises(SigningError, match=expected.split()[-1]):
        sign_pdf(report_pdf, firm[1] / "refused.pdf", Credential(p12_path=path, secret=PASSWORD))
    out = sign_unchecked(report_pdf, firm[1] / f"{name}.pdf", path, PASSWORD, "AssessorSignature")
    result = verify_pdf(out, anchors)
    assert result.verdict is Verdict.BROKEN
    assert not _only(result).trusted
    assert any(expected in p for p in _only(result).problems)
    report = pdfsig(out, nss)
    assert "Signature is Valid" in report
    assert pdfsig_says in report


def test_wrong_key_usage_is_broken(firm, report_pdf, anchors, nss):
    path, _ = _p12(firm, "Encryption Only", signing=False)
    with pytest.raises(SigningError, match="key usage"):
        sign_pdf(report_pdf, firm[1] / "refused.pdf", Credential(p12_path=path, secret=PASSWORD))
    out = sign_unchecked(report_pdf, firm[1] / "usage.pdf", path, PASSWORD, "AssessorSignature")
    result = verify_pdf(out, anchors)
    assert result.verdict is Verdict.BROKEN
    assert any("key usage" in p for p in _only(result).problems)
    assert "Certificate is Trusted" not in pdfsig(out, nss)


def test_a_revoked_certificate_is_broken_when_revocation_is_known(firm, report_pdf, anchors, nss):
    services, folder = firm
    path, issued = _p12(firm, "Revoked Signer")
    out = folder / "revoked.pdf"
    sign_pdf(report_pdf, out, Credential(p12_path=path, secret=PASSWORD))
    services.pki.revoke(issued.cert)
    crl = folder / "firm.crl"
    crl.write_bytes(services.pki.crl())
    assert verify_pdf(out, anchors).verdict is Verdict.TRUSTED, "unknown revocation: trusted"
    result = verify_pdf(out, anchors, load_revocation([crl]))
    assert result.verdict is Verdict.BROKEN
    assert any("revoked" in p for p in _only(result).problems)
    report = pdfsig(out, nss, ocsp=True)  # pdfsig asks the firm's OCSP responder
    assert "Signature is Valid" in report
    assert "Certificate has been Revoked" in report
