"""Texts of the verifier page and the credential pages, Vietnamese first (keys ``vp.*``, ``cred.*``)."""

from __future__ import annotations

from wallet.vci.metadata import IDENTITY_CLAIMS

_VERDICTS = {
    "valid": ("Hợp lệ: danh tính đã được xác minh.", "Valid: the identity is verified."),
    "expired": (
        "Hết hạn: yêu cầu hoặc thông tin xác thực đã hết hạn.",
        "Expired: the request or credential has expired.",
    ),
    "revoked": (
        "Đã thu hồi: thông tin xác thực này không còn hiệu lực.",
        "Revoked: this credential is no longer valid.",
    ),
    "suspended": (
        "Tạm ngưng: thông tin xác thực đang bị tạm ngưng.",
        "Suspended: this credential is suspended.",
    ),
    "declined": ("Người dùng đã từ chối chia sẻ.", "The holder declined to share."),
    "unknown_issuer": ("Không rõ nơi cấp: không tin cậy được.", "Unknown issuer: cannot be trusted."),
    "invalid_signature": (
        "Chữ ký không hợp lệ: dữ liệu đã bị sửa đổi.",
        "Invalid signature: the data was altered.",
    ),
    "wrong_nonce": (
        "Bản trình bày không dành cho yêu cầu này (phát lại?).",
        "The presentation is not for this request (replayed?).",
    ),
    "wrong_audience": (
        "Bản trình bày dành cho bên xác minh khác.",
        "The presentation is meant for another verifier.",
    ),
    "missing_claims": ("Thiếu thông tin được yêu cầu.", "Requested information is missing."),
    "status_unavailable": (
        "Không kiểm tra được trạng thái thu hồi.",
        "The revocation status could not be checked.",
    ),
}
_GENERIC = ("Không hợp lệ: bản trình bày bị từ chối.", "Invalid: the presentation was refused.")
_OTHER_VERDICTS = (
    "malformed",
    "missing_credential",
    "wrong_type",
    "no_status",
    "stale_key_binding",
    "wrong_sd_hash",
    "missing_key_binding",
    "invalid_key_binding",
    "no_holder_key",
    "duplicate_disclosure",
    "duplicate_digest",
    "unreferenced_disclosure",
    "claim_clash",
    "malformed_disclosure",
    "unsupported_sd_alg",
    "wrong_type",
)

MESSAGES: dict[str, dict[str, str]] = {
    "vp.title": {"vi": "Xác minh danh tính qua ví", "en": "Verify an identity with the wallet"},
    "vp.intro": {
        "vi": "Chọn thông tin cần xem; người dân quét mã QR bằng ví NIXA và chỉ chia sẻ những thông tin đó.",
        "en": (
            "Choose what you need to see; the citizen scans the QR with the NIXA wallet and shares just that."
        ),
    },
    "vp.which_claims": {"vi": "Thông tin cần xác minh", "en": "Information to verify"},
    "vp.choose_claims": {"vi": "Hãy chọn ít nhất một thông tin.", "en": "Choose at least one item."},
    "vp.start": {"vi": "Tạo mã QR", "en": "Create the QR code"},
    "vp.scan": {"vi": "Quét mã QR này bằng ví NIXA.", "en": "Scan this QR code with the NIXA wallet."},
    "vp.qr_alt": {"vi": "Mã QR yêu cầu trình bày", "en": "Presentation request QR code"},
    "vp.open_wallet": {"vi": "Mở bằng ví trên thiết bị này", "en": "Open with the wallet on this device"},
    "vp.waiting": {
        "vi": "Đang chờ ví trả lời… Trang tự làm mới.",
        "en": "Waiting for the wallet… This page refreshes.",
    },
    "vp.refresh": {"vi": "Làm mới", "en": "Refresh"},
    "vp.again": {"vi": "Xác minh người khác", "en": "Verify someone else"},
    "vp.yes": {"vi": "Có", "en": "Yes"},
    "vp.no": {"vi": "Không", "en": "No"},
    **{f"vp.claim.{name}": {"vi": vi, "en": en} for name, (vi, en) in IDENTITY_CLAIMS.items()},
    **{f"vp.verdict.{k}": {"vi": vi, "en": en} for k, (vi, en) in _VERDICTS.items()},
    **{f"vp.verdict.{k}": {"vi": _GENERIC[0], "en": _GENERIC[1]} for k in _OTHER_VERDICTS},
}
