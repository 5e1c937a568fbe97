"""Issuing an SD-JWT, RFC 9901 Section 4.

Every claim given as selectively disclosable becomes a Disclosure whose digest goes into the top-level
``_sd`` array, shuffled among decoy digests so that neither order nor count reveals what is hidden.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey

from wallet.sd_jwt.disclosures import SD_ALG, Disclosure, decoy_digest, make_disclosure

IssuerKey = ECKey | RSAKey | OKPKey
# RFC 9901 Section 4.2.5: decoys hide the number of claims; a few per credential suffice.
DECOYS = (2, 5)


def issue_sd_jwt(
    *,
    key: IssuerKey,
    alg: str,
    typ: str,
    always_visible: Mapping[str, Any],
    selectively_disclosable: Mapping[str, Any],
) -> str:
    """The issuer-signed JWT followed by every Disclosure: ``<JWT>~<D1>~...~<Dn>~``."""
    clash = set(always_visible) & set(selectively_disclosable)
    if clash or "_sd" in always_visible or "_sd_alg" in always_visible:
        raise ValueError(f"claims cannot be both visible and disclosable: {sorted(clash)}")
    disclosures: list[Disclosure] = [make_disclosure(n, v) for n, v in selectively_disclosable.items()]
    digests = [d.digest for d in disclosures]
    digests += [decoy_digest() for _ in range(secrets.randbelow(DECOYS[1] - DECOYS[0] + 1) + DECOYS[0])]
    # RFC 9901 Section 4.2.4.1: the digests MUST be ordered so as not to reveal the claims' order; sorted
    # digests of random salts are as good as a shuffle.
    payload: dict[str, Any] = {**always_visible, "_sd": sorted(digests), "_sd_alg": SD_ALG}
    header = {"alg": alg, "typ": typ}
    if kid := key.kid:
        header["kid"] = kid
    token = jwt.encode(header, payload, key)
    return "~".join([token, *(d.encoded for d in disclosures)]) + "~"
