"""Messages for the pages people see: Vietnamese first, English on request."""

from __future__ import annotations

LOCALES = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "site.name": {
        "vi": "NIXA – Định danh và xác thực quốc gia",
        "en": "NIXA – National identity and authentication",
    },
    "lang.switch": {"vi": "English", "en": "Tiếng Việt"},
    "login.title": {"vi": "Đăng nhập", "en": "Log in"},
    "login.to": {"vi": "để tiếp tục tới {client}", "en": "to continue to {client}"},
    "login.username": {"vi": "Số định danh cá nhân hoặc email", "en": "Personal ID number or email"},
    "login.username_help": {
        "vi": "12 chữ số trên căn cước công dân",
        "en": "The 12 digits on your citizen ID card",
    },
    "login.password": {"vi": "Mật khẩu", "en": "Password"},
    "login.submit": {"vi": "Đăng nhập", "en": "Log in"},
    "login.cancel": {"vi": "Huỷ", "en": "Cancel"},
    "login.failed": {
        "vi": "Số định danh, email hoặc mật khẩu không đúng.",
        "en": "The personal ID number, email or password is incorrect.",
    },
    "login.locked": {
        "vi": "Tạm khoá do đăng nhập sai nhiều lần. Vui lòng thử lại sau {time} (giờ UTC).",
        "en": "Temporarily locked after too many failed attempts. Please try again after {time} (UTC).",
    },
    "login.missing": {
        "vi": "Vui lòng nhập số định danh (hoặc email) và mật khẩu.",
        "en": "Please enter your personal ID number (or email) and password.",
    },
    "select.title": {"vi": "Chọn tài khoản", "en": "Choose an account"},
    "select.continue": {"vi": "Tiếp tục với {name}", "en": "Continue as {name}"},
    "select.other": {"vi": "Dùng tài khoản khác", "en": "Use another account"},
    "consent.title": {"vi": "Cho phép chia sẻ thông tin", "en": "Allow sharing of information"},
    "consent.intro": {
        "vi": "{client} yêu cầu truy cập các thông tin sau của bạn:",
        "en": "{client} asks for the following information about you:",
    },
    "consent.only_login": {
        "vi": "{client} chỉ yêu cầu xác nhận việc đăng nhập của bạn.",
        "en": "{client} only asks to confirm that you have logged in.",
    },
    "consent.offline": {
        "vi": "Truy cập khi bạn không trực tuyến (làm mới phiên)",
        "en": "Access while you are not online (refresh tokens)",
    },
    "consent.remember": {
        "vi": "Lựa chọn sẽ được ghi nhớ; bạn có thể thu hồi tại trang Tài khoản.",
        "en": "Your choice is remembered; you can revoke it on the Account page.",
    },
    "consent.approve": {"vi": "Đồng ý", "en": "Allow"},
    "consent.deny": {"vi": "Từ chối", "en": "Deny"},
    "claim.name": {"vi": "Họ và tên", "en": "Full name"},
    "claim.family_name": {"vi": "Họ", "en": "Family name"},
    "claim.given_name": {"vi": "Tên", "en": "Given name"},
    "claim.middle_name": {"vi": "Tên đệm", "en": "Middle name"},
    "claim.birthdate": {"vi": "Ngày sinh", "en": "Date of birth"},
    "claim.gender": {"vi": "Giới tính", "en": "Sex"},
    "claim.locale": {"vi": "Ngôn ngữ", "en": "Language"},
    "claim.updated_at": {"vi": "Thời điểm cập nhật hồ sơ", "en": "Profile update time"},
    "claim.email": {"vi": "Địa chỉ email", "en": "Email address"},
    "claim.email_verified": {"vi": "Email đã xác minh", "en": "Whether the email is verified"},
    "claim.phone_number": {"vi": "Số điện thoại", "en": "Phone number"},
    "claim.phone_number_verified": {"vi": "Số điện thoại đã xác minh", "en": "Whether the phone is verified"},
    "claim.address": {"vi": "Địa chỉ", "en": "Address"},
    "claim.personal_id": {"vi": "Số định danh cá nhân (12 số)", "en": "Personal ID number (12 digits)"},
    "error.title": {"vi": "Không thể tiếp tục", "en": "Cannot continue"},
    "error.back": {
        "vi": "Quay lại trang của cơ quan và thử lại.",
        "en": "Go back to the portal and try again.",
    },
    "error.missing_client_id": {
        "vi": "Yêu cầu đăng nhập thiếu mã ứng dụng (client_id).",
        "en": "The login request has no application identifier (client_id).",
    },
    "error.unknown_client": {
        "vi": "Ứng dụng yêu cầu đăng nhập không được đăng ký với NIXA.",
        "en": "The application asking you to log in is not registered with NIXA.",
    },
    "error.missing_redirect_uri": {
        "vi": "Yêu cầu đăng nhập thiếu địa chỉ chuyển hướng (redirect_uri).",
        "en": "The login request has no redirect address (redirect_uri).",
    },
    "error.bad_redirect_uri": {
        "vi": "Địa chỉ chuyển hướng không khớp với địa chỉ đã đăng ký của ứng dụng.",
        "en": "The redirect address does not match the one registered for this application.",
    },
    "error.interaction_expired": {
        "vi": "Phiên đăng nhập đã hết hạn hoặc không thuộc trình duyệt này.",
        "en": "This login attempt has expired or belongs to another browser.",
    },
    "error.interaction_finished": {
        "vi": "Yêu cầu đăng nhập này đã được xử lý.",
        "en": "This login request has already been completed.",
    },
    "error.csrf": {
        "vi": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang.",
        "en": "The form has expired or is not valid. Please reload the page.",
    },
    "error.not_found": {"vi": "Không tìm thấy trang.", "en": "Page not found."},
    "error.server": {
        "vi": "Đã xảy ra lỗi. Vui lòng thử lại sau.",
        "en": "Something went wrong. Please try again later.",
    },
    "error.method": {"vi": "Phương thức không được hỗ trợ.", "en": "Method not allowed."},
    "account.title": {"vi": "Tài khoản của bạn", "en": "Your account"},
    "account.consents": {
        "vi": "Ứng dụng đã được chia sẻ thông tin",
        "en": "Applications you share information with",
    },
    "account.none": {"vi": "Chưa có ứng dụng nào.", "en": "No applications yet."},
    "account.revoke": {"vi": "Thu hồi", "en": "Revoke"},
    "account.login_first": {"vi": "Bạn chưa đăng nhập.", "en": "You are not logged in."},
    "account.revoked": {"vi": "Đã thu hồi quyền chia sẻ.", "en": "Sharing has been revoked."},
    "logout.title": {"vi": "Đăng xuất", "en": "Log out"},
    "logout.confirm": {
        "vi": "Bạn có muốn đăng xuất khỏi NIXA và mọi cổng dịch vụ đã đăng nhập?",
        "en": "Do you want to log out of NIXA and every portal you are logged in to?",
    },
    "logout.submit": {"vi": "Đăng xuất", "en": "Log out"},
    "logout.stay": {"vi": "Ở lại", "en": "Stay logged in"},
    "logout.done": {"vi": "Bạn đã đăng xuất.", "en": "You have been logged out."},
    "logout.continue": {"vi": "Tiếp tục", "en": "Continue"},
    "form_post.continue": {"vi": "Tiếp tục", "en": "Continue"},
    "form_post.explain": {
        "vi": "Nhấn Tiếp tục nếu trình duyệt không tự chuyển trang.",
        "en": "Press Continue if your browser does not move on by itself.",
    },
    "logout.requested_by": {"vi": "{client} yêu cầu đăng xuất bạn.", "en": "{client} asks to log you out."},
    "logout.no_session": {
        "vi": "Bạn hiện không đăng nhập NIXA trên trình duyệt này.",
        "en": "You are not logged in to NIXA in this browser.",
    },
    "logout.cancel": {"vi": "Huỷ", "en": "Cancel"},
    "logout.stayed": {"vi": "Bạn vẫn đang đăng nhập NIXA.", "en": "You are still logged in to NIXA."},
    "logout.notifying": {
        "vi": "Đang báo đăng xuất tới các cổng dịch vụ bạn đã dùng.",
        "en": "Telling the portals you used that you have logged out.",
    },
    "logout.anyway": {
        "vi": "Đăng xuất khỏi NIXA (không quay lại cổng dịch vụ)",
        "en": "Log out of NIXA (without returning to the portal)",
    },
    "error.logout_repeated_parameter": {
        "vi": "Yêu cầu đăng xuất có tham số bị lặp lại.",
        "en": "The logout request repeats a parameter.",
    },
    "error.logout_bad_id_token_hint": {
        "vi": "Yêu cầu đăng xuất chứa mã định danh (ID token) không do NIXA cấp.",
        "en": "The logout request carries an ID token that NIXA did not issue.",
    },
    "error.logout_client_mismatch": {
        "vi": "Mã ứng dụng không khớp với ứng dụng đã nhận mã định danh (ID token).",
        "en": "The application identifier does not match the ID token's application.",
    },
    "error.logout_unknown_client": {
        "vi": "Ứng dụng yêu cầu đăng xuất không được đăng ký với NIXA.",
        "en": "The application asking to log you out is not registered with NIXA.",
    },
    "error.logout_redirect_without_client": {
        "vi": "Yêu cầu đăng xuất có địa chỉ quay lại nhưng không cho biết ứng dụng nào gửi yêu cầu.",
        "en": "The logout request has a return address but does not say which application sent it.",
    },
    "error.logout_bad_post_logout_redirect_uri": {
        "vi": "Địa chỉ quay lại sau đăng xuất không khớp với địa chỉ đã đăng ký của ứng dụng.",
        "en": "The address to return to after logout does not match one registered for this application.",
    },
}


def translate(key: str, locale: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    text = key if entry is None else entry.get(locale) or entry["vi"]
    return text.format(**values) if values else text
