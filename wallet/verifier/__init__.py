"""Verifying an identity QR, offline where possible: the ``nixa-verify`` command and the verifier page.

- ``identity_qr``: the checks and the verdict (signature, issuer, expiry, status list).
- ``trust``: trusted issuer keys, fetched once and kept on disk, or given directly (JWK or PEM).
- ``qr_image``: reading the QR from an image with zxing-cpp.
"""
