"""Receiving credentials over OpenID4VCI 1.0, the wallet's side.

Pre-authorized code flow (Section 6.1) from a scanned offer, or an access token the wallet got with the
authorization code flow; then the Nonce Endpoint (Section 7), a proof of possession of the holder key
(Appendix F.1) and the Credential Endpoint (Section 8). The credential is verified before it is kept.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from joserfc import jwt

from wallet.holder.store import StoredCredential, WalletStore
from wallet.sd_jwt import verify_sd_jwt
from wallet.vp.issuer_keys import IssuerKeys, well_known_url

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
IDENTITY_CONFIGURATION = "nixa_identity_sd_jwt"


class IssuanceError(Exception):
    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


def parse_offer(uri: str) -> dict[str, Any]:
    """Section 4.1.3: ``openid-credential-offer://?credential_offer=<JSON>`` (by value)."""
    values = parse_qs(urlsplit(uri).query)
    raw = values.get("credential_offer")
    if not raw:
        raise IssuanceError("invalid_offer", "no credential_offer in the URI")
    try:
        offer = json.loads(raw[0])
    except ValueError as exc:
        raise IssuanceError("invalid_offer", "the credential offer is not JSON") from exc
    if not isinstance(offer, dict) or not isinstance(offer.get("credential_issuer"), str):
        raise IssuanceError("invalid_offer", "the credential offer names no issuer")
    return offer


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise IssuanceError(f"http_{resp.status_code}", "the answer is not a JSON object")
    if resp.status_code >= 400:
        raise IssuanceError(
            str(body.get("error", f"http_{resp.status_code}")), str(body.get("error_description", ""))
        )
    return body


class CredentialReceiver:
    def __init__(self, store: WalletStore, http: httpx.Client) -> None:
        self.store = store
        self.http = http

    def issuer_metadata(self, issuer: str) -> dict[str, Any]:
        meta = _json(self.http.get(well_known_url(issuer, "openid-credential-issuer")))
        # Section 12.2.3: credential_issuer MUST be identical to the issuer the metadata was fetched for.
        if meta.get("credential_issuer") != issuer:
            raise IssuanceError("invalid_metadata", "the metadata is for another credential issuer")
        return meta

    def token_endpoint(self, issuer: str, meta: dict[str, Any]) -> str:
        server = (meta.get("authorization_servers") or [issuer])[0]
        as_meta = _json(self.http.get(well_known_url(server, "oauth-authorization-server")))
        return str(as_meta["token_endpoint"])

    def accept_offer(self, offer_uri: str, tx_code: str | None) -> StoredCredential:
        offer = parse_offer(offer_uri)
        issuer = offer["credential_issuer"]
        grant = (offer.get("grants") or {}).get(PRE_AUTHORIZED_GRANT)
        if not isinstance(grant, dict) or "pre-authorized_code" not in grant:
            raise IssuanceError("invalid_offer", "the offer has no pre-authorized code")
        meta = self.issuer_metadata(issuer)
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant["pre-authorized_code"]}
        if "tx_code" in grant:
            if not tx_code:
                raise IssuanceError("tx_code_required", "this offer needs the code shown beside the QR")
            form["tx_code"] = tx_code
        token = _json(self.http.post(self.token_endpoint(issuer, meta), data=form))
        configuration = offer["credential_configuration_ids"][0]
        return self.fetch_credential(issuer, meta, configuration, str(token["access_token"]))

    def authorization_url(
        self, issuer: str, *, client_id: str, redirect_uri: str, code_challenge: str, state: str
    ) -> str:
        """Section 5.1.2: the authorization code flow asks for the credential configuration's scope."""
        meta = self.issuer_metadata(issuer)
        as_meta = _json(self.http.get(well_known_url(issuer, "oauth-authorization-server")))
        scope = meta["credential_configurations_supported"][IDENTITY_CONFIGURATION]["scope"]
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": f"openid {scope}",
            "state": state,
            "nonce": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{as_meta['authorization_endpoint']}?{urlencode(params)}"

    def accept_authorization_code(
        self, issuer: str, *, code: str, code_verifier: str, client_id: str, redirect_uri: str
    ) -> StoredCredential:
        meta = self.issuer_metadata(issuer)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "client_id": client_id,
            "redirect_uri": redirect_uri,
        }
        token = _json(self.http.post(self.token_endpoint(issuer, meta), data=form))
        return self.fetch_credential(issuer, meta, IDENTITY_CONFIGURATION, str(token["access_token"]))

    def proof(self, issuer: str, nonce: str, *, iat: int | None = None) -> str:
        key = self.store.holder_key()
        header = {"alg": "ES256", "typ": PROOF_TYP, "jwk": key.as_dict(private=False)}
        claims = {"aud": issuer, "iat": int(time.time()) if iat is None else iat, "nonce": nonce}
        return jwt.encode(header, claims, key)

    def nonce(self, meta: dict[str, Any]) -> str:
        return str(_json(self.http.post(str(meta["nonce_endpoint"])))["c_nonce"])

    def _request_credential(
        self, issuer: str, meta: dict[str, Any], configuration: str, access_token: str
    ) -> str:
        body = {
            "credential_configuration_id": configuration,
            "proofs": {"jwt": [self.proof(issuer, self.nonce(meta))]},
        }
        resp = self.http.post(
            str(meta["credential_endpoint"]), json=body, headers={"Authorization": f"Bearer {access_token}"}
        )
        return str(_json(resp)["credentials"][0]["credential"])

    def fetch_credential(
        self, issuer: str, meta: dict[str, Any], configuration: str, access_token: str
    ) -> StoredCredential:
        config = meta["credential_configurations_supported"][configuration]
        try:
            credential = self._request_credential(issuer, meta, configuration, access_token)
        except IssuanceError as exc:
            # Section 8.3.1.2: invalid_nonce means "fetch a fresh c_nonce and try again" (once).
            if exc.error != "invalid_nonce":
                raise
            credential = self._request_credential(issuer, meta, configuration, access_token)
        # Check what we were given before keeping it: the issuer's signature and the binding to our key.
        verified = verify_sd_jwt(credential, IssuerKeys(self.http, [issuer]), typ=config["format"])
        if verified.claims.get("cnf", {}).get("jwk") != self.store.holder_key().as_dict(private=False):
            raise IssuanceError("invalid_credential", "the credential is not bound to this wallet's key")
        return self.store.add(
            issuer=issuer, vct=str(verified.claims.get("vct")), fmt=config["format"], credential=credential
        )
