"""The verifier page on NIXA's origin: a picture of the QR (read with zxing-cpp) or its text, and the
verdict. It trusts NIXA's own keys and reads the status from NIXA's own lists, so it needs no fetching."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from idp.web.deps import PagesDep, client_ip
from idp.web.pages import Pages
from wallet.issuer_keys import issuer_keys
from wallet.rate_limits import VERIFY_PER_IP, hit, limited
from wallet.status_list.client import StatusUnavailable, ec_public_key
from wallet.status_list.service import StatusListService, StatusReference, UnknownStatusReference
from wallet.verifier.identity_qr import VerificationResult, verify_identity_qr
from wallet.verifier.qr_image import MAX_IMAGE_BYTES, NoQrCode, read_qr

PAGE = "/verify"
CSRF_PURPOSE = "wallet:verify"


class LocalTrust:
    """NIXA verifying its own codes: its published issuer keys and its own status lists."""

    def __init__(self, status_lists: StatusListService, longest_ttl: int) -> None:
        self.status_lists = status_lists
        self.platform = status_lists.platform
        self.longest_ttl = longest_ttl

    def key_for(self, issuer: str, kid: str | None) -> ec.EllipticCurvePublicKey | None:
        if issuer != self.platform.issuer or kid is None:
            return None
        for jwk in issuer_keys(self.platform, longest_credential_ttl=self.longest_ttl)["keys"]:
            if jwk.get("kid") == kid:
                return ec_public_key(jwk)
        return None

    def status_of(self, issuer: str, uri: str, idx: int) -> int:
        with self.platform.db.read_session() as s:
            try:
                return self.status_lists.status_of(s, StatusReference(uri, idx))
            except UnknownStatusReference as exc:
                raise StatusUnavailable(str(exc)) from exc

    def verify(self, text: str) -> VerificationResult:
        return verify_identity_qr(text, key_for=self.key_for, status_of=self.status_of)


def verifier_router(trust: LocalTrust) -> APIRouter:
    router = APIRouter()

    def page(request: Request, pages: Pages, *, status_code: int = 200, **context: Any) -> Response:
        result = context.get("result")
        expires, photo = "", ""
        if isinstance(result, VerificationResult) and result.expires_at:
            expires = datetime.fromtimestamp(result.expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        if (
            isinstance(result, VerificationResult)
            and result.valid
            and result.identity
            and result.identity.photo
        ):
            photo = base64.b64encode(result.identity.photo).decode()
        return pages.render(
            request,
            "wallet_verify.html",
            status_code=status_code,
            csrf_token=pages.csrf_token(request, CSRF_PURPOSE),
            page_path=PAGE,
            expires=expires,
            photo_b64=photo,
            **context,
        )

    @router.get(PAGE)
    def show(request: Request, pages: PagesDep) -> Response:
        return page(request, pages)

    @router.post(PAGE)
    async def check(request: Request, pages: PagesDep) -> Response:
        form = await request.form()
        token = form.get("csrf_token")
        if not pages.csrf_ok(request, CSRF_PURPOSE, token if isinstance(token, str) else None):
            return pages.error(request, "error.csrf", status_code=403)
        platform = trust.platform
        decision = await run_in_threadpool(hit, platform, "wallet-verify", VERIFY_PER_IP, client_ip(request))
        if not decision.allowed:
            return limited(pages, request, decision)
        text, upload = form.get("text"), form.get("image")
        code = text.strip() if isinstance(text, str) else ""
        if not code and isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(MAX_IMAGE_BYTES + 1)
            try:
                code = await run_in_threadpool(read_qr, data)
            except NoQrCode:
                return page(request, pages, status_code=400, error="wallet.verify.no_qr")
        if not code:
            return page(request, pages, status_code=400, error="wallet.verify.no_input")
        result = await run_in_threadpool(trust.verify, code)
        return page(request, pages, result=result)

    return router
