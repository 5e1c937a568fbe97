"""The verifier's signing key and certificate, for the ``x509_hash`` Client Identifier Prefix
(OpenID4VP 1.0 Section 5.9.3).

Why x509_hash: the request must be signed (so a wallet knows who asks and that nobody changed the query),
and NIXA's verifier is one well-known party. ``x509_hash:<base64url SHA-256 of the DER certificate>`` names
exactly this certificate; wallets pin it (the reference wallet keeps a list of trusted verifiers) without a
PKI. ``redirect_uri`` would forbid signing; ``x509_san_dns`` would need a CA chain to a trust anchor.
The private key is stored sealed (AES-GCM, idp.crypto.Sealer) like the IdP's own keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from idp.crypto import Sealer, b64url
from idp.db import utcnow
from wallet.models import VerifierKey

CERT_LIFETIME = timedelta(days=365)


@dataclass(frozen=True)
class VerifierIdentity:
    key: ECKey
    certificate_der: bytes

    @property
    def client_id(self) -> str:
        return "x509_hash:" + x509_hash(self.certificate_der)

    @property
    def x5c(self) -> list[str]:
        # RFC 7515 Section 4.1.6: standard (not URL-safe) base64 of the DER certificate.
        return [base64.b64encode(self.certificate_der).decode()]


def x509_hash(der: bytes) -> str:
    return b64url(hashlib.sha256(der).digest())


def _new(issuer: str, sealer: Sealer) -> VerifierKey:
    private = ec.generate_private_key(ec.SECP256R1())
    host = urlsplit(issuer).hostname or "localhost"
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "NIXA verifier"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "NIXA"),
        ]
    )
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CERT_LIFETIME)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(private, hashes.SHA256())
    )
    kid = str(uuid.uuid4())
    jwk = ECKey.import_key(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return VerifierKey(
        kid=kid,
        private_enc=sealer.seal(json.dumps(jwk.as_dict(private=True)).encode(), kid.encode()),
        certificate_der=cert.public_bytes(serialization.Encoding.DER),
        not_after=now + CERT_LIFETIME,
    )


class VerifierKeys:
    def __init__(self, issuer: str, sealer: Sealer) -> None:
        self.issuer = issuer
        self.sealer = sealer
        self._cache: VerifierIdentity | None = None

    def current(self, s: Session) -> VerifierIdentity:
        """The newest unexpired key; created on first use (renewed a month before its certificate ends)."""
        if self._cache is not None and x509.load_der_x509_certificate(
            self._cache.certificate_der
        ).not_valid_after_utc > utcnow() + timedelta(days=30):
            return self._cache
        row = s.scalar(
            select(VerifierKey)
            .where(VerifierKey.not_after > utcnow() + timedelta(days=30))
            .order_by(VerifierKey.created_at.desc())
        )
        if row is None:
            row = _new(self.issuer, self.sealer)
            s.add(row)
            s.flush()
        key = ECKey.import_key(json.loads(self.sealer.open(row.private_enc, row.kid.encode())))
        self._cache = VerifierIdentity(key, row.certificate_der)
        return self._cache
