"""NIXA's SAML service-provider key pair: created once, the private key sealed in the database.

xmlsec1 (through pysaml2) reads keys from files only, so the key is written, for the life of the process,
to a private temporary directory (mode 0700, file 0600) and removed when the process ends.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from federation.upstream.models import ServiceProviderKey
from idp.crypto import Sealer
from idp.db import utcnow
from idp.platform import Platform

_CONTEXT = b"federation:saml-sp-key"


def generate_rsa_key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def new_key_pair(
    common_name: str, bits: int = 3072, *, key: rsa.RSAPrivateKey | None = None
) -> tuple[str, bytes]:
    """A self-signed certificate (SAML metadata carries the key; trust comes from the metadata exchange)."""
    key = key or generate_rsa_key(bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem


class ServiceProviderKeys:
    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.sealer = Sealer(platform.settings.secrets.kek, purpose=b"saml-sp-keys")
        self.common_name = platform.issuer.split("://", 1)[-1]
        self.bits = max(2048, platform.settings.rsa_key_bits)
        self._lock = threading.Lock()
        self._files: tuple[Path, Path] | None = None

    def _load_or_create(self) -> tuple[str, bytes]:
        with self.db.session() as s:
            row = s.scalar(select(ServiceProviderKey).order_by(ServiceProviderKey.id.desc()).limit(1))
            if row is None:
                cert, pem = new_key_pair(self.common_name, self.bits)
                row = ServiceProviderKey(cert_pem=cert, private_key_enc=self.sealer.seal(pem, _CONTEXT))
                s.add(row)
                s.flush()
            return row.cert_pem, self.sealer.open(row.private_key_enc, _CONTEXT)

    def files(self) -> tuple[Path, Path]:
        """(key file, certificate file) for pysaml2."""
        with self._lock:
            if self._files is None:
                cert, pem = self._load_or_create()
                folder = Path(tempfile.mkdtemp(prefix="nixa-saml-"))
                atexit.register(shutil.rmtree, folder, True)
                key_file, cert_file = folder / "sp.key", folder / "sp.crt"
                key_file.touch(mode=0o600)
                key_file.write_bytes(pem)
                cert_file.write_text(cert)
                self._files = (key_file, cert_file)
            return self._files
