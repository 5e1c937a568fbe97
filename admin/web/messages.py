"""The console's texts: Vietnamese first, English on request (keys under ``admin.``)."""

from __future__ import annotations

from admin.permissions import Role


def _m(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


MESSAGES: dict[str, dict[str, str]] = {
    "admin.site": _m("NIXA – Bảng điều khiển vận hành", "NIXA – Operator console"),
    "admin.skip": _m("Chuyển tới nội dung chính", "Skip to main content"),
    "admin.footer": _m(
        "Mọi thao tác đều được ghi nhật ký kiểm toán", "Every action is recorded in the audit trail"
    ),
    "admin.nav": _m("Các mục", "Sections"),
    "admin.roles": _m("Vai trò", "Roles"),
    f"admin.role.{Role.VERIFIER}": _m("Xác minh viên", "Verifier"),
    f"admin.role.{Role.PORTAL_MANAGER}": _m("Quản lý cổng", "Portal manager"),
    f"admin.role.{Role.SECURITY_OFFICER}": _m("Cán bộ an ninh", "Security officer"),
    f"admin.role.{Role.AUDITOR}": _m("Kiểm toán viên", "Auditor"),
    "admin.sign_out": _m("Đăng xuất", "Sign out"),
    "admin.signed_out": _m("Bạn đã đăng xuất khỏi bảng điều khiển.", "You have signed out of the console."),
    "admin.nav.dashboard": _m("Tổng quan", "Dashboard"),
    "admin.nav.verification": _m("Hàng đợi xác minh", "Verification queue"),
    "admin.nav.citizens": _m("Công dân", "Citizens"),
    "admin.nav.portals": _m("Cổng dịch vụ", "Portals"),
    "admin.nav.keys": _m("Khoá ký", "Signing keys"),
    "admin.nav.audit": _m("Nhật ký kiểm toán", "Audit trail"),
    "admin.nav.operators": _m("Cán bộ vận hành", "Operators"),
    "admin.operators.help": _m(
        "Vai trò được cấp và thu hồi bằng lệnh `nixa admin grant` / `nixa admin revoke`, có ghi nhật ký.",
        "Roles are granted and revoked with `nixa admin grant` / `nixa admin revoke`, and audited.",
    ),
    "admin.operators.granted_by": _m("Cấp bởi", "Granted by"),
    "admin.operators.granted_at": _m("Cấp lúc", "Granted"),
    "admin.any": _m("Tất cả", "Any"),
    "admin.none": _m("Không có", "None"),
    "admin.yes": _m("Có", "Yes"),
    "admin.no": _m("Không", "No"),
    "admin.open": _m("Mở", "Open"),
    "admin.filter": _m("Lọc", "Filter"),
    "admin.search": _m("Tìm", "Search"),
    "admin.save": _m("Lưu", "Save"),
    "admin.next_page": _m("Trang sau", "Next page"),
    "admin.days": _m("ngày", "days"),
    "admin.back_home": _m("Về trang tổng quan", "Back to the dashboard"),
    "admin.reason": _m("Lý do (bắt buộc)", "Reason (required)"),
    "admin.reason_help": _m(
        "Ghi vào nhật ký kiểm toán cùng tên bạn và thao tác.",
        "Recorded in the audit trail with who you are and what you did.",
    ),
    # -- signing in -------------------------------------------------------------------------------------
    "admin.login.title": _m("Đăng nhập bảng điều khiển", "Sign in to the console"),
    "admin.login.text": _m(
        "Cán bộ vận hành đăng nhập bằng tài khoản NIXA với mật khẩu và yếu tố xác thực thứ hai (mức 3).",
        "Operators sign in with their NIXA account, password and a second factor (level 3).",
    ),
    "admin.login.button": _m("Đăng nhập bằng NIXA", "Sign in with NIXA"),
    "admin.login.idle": _m(
        "Phiên đã hết hạn do không hoạt động. Vui lòng đăng nhập lại.",
        "Your session ended after a period without activity. Please sign in again.",
    ),
    "admin.signin.title": _m("Không thể đăng nhập", "Sign-in not possible"),
    "admin.signin.again": _m("Đăng nhập lại", "Sign in again"),
    "admin.signin.level": _m(
        "Bảng điều khiển yêu cầu mức xác thực 3 (mật khẩu và yếu tố thứ hai).",
        "The console requires authentication level 3 (password and a second factor).",
    ),
    "admin.signin.cancelled": _m(
        "Đăng nhập đã bị huỷ hoặc bị từ chối.", "The sign-in was cancelled or refused."
    ),
    "admin.signin.expired": _m(
        "Yêu cầu đăng nhập đã hết hạn hoặc đã được dùng. Vui lòng bắt đầu lại.",
        "The sign-in request expired or was already used. Please start again.",
    ),
    "admin.signin.unavailable": _m(
        "Không kết nối được NIXA để đăng nhập. Vui lòng thử lại sau.",
        "NIXA cannot be reached for sign-in. Please try again later.",
    ),
    "admin.signin.failed": _m(
        "Không xác minh được phản hồi đăng nhập.", "The sign-in response could not be verified."
    ),
    "admin.signin.not_operator": _m(
        "Tài khoản này chưa được cấp vai trò vận hành.", "This account has not been given an operator role."
    ),
    # -- errors ---------------------------------------------------------------------------------------------
    "admin.error.title": _m("Có lỗi", "Something went wrong"),
    "admin.error.not_found": _m("Không tìm thấy trang hoặc mục này.", "This page or item was not found."),
    "admin.error.bad_request": _m("Yêu cầu không hợp lệ.", "The request is not valid."),
    "admin.error.server": _m(
        "Lỗi hệ thống. Vui lòng thử lại sau.", "A system error occurred. Please try again later."
    ),
    "admin.error.csrf": _m(
        "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.",
        "The form expired. Please reload the page and try again.",
    ),
    "admin.error.reason_required": _m("Vui lòng ghi lý do.", "Please give a reason."),
    "admin.error.own_account": _m(
        "Không thể thao tác trên tài khoản của chính mình; một cán bộ khác phải làm việc này.",
        "You cannot act on your own account; another operator must do this.",
    ),
    "admin.forbidden.title": _m("Không có quyền truy cập", "Access not permitted"),
    "admin.forbidden.text": _m(
        "Vai trò của bạn không cho phép thao tác này. Lần truy cập đã được ghi lại.",
        "Your role does not allow this. The attempt has been recorded.",
    ),
    "admin.forbidden.needs": _m("Quyền cần có:", "Permission needed:"),
    # -- notices --------------------------------------------------------------------------------------------
    "admin.notice.first_approval": _m(
        "Đã ghi nhận phê duyệt thứ nhất. Cần một cán bộ khác phê duyệt lần hai.",
        "First approval recorded. A different operator must give the second approval.",
    ),
    "admin.notice.approved": _m(
        "Đã phê duyệt: danh tính đạt mức 3.", "Approved: the identity is now level 3."
    ),
    "admin.notice.rejected": _m("Đã từ chối yêu cầu.", "The request was rejected."),
    "admin.notice.lock": _m(
        "Đã khoá tài khoản và kết thúc các phiên.", "The account is locked and its sessions ended."
    ),
    "admin.notice.unlock": _m("Đã mở khoá tài khoản.", "The account is unlocked."),
    "admin.notice.end-sessions": _m("Đã kết thúc mọi phiên.", "Every session has ended."),
    "admin.notice.reset-factor": _m("Đã đặt lại yếu tố xác thực.", "The factor has been reset."),
    "admin.notice.saved": _m("Đã lưu.", "Saved."),
    "admin.notice.rotated": _m("Đã xoay vòng.", "Rotated."),
    "admin.notice.no_secret": _m(
        "Cổng này không dùng mật khẩu ứng dụng.", "This portal does not use a client secret."
    ),
    "admin.notice.disabled": _m("Đã vô hiệu hoá cổng.", "The portal is disabled."),
    "admin.notice.enabled": _m("Đã kích hoạt lại cổng.", "The portal is enabled again."),
    "admin.notice.retired": _m("Đã rút khoá khỏi JWKS.", "The key was withdrawn from the JWKS."),
    "admin.notice.not_retired": _m(
        "Chỉ khoá đã nghỉ mới rút được; hãy xoay vòng trước.",
        "Only a retired key can be withdrawn; rotate first.",
    ),
    # -- dashboard ----------------------------------------------------------------------------------------
    "admin.dashboard.window": _m("24 giờ gần nhất, theo giờ UTC.", "The last 24 hours, by UTC hour."),
    "admin.dashboard.by_portal": _m("Lượt đăng nhập mỗi giờ theo cổng", "Logins per hour by portal"),
    "admin.dashboard.by_level": _m("Lượt đăng nhập mỗi giờ theo mức", "Logins per hour by level"),
    "admin.dashboard.failures": _m("Đăng nhập thất bại và khoá tạm", "Failures and lockouts"),
    "admin.dashboard.failure.failed": _m("Sai mật khẩu", "Wrong password"),
    "admin.dashboard.failure.second_factor_failed": _m("Sai yếu tố thứ hai", "Wrong second factor"),
    "admin.dashboard.failure.locked": _m("Bị khoá tạm", "Locked out"),
    "admin.dashboard.backlog": _m("Tồn đọng xác minh theo tuổi (ngày)", "Verification backlog by age (days)"),
    "admin.dashboard.pending": _m("Đang chờ", "Pending"),
    "admin.dashboard.oldest": _m("Cũ nhất", "Oldest"),
    "admin.dashboard.age_days": _m("Số yêu cầu theo tuổi (ngày)", "Requests by age (days)"),
    "admin.dashboard.totals": _m("Tổng trong 24 giờ", "Totals over 24 hours"),
    "admin.dashboard.series": _m("Nhóm", "Series"),
    "admin.dashboard.total": _m("Tổng", "Total"),
    # -- verification -------------------------------------------------------------------------------------
    "admin.verification.status": _m("Trạng thái", "Status"),
    "admin.verification.status.pending": _m("Đang chờ", "Pending"),
    "admin.verification.status.approved": _m("Đã phê duyệt", "Approved"),
    "admin.verification.status.rejected": _m("Đã từ chối", "Rejected"),
    "admin.verification.status.all": _m("Tất cả", "All"),
    "admin.verification.min_age": _m("Tuổi tối thiểu (ngày)", "Minimum age (days)"),
    "admin.verification.level": _m("Mức danh tính", "Identity level"),
    "admin.verification.submitted": _m("Nộp lúc", "Submitted"),
    "admin.verification.age": _m("Tuổi", "Age"),
    "admin.verification.approvals": _m("Phê duyệt", "Approvals"),
    "admin.verification.detail": _m("Yêu cầu xác minh", "Verification request"),
    "admin.verification.declared": _m("Công dân khai", "Declared by the citizen"),
    "admin.verification.registry": _m("Cơ sở dữ liệu quốc gia về dân cư", "Population registry record"),
    "admin.verification.registry_status": _m("Tình trạng", "Registry status"),
    "admin.verification.no_registry": _m("Không có bản ghi đối chiếu.", "No registry record to compare."),
    "admin.verification.evidence": _m("Ảnh minh chứng", "Evidence images"),
    "admin.verification.image.portrait": _m("Ảnh chân dung", "Portrait"),
    "admin.verification.image.id_front": _m("Mặt trước căn cước", "ID card, front"),
    "admin.verification.image.id_back": _m("Mặt sau căn cước", "ID card, back"),
    "admin.verification.decide": _m("Quyết định", "Decision"),
    "admin.verification.approve": _m("Phê duyệt", "Approve"),
    "admin.verification.reject": _m("Từ chối", "Reject"),
    "admin.verification.back": _m("Về hàng đợi", "Back to the queue"),
    "admin.verification.awaiting_second": _m(
        "Bạn đã phê duyệt lần một; lần hai phải do cán bộ khác thực hiện.",
        "You gave the first approval; the second must come from another operator.",
    ),
    "admin.verification.error.same_operator": _m(
        "Phê duyệt lần hai phải do một cán bộ khác thực hiện (nguyên tắc bốn mắt).",
        "The second approval must come from a different operator (four-eyes rule).",
    ),
    "admin.verification.error.not_eligible": _m(
        "Danh tính phải đạt mức 2 (đã đối chiếu) trước khi lên mức 3.",
        "The identity must be level 2 (registry-matched) before level 3.",
    ),
    "admin.verification.error.already_decided": _m(
        "Yêu cầu này đã được quyết định.", "This request was already decided."
    ),
    "admin.verification.error.reason_required": _m(
        "Vui lòng ghi lý do từ chối.", "Please give the reason for rejecting."
    ),
    "admin.verification.error.operator_required": _m("Thiếu cán bộ thực hiện.", "No operator given."),
    "admin.verification.error.unknown_request": _m("Không tìm thấy yêu cầu.", "Request not found."),
    # -- citizens -----------------------------------------------------------------------------------------
    "admin.citizens.query": _m("Số định danh cá nhân hoặc họ tên", "Personal ID number or name"),
    "admin.citizens.query_help": _m(
        "Số định danh: khớp chính xác 12 chữ số. Họ tên: mọi từ đã nhập, không phân biệt dấu.",
        "ID number: exact 12 digits. Name: every word typed, accents ignored.",
    ),
    "admin.citizens.none": _m("Không tìm thấy công dân nào.", "No citizen found."),
    "admin.citizen.personal_id": _m("Số định danh cá nhân", "Personal ID number"),
    "admin.citizen.name": _m("Họ và tên", "Full name"),
    "admin.citizen.birth_date": _m("Ngày sinh", "Date of birth"),
    "admin.citizen.sex": _m("Giới tính", "Sex"),
    "admin.citizen.email": _m("Email", "Email"),
    "admin.citizen.phone": _m("Điện thoại", "Phone"),
    "admin.citizen.level": _m("Mức", "Level"),
    "admin.citizen.state": _m("Trạng thái", "State"),
    "admin.citizen.active": _m("Hoạt động", "Active"),
    "admin.citizen.locked": _m("Đã khoá", "Locked"),
    "admin.citizen.lockouts": _m("Khoá tạm do sai nhiều lần", "Failure lockouts"),
    "admin.citizen.lockout.password": _m("Mật khẩu", "Password"),
    "admin.citizen.lockout.second_factor": _m("Yếu tố thứ hai", "Second factor"),
    "admin.citizen.factors": _m("Yếu tố xác thực", "Authentication factors"),
    "admin.citizen.factor": _m("Loại", "Kind"),
    "admin.citizen.added": _m("Thêm lúc", "Added"),
    "admin.citizen.last_used": _m("Dùng gần nhất", "Last used"),
    "admin.citizen.unconfirmed": _m("chưa xác nhận", "unconfirmed"),
    "admin.citizen.reset": _m("Đặt lại", "Reset"),
    "admin.citizen.recovery_left": _m("Mã khôi phục còn lại", "Recovery codes left"),
    "admin.citizen.linked": _m("Cổng đã liên kết", "Linked portals"),
    "admin.citizen.since": _m("Từ", "Since"),
    "admin.citizen.sessions": _m("Phiên đang mở", "Open sessions"),
    "admin.citizen.started": _m("Bắt đầu", "Started"),
    "admin.citizen.browser": _m("Trình duyệt", "Browser"),
    "admin.citizen.actions": _m("Thao tác", "Actions"),
    "admin.citizen.lock": _m("Khoá tài khoản", "Lock the account"),
    "admin.citizen.unlock": _m("Mở khoá tài khoản", "Unlock the account"),
    "admin.citizen.end_sessions": _m("Kết thúc mọi phiên", "End every session"),
    "admin.citizen.history": _m("Lịch sử", "History"),
    # -- portals ------------------------------------------------------------------------------------------
    "admin.portal.new": _m("Thêm cổng", "New portal"),
    "admin.portal.edit": _m("Sửa cổng", "Edit portal"),
    "admin.portal.name": _m("Tên cổng", "Portal name"),
    "admin.portal.redirect_uris": _m("Địa chỉ chuyển hướng", "Redirect URIs"),
    "admin.portal.one_per_line": _m(
        "Mỗi dòng một địa chỉ, khớp chính xác.", "One per line, matched exactly."
    ),
    "admin.portal.logout_uris": _m("Địa chỉ sau đăng xuất", "Post-logout redirect URIs"),
    "admin.portal.backchannel": _m("Địa chỉ đăng xuất back-channel", "Back-channel logout URI"),
    "admin.portal.frontchannel": _m("Địa chỉ đăng xuất front-channel", "Front-channel logout URI"),
    "admin.portal.grant_types": _m("Loại cấp quyền", "Grant types"),
    "admin.portal.scopes": _m("Phạm vi được phép", "Allowed scopes"),
    "admin.portal.auth_method": _m("Cách xác thực ứng dụng", "Authentication method"),
    "admin.portal.jwks_uri": _m("JWKS URI", "JWKS URI"),
    "admin.portal.subject_type": _m("Kiểu định danh chủ thể", "Subject type"),
    "admin.portal.sector": _m("Định danh khu vực (tên máy chủ)", "Sector identifier (host)"),
    "admin.portal.sector_help": _m(
        "Các cổng cùng khu vực nhận cùng sub dạng pairwise. Để trống: máy chủ của địa chỉ chuyển hướng.",
        "Portals of one sector get the same pairwise sub. Empty: the host of the redirect URIs.",
    ),
    "admin.portal.alg": _m("Thuật toán ký ID token", "ID token signing algorithm"),
    "admin.portal.min_acr": _m("Mức đảm bảo tối thiểu", "Minimum acr"),
    "admin.portal.invalid": _m("Thông tin cổng chưa hợp lệ:", "The portal settings are not valid:"),
    "admin.portal.secret_once": _m(
        "Mật khẩu ứng dụng chỉ hiển thị một lần này. Hãy chuyển ngay cho cổng qua kênh an toàn.",
        "The client secret is shown this once only. Pass it to the portal over a secure channel now.",
    ),
    "admin.portal.integration": _m("Thông tin tích hợp", "Integration details"),
    "admin.portal.discovery": _m("Địa chỉ discovery", "Discovery URL"),
    "admin.portal.example": _m(
        "Cấu hình mẫu cho thư viện OpenID Connect:", "Example configuration for an OpenID Connect library:"
    ),
    "admin.portal.settings": _m("Cấu hình", "Settings"),
    "admin.portal.enabled": _m("Hoạt động", "Enabled"),
    "admin.portal.disabled": _m("Đã vô hiệu hoá", "Disabled"),
    "admin.portal.rotate_secret": _m("Cấp mật khẩu ứng dụng mới", "Rotate the client secret"),
    "admin.portal.disable": _m("Vô hiệu hoá cổng", "Disable the portal"),
    "admin.portal.enable": _m("Kích hoạt lại cổng", "Enable the portal"),
    "admin.portals.console_protected": _m(
        "Đăng ký của chính bảng điều khiển do hệ thống quản lý, không sửa ở đây.",
        "The console's own registration is managed by the system and cannot be changed here.",
    ),
    # -- keys ---------------------------------------------------------------------------------------------
    "admin.keys.state": _m("Trạng thái", "State"),
    "admin.keys.state.next": _m("Kế tiếp", "Next"),
    "admin.keys.state.current": _m("Đang dùng", "Current"),
    "admin.keys.state.retired": _m("Đã nghỉ", "Retired"),
    "admin.keys.created": _m("Tạo lúc", "Created"),
    "admin.keys.activated": _m("Bắt đầu ký", "Signing since"),
    "admin.keys.published": _m("Công bố trong JWKS", "Published in the JWKS"),
    "admin.keys.until": _m("đến", "until"),
    "admin.keys.retire": _m("Rút khỏi JWKS ngay", "Withdraw from the JWKS now"),
    "admin.keys.rotate": _m("Xoay vòng khoá", "Rotate keys"),
    "admin.keys.rotate_help": _m(
        "Khoá kế tiếp (đã công bố) bắt đầu ký; khoá hiện tại nghỉ và vẫn được công bố"
        " tới khi token của nó hết hạn.",
        "The next key (already published) starts signing; the current one retires and stays published"
        " until its tokens expire.",
    ),
    "admin.keys.all_algs": _m("Mọi thuật toán", "Every algorithm"),
    # -- audit --------------------------------------------------------------------------------------------
    "admin.audit.actor": _m("Người thực hiện", "Actor"),
    "admin.audit.citizen": _m("Công dân (số định danh hoặc mã)", "Citizen (ID number or id)"),
    "admin.audit.portal": _m("Cổng (client_id)", "Portal (client_id)"),
    "admin.audit.event": _m("Sự kiện", "Event"),
    "admin.audit.since": _m("Từ", "From"),
    "admin.audit.until": _m("Đến", "Until"),
    "admin.audit.at": _m("Thời điểm", "Time"),
    "admin.audit.data": _m("Chi tiết", "Details"),
    "admin.audit.older": _m("Cũ hơn", "Older"),
    "admin.audit.verify": _m("Kiểm tra chuỗi băm", "Verify the hash chain"),
    "admin.audit.chain_ok": _m(
        "Chuỗi nguyên vẹn: {records} bản ghi.", "The chain is intact: {records} records."
    ),
    "admin.audit.chain_broken": _m(
        "Chuỗi bị phá vỡ ({records} bản ghi đã đọc):", "The chain is broken ({records} records read):"
    ),
}
