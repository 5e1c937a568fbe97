"""The identity QR: a CWT (RFC 8392) in COSE_Sign1 (RFC 9052) carrying the MOSIP Claim 169 identity data,
compressed with zlib and encoded in Base45 (RFC 9285) for a QR code in alphanumeric mode.

- ``claim169``: the identity data laid out as Claim 169 numbers it, and its strict reading.
- ``codec``: Base45 + zlib + COSE + CWT, both ways, refusing anything malformed.
- ``service``: issuing (level 2 and above), listing and revoking through the status list.
- ``render``: the QR as PNG and SVG (error correction Q).
"""
