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
        "vi": "Mã bị thu hồi sẽ bị người kiểm tra từ chối ngay khi họ cập nhật danh sách trạng thái. "
        "Các thiết bị ví cũng bị thu hồi.",
        "en": "A revoked code is refused by verifiers as soon as they refresh the status list. "
        "Your wallet devices are revoked too.",
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
    "wallet.rate_limited": {
        "vi": "Có quá nhiều yêu cầu từ địa chỉ mạng này. Vui lòng thử lại sau ít phút.",
        "en": "Too many requests from this network address. Please try again in a few minutes.",
    },
    "wallet.identity.photo": {"vi": "Ảnh chân dung trong mã", "en": "Portrait in the code"},
    "wallet.qr.with_portrait": {"vi": "Kèm ảnh chân dung nhỏ", "en": "Include a small portrait"},
    "wallet.qr.with_portrait_help": {
        "vi": "Ảnh đã được cán bộ kiểm tra khi xác minh mức 3; mã QR sẽ dày hơn.",
        "en": "The portrait an officer checked for level 3; the QR code becomes denser.",
    },
    "wallet.qr.no_portrait": {
        "vi": "Chưa có ảnh chân dung đã được kiểm tra (cần xác minh mức 3).",
        "en": "No checked portrait yet (level 3 proofing needed).",
    },
    "wallet.identity.expires": {"vi": "Hạn của mã", "en": "Code valid until"},
}

MESSAGES.update(
    {
        "wallet.qrlogin.choice": {
            "vi": "Đăng nhập bằng ứng dụng NIXA (quét mã QR)",
            "en": "Log in with the NIXA app (scan a QR)",
        },
        "wallet.qrlogin.choice_help": {
            "vi": "Dùng điện thoại đã đăng ký khoá thiết bị và mã PIN.",
            "en": "With a phone whose device key is registered, and your PIN.",
        },
        "wallet.qrlogin.title": {"vi": "Đăng nhập bằng mã QR", "en": "Log in with a QR code"},
        "wallet.qrlogin.step_scan": {
            "vi": "Mở ứng dụng NIXA và quét mã QR này.",
            "en": "Open the NIXA app and scan this QR code.",
        },
        "wallet.qrlogin.step_check": {
            "vi": "Kiểm tra rằng ứng dụng ghi đúng tên cổng: {client}.",
            "en": "Check that the app names the right portal: {client}.",
        },
        "wallet.qrlogin.step_code": {
            "vi": "Nhập số dưới đây vào ứng dụng và xác nhận bằng mã PIN.",
            "en": "Type the number below into the app and confirm with your PIN.",
        },
        "wallet.qrlogin.alt": {"vi": "Mã QR đăng nhập", "en": "Log-in QR code"},
        "wallet.qrlogin.code_label": {"vi": "Số đối chiếu", "en": "Matching number"},
        "wallet.qrlogin.expires": {
            "vi": "Mã hết hạn lúc {time} (UTC).",
            "en": "The code expires at {time} (UTC).",
        },
        "wallet.qrlogin.scanned": {
            "vi": "Đã quét. Hãy xác nhận trên điện thoại.",
            "en": "Scanned. Confirm on your phone.",
        },
        "wallet.qrlogin.waiting": {
            "vi": "Chưa có xác nhận từ điện thoại. Hãy xác nhận rồi bấm Tiếp tục.",
            "en": "No confirmation from the phone yet. Confirm there, then press Continue.",
        },
        "wallet.qrlogin.continue": {"vi": "Tiếp tục", "en": "Continue"},
        "wallet.qrlogin.back": {"vi": "Chọn cách đăng nhập khác", "en": "Choose another way to log in"},
        "wallet.qrlogin.again": {"vi": "Tạo mã QR mới", "en": "Show a new QR code"},
        "wallet.qrlogin.expired": {"vi": "Mã QR đã hết hạn.", "en": "The QR code has expired."},
        "wallet.qrlogin.used": {
            "vi": "Mã QR này đã được dùng để đăng nhập.",
            "en": "This QR code has been used to log in.",
        },
        "wallet.qrlogin.refused": {
            "vi": "Yêu cầu đăng nhập đã bị từ chối (mã đã được quét hoặc số đối chiếu không khớp).",
            "en": "The log-in request was refused "
            "(the code was already scanned, or the number did not match).",
        },
        "wallet.devices.title": {"vi": "Thiết bị ví NIXA", "en": "NIXA wallet devices"},
        "wallet.devices.none": {"vi": "Chưa có thiết bị nào được đăng ký.", "en": "No device is registered."},
        "wallet.devices.register": {"vi": "Đăng ký thiết bị mới", "en": "Register a new device"},
        "wallet.devices.register_help": {
            "vi": "Cần đăng nhập mức 3 (mật khẩu và yếu tố thứ hai) trong vòng vài phút gần đây.",
            "en": "Needs a level 3 login (password and a second factor) within the last few minutes.",
        },
        "wallet.devices.needs_level3": {
            "vi": "Để đăng ký thiết bị, hãy đăng nhập lại với mật khẩu và yếu tố thứ hai (mức 3).",
            "en": "To register a device, log in again with your password and a second factor (level 3).",
        },
        "wallet.devices.code_title": {"vi": "Mã đăng ký thiết bị", "en": "Device registration code"},
        "wallet.devices.code_help": {
            "vi": "Quét mã này bằng ứng dụng NIXA hoặc nhập mã bên dưới. "
            "Mã dùng một lần, hết hạn sau {minutes} phút.",
            "en": "Scan this with the NIXA app or type the code below. "
            "It works once and expires in {minutes} minutes.",
        },
        "wallet.devices.code_alt": {"vi": "Mã QR đăng ký thiết bị", "en": "Device registration QR code"},
        "wallet.devices.kind.software": {"vi": "khoá phần mềm", "en": "software key"},
        "wallet.devices.kind.hardware": {"vi": "khoá phần cứng", "en": "hardware key"},
        "wallet.devices.revoke": {"vi": "Thu hồi thiết bị", "en": "Revoke this device"},
        "wallet.devices.revoked": {"vi": "Đã thu hồi thiết bị.", "en": "The device has been revoked."},
    }
)
