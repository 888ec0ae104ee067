"""A throw-away PKI for signing tests: a root CA, signer certificates, and live services.

The services run on 127.0.0.1 in a thread of the test process, for real: an RFC 3161
time-stamping authority (``/tsa``), an OCSP responder (``/ocsp``) and a CRL (``/crl``). The
certificates name them in their AIA and CRL distribution point extensions, so a verifier that
fetches finds them, and one that does not fetch has only what the PDF carries.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
NOW = dt.datetime.now(dt.UTC)


@dataclass
class Issued:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: Any

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write_p12(self, path: Path, password: bytes, chain: list[x509.Certificate]) -> Path:
        data = pkcs12.serialize_key_and_certificates(
            b"signer", self.key, self.cert, chain, serialization.BestAvailableEncryption(password)
        )
        path.write_bytes(data)
        return path


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Assurance Firm"),
        ]
    )


def _key_usage(*, signing: bool, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing or ca,
        content_commitment=signing,
        key_encipherment=not signing and not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class TestPki:
    """A root CA that issues signer and TSA certificates, with their revocation state."""

    base_url: str
    root: Issued = field(init=False)
    revoked: dict[int, dt.datetime] = field(default_factory=dict)
    issued: dict[int, x509.Certificate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        key = _new_key()
        name = _name("Test Firm Root CA")
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=3650))
            .not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(signing=False, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        self.root = Issued(cert, key)

    def issue(
        self,
        common_name: str,
        *,
        valid_from: dt.datetime | None = None,
        valid_until: dt.datetime | None = None,
        signing: bool = True,
        tsa: bool = False,
        revocation_urls: bool = True,
    ) -> Issued:
        """Issue an end-entity certificate (RSA 2048) from the root."""
        key = _new_key()
        eku = (
            [ExtendedKeyUsageOID.TIME_STAMPING]
            if tsa
            else [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.root.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid_from or NOW - dt.timedelta(days=30))
            .not_valid_after(valid_until or NOW + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signing=signing), critical=True)
            .add_extension(x509.ExtendedKeyUsage(eku), critical=tsa)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root.key.public_key()),
                False,
            )
        )
        if revocation_urls:
            builder = self._with_revocation_urls(builder)
        cert = builder.sign(self.root.key, hashes.SHA256())
        self.issued[cert.serial_number] = cert
        return Issued(cert, key)

    def _with_revocation_urls(self, builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
        ocsp_url = x509.UniformResourceIdentifier(f"{self.base_url}/ocsp")
        crl_url = x509.UniformResourceIdentifier(f"{self.base_url}/crl")
        return builder.add_extension(
            x509.AuthorityInformationAccess(
                [x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP, ocsp_url)]
            ),
            False,
        ).add_extension(
            x509.CRLDistributionPoints([x509.DistributionPoint([crl_url], None, None, None)]),
            False,
        )

    def revoke(self, cert: x509.Certificate) -> None:
        self.revoked[cert.serial_number] = NOW - dt.timedelta(days=1)

    def crl(self) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.cert.subject)
            .last_update(NOW - dt.timedelta(hours=1))
            .next_update(NOW + dt.timedelta(days=7))
        )
        for serial, when in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        crl = builder.sign(self.root.key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request_der: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(request_der)
        cert = self.issued.get(request.serial_number)
        if cert is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        revoked_at = self.revoked.get(cert.serial_number)
        now = dt.datetime.now(dt.UTC)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=cert,
                issuer=self.root.cert,
                algorithm=hashes.SHA1(),
                cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(minutes=1),
                next_update=now + dt.timedelta(days=1),
                revocation_time=revoked_at,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.root.cert)
        )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(self.root.key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)


class _Handler(BaseHTTPRequestHandler):
    server: _PkiServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _reply(self, body: bytes, media_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/crl"):
            self.server.hits.append("crl")
            self._reply(self.server.pki.crl(), "application/pkix-crl")
        else:
            self.send_error(404)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/ocsp"):
            self.server.hits.append("ocsp")
            self._reply(self.server.pki.ocsp_response(body), "application/ocsp-response")
        elif self.path.startswith("/tsa"):
            self.server.hits.append("tsa")
            self._reply(self.server.timestamp(body), "application/timestamp-reply")
        else:
            self.send_error(404)


class _PkiServer(ThreadingHTTPServer):
    pki: TestPki
    tsa: Issued
    hits: list[str]

    def timestamp(self, body: bytes) -> bytes:
        from asn1crypto import keys as asn1_keys
        from asn1crypto import tsp
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        tsa_cert = asn1_x509.Certificate.load(
            self.tsa.cert.public_bytes(serialization.Encoding.DER)
        )
        tsa_key = asn1_keys.PrivateKeyInfo.load(
            self.tsa.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        stamper = DummyTimeStamper(tsa_cert, tsa_key)
        response = stamper.request_tsa_response(tsp.TimeStampReq.load(body))
        return response.dump()


class PkiServices:
    """The PKI with its TSA, OCSP responder and CRL served on 127.0.0.1 until :meth:`stop`."""

    def __init__(self) -> None:
        self.server = _PkiServer(("127.0.0.1", 0), _Handler)
        host, port = self.server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.pki = TestPki(self.base_url)
        self.server.pki = self.pki
        self.server.tsa = self.pki.issue("Test TSA", tsa=True)
        self.server.hits = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    @property
    def hits(self) -> list[str]:
        return self.server.hits

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- third-party checks

PDFSIG = shutil.which("pdfsig")
CERTUTIL = shutil.which("certutil")


def nss_db(folder: Path, *trusted: Issued) -> Path:
    """Make an NSS database for pdfsig that trusts ``trusted`` as CAs."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    for index, issued in enumerate(trusted):
        pem = folder / f"anchor{index}.pem"
        pem.write_bytes(issued.pem())
        subprocess.run(
            [
                CERTUTIL,
                "-A",
                "-d",
                f"sql:{folder}",
                "-n",
                f"anchor{index}",
                "-t",
                "CT,C,C",
                "-i",
                str(pem),
            ],
            check=True,
        )
    return folder


def pdfsig(path: Path, nssdir: Path | None = None, *, ocsp: bool = False) -> str:
    """Return pdfsig's report on ``path`` (no online OCSP unless asked)."""
    command = [PDFSIG]
    if nssdir is not None:
        command += ["-nssdir", f"sql:{nssdir}"]
    if not ocsp:
        command.append("-no-ocsp")
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)
    return done.stdout


def sign_unchecked(pdf: Path, out: Path, p12: Path, password: bytes, field: str) -> Path:
    """Sign with pyHanko directly, as a tool outside Assay would (no certificate checks)."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=password)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    existing = {name for name, _v, _r in fields.enumerate_sig_fields(writer)}
    spec = None if field in existing else fields.SigFieldSpec(field, box=(20, 20, 200, 80))
    output = io.BytesIO()
    signers.PdfSigner(meta, signer, new_field_spec=spec).sign_pdf(writer, output=output)
    out.write_bytes(output.getvalue())
    return out


# --------------------------------------------------------------------------- SoftHSM2

SOFTHSM_LIBS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
SOFTHSM_LIB = next((p for p in SOFTHSM_LIBS if Path(p).is_file()), None)
TOKEN_PIN = "pin-4821-secret"


def softhsm_tokens(folder: Path, cards: dict[str, tuple[str, Issued]]) -> dict[str, str]:
    """Initialise one SoftHSM token per card, each holding one key and its certificate.

    Args:
        folder: Where the tokens and their configuration live (throw-away).
        cards: Token label -> (key label, certificate and key).

    Returns:
        The environment (``SOFTHSM2_CONF``) to use the tokens with.
    """
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    for token, (label, issued) in cards.items():
        key_file, cert_file = folder / f"{label}.key", folder / f"{label}.der"
        key_file.write_bytes(issued.key_pem())
        cert_file.write_bytes(issued.cert.public_bytes(serialization.Encoding.DER))
        run = [
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                token,
                "--pin",
                TOKEN_PIN,
                "--so-pin",
                "99887766",
            ],
            [
                "softhsm2-util",
                "--import",
                str(key_file),
                "--token",
                token,
                "--label",
                label,
                "--id",
                "01",
                "--pin",
                TOKEN_PIN,
            ],
            [
                "pkcs11-tool",
                "--module",
                SOFTHSM_LIB,
                "--token-label",
                token,
                "--login",
                "--pin",
                TOKEN_PIN,
                "--write-object",
                str(cert_file),
                "--type",
                "cert",
                "--label",
                label,
                "--id",
                "01",
            ],
        ]
        for command in run:
            subprocess.run(command, env=env, check=True, capture_output=True)
        key_file.unlink()
    return {"SOFTHSM2_CONF": str(conf)}


@dataclass
class SoftHsm:
    """Two throw-away SoftHSM tokens: the assessor's card and the reviewer's card."""

    env: dict[str, str]
    pki: PkiServices
    root_pem: Path
    assessor: Issued
    reviewer: Issued


_SOFTHSM: list[SoftHsm] = []


def shared_softhsm(folder_factory: Any) -> SoftHsm:
    """Return the process's SoftHSM tokens, made on first use.

    The PKCS#11 library reads ``SOFTHSM2_CONF`` once, when first loaded, so every test of
    the process shares one token folder; the variable stays set for the process.
    """
    if not _SOFTHSM:
        folder = folder_factory.mktemp("softhsm")
        services = PkiServices()
        assessor = services.pki.issue("Alice Assessor")
        reviewer = services.pki.issue("Rob Reviewer")
        env = softhsm_tokens(
            folder,
            {"Assessor Card": ("alice-sign", assessor), "Reviewer Card": ("rob-sign", reviewer)},
        )
        os.environ.update(env)
        root_pem = folder / "firm-root.pem"
        root_pem.write_bytes(services.pki.root.pem())
        _SOFTHSM.append(SoftHsm(env, services, root_pem, assessor, reviewer))
    return _SOFTHSM[0]
