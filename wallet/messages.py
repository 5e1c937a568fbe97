"""Texts of the wallet's pages: Vietnamese first, English on request (keys under ``wallet.``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "wallet.qr.title": {"vi": "Mã QR định danh", "en": "Identity QR code"},
    "wallet.qr.intro": {
        "vi": "Mã QR này chứa thông tin định danh đã được NIXA ký số. "
        "Người kiểm tra có thể xác minh mà không cần mạng.",
        "en": "This QR code carries your identity data signed by NIXA. A verifier can check it offline.",
    },
    "wallet.qr.not_eligible": {
        "vi": "Mã QR định danh chỉ cấp cho danh tính đã xác minh từ mức 2 trở lên.",
        "en": "An identity QR code is only issued for identities verified at level 2 or above.",
    },
    "wallet.qr.none": {
        "vi": "Bạn chưa có mã QR định danh còn hiệu lực.",
        "en": "You have no valid identity QR code.",
    },
    "wallet.qr.valid_until": {"vi": "Có hiệu lực đến {date} (UTC)", "en": "Valid until {date} (UTC)"},
    "wallet.qr.alt": {"vi": "Mã QR định danh của bạn", "en": "Your identity QR code"},
    "wallet.qr.issue": {"vi": "Cấp mã QR mới", "en": "Issue a new QR code"},
    "wallet.qr.download_png": {"vi": "Tải về (PNG)", "en": "Download (PNG)"},
    "wallet.qr.download_svg": {"vi": "Tải về (SVG)", "en": "Download (SVG)"},
    "wallet.qr.revoke": {"vi": "Báo mất điện thoại: thu hồi mã QR", "en": "Lost phone: revoke the QR code"},
    "wallet.qr.revoke_help": {
        "vi": "Mã bị thu hồi sẽ bị người kiểm tra từ chối ngay khi họ cập nhật danh sách trạng thái.",
        "en": "A revoked code is refused by verifiers as soon as they refresh the status list.",
    },
    "wallet.qr.issued": {
        "vi": "Đã cấp mã QR mới; mã cũ đã bị thu hồi.",
        "en": "A new QR code was issued; the old one is revoked.",
    },
    "wallet.qr.revoked": {
        "vi": "Đã thu hồi mã QR định danh.",
        "en": "The identity QR code has been revoked.",
    },
    "wallet.verify.title": {"vi": "Kiểm tra mã QR định danh", "en": "Check an identity QR code"},
    "wallet.verify.intro": {
        "vi": "Tải lên ảnh mã QR hoặc dán nội dung của mã "
        "để kiểm tra chữ ký, thời hạn và trạng thái thu hồi.",
        "en": "Upload a picture of the QR code or paste its text "
        "to check its signature, expiry and revocation.",
    },
    "wallet.verify.image": {"vi": "Ảnh mã QR (PNG hoặc JPEG)", "en": "Picture of the QR code (PNG or JPEG)"},
    "wallet.verify.text": {"vi": "Hoặc nội dung của mã", "en": "Or the code's text"},
    "wallet.verify.submit": {"vi": "Kiểm tra", "en": "Check"},
    "wallet.verify.no_input": {
        "vi": "Hãy chọn ảnh hoặc dán nội dung mã.",
        "en": "Choose a picture or paste the code's text.",
    },
    "wallet.verify.no_qr": {
        "vi": "Không đọc được mã QR trong ảnh.",
        "en": "No QR code could be read in the picture.",
    },
    "wallet.verdict.valid": {
        "vi": "HỢP LỆ: mã do NIXA cấp, còn hạn và chưa bị thu hồi.",
        "en": "VALID: issued by NIXA, not expired, not revoked.",
    },
    "wallet.verdict.malformed": {
        "vi": "KHÔNG HỢP LỆ: đây không phải mã QR định danh.",
        "en": "NOT VALID: this is not an identity QR code.",
    },
    "wallet.verdict.unknown_issuer": {
        "vi": "KHÔNG HỢP LỆ: mã không do cơ quan tin cậy cấp.",
        "en": "NOT VALID: not issued by a trusted issuer.",
    },
    "wallet.verdict.tampered": {
        "vi": "KHÔNG HỢP LỆ: nội dung mã đã bị sửa đổi.",
        "en": "NOT VALID: the code's content has been altered.",
    },
    "wallet.verdict.expired": {
        "vi": "KHÔNG HỢP LỆ: mã đã hết hạn.",
        "en": "NOT VALID: the code has expired.",
    },
    "wallet.verdict.not_yet_valid": {
        "vi": "KHÔNG HỢP LỆ: mã chưa có hiệu lực.",
        "en": "NOT VALID: the code is not valid yet.",
    },
    "wallet.verdict.revoked": {
        "vi": "KHÔNG HỢP LỆ: mã đã bị thu hồi.",
        "en": "NOT VALID: the code has been revoked.",
    },
    "wallet.verdict.suspended": {
        "vi": "KHÔNG HỢP LỆ: mã đang bị tạm dừng.",
        "en": "NOT VALID: the code is suspended.",
    },
    "wallet.verdict.status_unknown": {
        "vi": "CHƯA XÁC ĐỊNH: không kiểm tra được trạng thái thu hồi.",
        "en": "UNDETERMINED: the revocation status could not be checked.",
    },
    "wallet.identity.personal_id": {"vi": "Số định danh cá nhân", "en": "Personal ID number"},
    "wallet.identity.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "wallet.identity.birth_date": {"vi": "Ngày sinh", "en": "Date of birth"},
    "wallet.identity.sex": {"vi": "Giới tính", "en": "Sex"},
    "wallet.identity.sex.M": {"vi": "Nam", "en": "Male"},
    "wallet.identity.sex.F": {"vi": "Nữ", "en": "Female"},
    "wallet.identity.sex.X": {"vi": "Khác", "en": "Other"},
    "wallet.identity.address": {"vi": "Nơi thường trú", "en": "Address"},
    "wallet.identity.nationality": {"vi": "Quốc tịch", "en": "Nationality"},
    "wallet.identity.expires": {"vi": "Hạn của mã", "en": "Code valid until"},
}
