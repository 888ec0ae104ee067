"""Trust anchors from files, folders and a cached trusted list; revocation files; fallbacks."""

from __future__ import annotations

import base64

import pytest

from app.reports.certificates import create_self_signed_p12, export_certificate_pem
from app.reports.credentials import Credential
from app.reports.errors import ReportError
from app.reports.ltv import LtvOptions
from app.reports.signing import sign_pdf
from app.reports.trust import load_revocation, load_trust
from app.reports.verify import Verdict, verify_pdf

TRUSTED_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#">
  <tsl:TrustServiceProviderList><tsl:TrustServiceProvider><tsl:TSPServices><tsl:TSPService>
    <tsl:ServiceInformation><tsl:ServiceDigitalIdentity><tsl:DigitalId>
      <tsl:X509Certificate>{cert}</tsl:X509Certificate>
    </tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceInformation>
  </tsl:TSPService></tsl:TSPServices></tsl:TrustServiceProvider></tsl:TrustServiceProviderList>
</tsl:TrustServiceStatusList>
"""


@pytest.fixture(scope="module")
def signed(report_pdf, p12, tmp_path_factory):
    out = tmp_path_factory.mktemp("trust") / "signed.pdf"
    sign_pdf(report_pdf, out, Credential(p12_path=p12[0], secret=p12[1]))
    return out


@pytest.fixture(scope="module")
def pem(p12, tmp_path_factory):
    path = tmp_path_factory.mktemp("pem") / "assessor.pem"
    export_certificate_pem(p12[0], p12[1], path)
    return path


def _der(pem_path) -> bytes:
    body = b"".join(line for line in pem_path.read_bytes().splitlines() if b"-----" not in line)
    return base64.b64decode(body)


def test_a_folder_of_certificates_is_a_trust_anchor(signed, pem, tmp_path):
    folder = tmp_path / "cas"
    folder.mkdir()
    (folder / "firm.crt").write_bytes(_der(pem))
    (folder / "readme.txt").write_text("not a certificate, not read")
    store = load_trust([folder])
    assert len(store.roots) == 1
    assert verify_pdf(signed, store).verdict is Verdict.TRUSTED


def test_a_cached_trusted_list_is_a_trust_anchor(signed, pem, tmp_path):
    listed = tmp_path / "tl.xml"
    listed.write_text(TRUSTED_LIST.format(cert=base64.b64encode(_der(pem)).decode()))
    assert verify_pdf(signed, load_trust([listed])).verdict is Verdict.TRUSTED


def test_bad_trust_and_revocation_files_are_one_line_errors(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ReportError, match="junk.pem"):
        load_trust([junk])
    with pytest.raises(ReportError, match="No trusted certificate or folder"):
        load_trust([tmp_path / "absent.pem"])
    with pytest.raises(ReportError, match="neither a CRL nor an OCSP response"):
        load_revocation([junk])


def test_a_chain_that_reaches_no_anchor_signs_without_validation_data(report_pdf, p12, tmp_path):
    other = tmp_path / "other.p12"
    create_self_signed_p12(other, "Someone Else", "", "", b"pw")
    other_pem = tmp_path / "other.pem"
    export_certificate_pem(other, b"pw", other_pem)
    result = sign_pdf(
        report_pdf,
        tmp_path / "signed.pdf",
        Credential(p12_path=p12[0], secret=p12[1]),
        ltv=LtvOptions(trust=load_trust([other_pem])),
    )
    assert result.level == "B-B"
    assert "Validation data was not embedded" in result.warnings[0]
