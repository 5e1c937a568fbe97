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

CREDENTIAL_MESSAGES: dict[str, dict[str, str]] = {
    "cred.title": {"vi": "Thông tin xác thực trong ví", "en": "Credentials in your wallet"},
    "cred.intro": {
        "vi": "Đưa căn cước điện tử NIXA vào ví trên điện thoại; bạn chọn chia sẻ thông tin nào, mỗi lần.",
        "en": "Put your NIXA digital identity in your phone's wallet; you choose what to share, each time.",
    },
    "cred.get": {"vi": "Nhận vào ví", "en": "Add to the wallet"},
    "cred.not_eligible": {
        "vi": "Cần danh tính đã xác minh (mức 2 trở lên) để nhận thông tin xác thực.",
        "en": "A verified identity (level 2 or above) is needed to receive a credential.",
    },
    "cred.list": {"vi": "Đã cấp", "en": "Issued"},
    "cred.none": {"vi": "Chưa có thông tin xác thực nào.", "en": "No credentials yet."},
    "cred.identity": {"vi": "Căn cước điện tử NIXA", "en": "NIXA digital identity"},
    "cred.state.valid": {"vi": "còn hiệu lực", "en": "valid"},
    "cred.state.revoked": {"vi": "đã thu hồi", "en": "revoked"},
    "cred.state.expired": {"vi": "hết hạn", "en": "expired"},
    "cred.issued": {"vi": "cấp ngày", "en": "issued"},
    "cred.expires": {"vi": "hết hạn", "en": "expires"},
    "cred.device": {"vi": "khoá thiết bị", "en": "device key"},
    "cred.reason": {"vi": "Lý do", "en": "Reason"},
    "cred.reason.lost_device": {"vi": "Mất điện thoại", "en": "Lost phone"},
    "cred.reason.holder_request": {"vi": "Tôi không dùng nữa", "en": "I no longer use it"},
    "cred.revoke": {"vi": "Thu hồi", "en": "Revoke"},
    "cred.revoked": {
        "vi": "Đã thu hồi. Bên xác minh sẽ thấy thông tin này không còn hiệu lực.",
        "en": "Revoked. Verifiers will see that it is no longer valid.",
    },
    "cred.back": {"vi": "Về tài khoản", "en": "Back to your account"},
    "cred.back_list": {"vi": "Về danh sách", "en": "Back to the list"},
    "cred.offer_title": {"vi": "Quét bằng ví NIXA", "en": "Scan with the NIXA wallet"},
    "cred.offer_scan": {
        "vi": "Quét mã QR bằng ví trong vòng {minutes} phút.",
        "en": "Scan the QR code with the wallet within {minutes} minutes.",
    },
    "cred.offer_qr_alt": {"vi": "Mã QR nhận thông tin xác thực", "en": "Credential offer QR code"},
    "cred.offer_same_device": {
        "vi": "Mở bằng ví trên thiết bị này",
        "en": "Open with the wallet on this device",
    },
    "cred.tx_code": {"vi": "Mã giao dịch:", "en": "Transaction code:"},
    "cred.tx_code_why": {
        "vi": "Ví sẽ hỏi mã này; đừng cho ai biết. Chỉ chụp được mã QR thì không nhận được gì.",
        "en": "The wallet asks for this code; keep it to yourself. A photo of the QR alone is useless.",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    **CREDENTIAL_MESSAGES,
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
    "vp.stop_refresh": {"vi": "Tắt tự làm mới", "en": "Stop refreshing automatically"},
    "vp.again": {"vi": "Xác minh người khác", "en": "Verify someone else"},
    "vp.yes": {"vi": "Có", "en": "Yes"},
    "vp.rate_limited": {
        "vi": "Quá nhiều yêu cầu từ địa chỉ này. Vui lòng thử lại sau.",
        "en": "Too many requests from this address. Please try again later.",
    },
    "vp.no": {"vi": "Không", "en": "No"},
    **{f"vp.claim.{name}": {"vi": vi, "en": en} for name, (vi, en) in IDENTITY_CLAIMS.items()},
    **{f"vp.verdict.{k}": {"vi": vi, "en": en} for k, (vi, en) in _VERDICTS.items()},
    **{f"vp.verdict.{k}": {"vi": _GENERIC[0], "en": _GENERIC[1]} for k in _OTHER_VERDICTS},
}
