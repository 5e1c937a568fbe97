"""Texts of the broker's pages (Vietnamese first, English), keys namespaced ``federation.``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "federation.login_with": {"vi": "Đăng nhập bằng {name}", "en": "Log in with {name}"},
    "federation.login_with_help": {
        "vi": "Bạn sẽ được chuyển tới {name} để xác thực.",
        "en": "You will be sent to {name} to authenticate.",
    },
    "federation.error.refused": {
        "vi": "Không thể đăng nhập bằng nhà cung cấp định danh này: phản hồi của họ không hợp lệ.",
        "en": "The login through this identity provider failed: its answer was not valid.",
    },
    "federation.error.unavailable": {
        "vi": "Nhà cung cấp định danh hiện không phản hồi. Vui lòng thử lại sau.",
        "en": "The identity provider is not answering. Please try again later.",
    },
    "federation.error.expired": {
        "vi": "Lượt đăng nhập qua nhà cung cấp định danh đã hết hạn hoặc đã được dùng. Vui lòng bắt đầu lại.",
        "en": "This login through the identity provider expired or was already used. Please start again.",
    },
    "federation.error.unknown_provider": {
        "vi": "Không có nhà cung cấp định danh này.",
        "en": "There is no such identity provider.",
    },
    "federation.error.cancelled": {
        "vi": "Đăng nhập tại nhà cung cấp định danh đã bị huỷ hoặc bị từ chối.",
        "en": "The login at the identity provider was cancelled or refused.",
    },
    "federation.error.level": {
        "vi": "Nhà cung cấp định danh chỉ xác thực bạn ở mức thấp hơn mức cổng dịch vụ yêu cầu.",
        "en": "The identity provider authenticated you at a lower level than the portal requires.",
    },
    "federation.link.title": {"vi": "Lần đầu đăng nhập bằng {name}", "en": "First login with {name}"},
    "federation.link.intro": {
        "vi": "{name} đã xác thực bạn. Bạn muốn dùng tài khoản NIXA nào?",
        "en": "{name} has authenticated you. Which NIXA account do you want to use?",
    },
    "federation.link.create": {"vi": "Tạo danh tính NIXA mới", "en": "Create a new NIXA identity"},
    "federation.link.create_help": {
        "vi": "Danh tính mới có mức đảm bảo mà {name} có thể xác nhận.",
        "en": "The new identity gets the level of assurance {name} can vouch for.",
    },
    "federation.link.existing": {
        "vi": "Tôi đã có tài khoản NIXA: liên kết tài khoản đó",
        "en": "I already have a NIXA account: link it",
    },
    "federation.link.existing_help": {
        "vi": "Nhập số định danh cá nhân (hoặc email) và mật khẩu NIXA để chứng minh tài khoản là của bạn.",
        "en": "Enter your NIXA personal ID number (or email) and password to prove the account is yours.",
    },
    "federation.link.submit_existing": {"vi": "Liên kết và đăng nhập", "en": "Link and log in"},
    "federation.linked.title": {
        "vi": "Nhà cung cấp định danh đã liên kết",
        "en": "Linked identity providers",
    },
    "federation.linked.none": {
        "vi": "Bạn chưa liên kết nhà cung cấp định danh nào.",
        "en": "You have not linked any identity provider.",
    },
    "federation.linked.since": {"vi": "Liên kết từ {date}", "en": "Linked since {date}"},
    "federation.linked.remove": {"vi": "Gỡ liên kết {name}", "en": "Remove the link to {name}"},
    "federation.linked.removed": {"vi": "Đã gỡ liên kết.", "en": "The link was removed."},
    "federation.linked.login_first": {
        "vi": "Vui lòng đăng nhập để xem các liên kết của bạn.",
        "en": "Please log in to see your links.",
    },
    "federation.logout.done": {
        "vi": "Bạn đã đăng xuất khỏi NIXA và nhà cung cấp định danh.",
        "en": "You are logged out of NIXA and of the identity provider.",
    },
}
