"""Texts of the upstream provider, federation and credential sections: Vietnamese first, then English."""

from __future__ import annotations

from admin.web.messages import _m

UPSTREAM: dict[str, dict[str, str]] = {
    "admin.nav.upstream": _m("Nhà cung cấp định danh liên kết", "Upstream identity providers"),
    "admin.upstream.intro": _m(
        "Các hệ thống đăng nhập (SSO bộ ngành, bưu chính, ngân hàng) mà NIXA chuyển tiếp người dùng tới.",
        "Sign-in systems (ministry SSO, postal ID, banks) NIXA brokers logins to.",
    ),
    "admin.upstream.new": _m("Thêm nhà cung cấp", "Add a provider"),
    "admin.upstream.add": _m("Thêm", "Add"),
    "admin.upstream.invalid": _m("Không thể thêm nhà cung cấp:", "The provider cannot be added:"),
    "admin.upstream.name": _m("Mã (trong URL)", "Name (in URLs)"),
    "admin.upstream.name_help": _m(
        "2–63 chữ thường, số hoặc dấu gạch ngang.", "2–63 lowercase letters, digits or dashes."
    ),
    "admin.upstream.display_name": _m("Tên hiển thị", "Display name"),
    "admin.upstream.protocol": _m("Giao thức", "Protocol"),
    "admin.upstream.protocol.oidc": _m("OpenID Connect", "OpenID Connect"),
    "admin.upstream.protocol.saml": _m("SAML 2.0", "SAML 2.0"),
    "admin.upstream.max_level": _m("Mức cao nhất", "Highest level"),
    "admin.upstream.discovery_url": _m("URL khám phá (discovery)", "Discovery URL"),
    "admin.upstream.metadata_url": _m("URL siêu dữ liệu SAML", "SAML metadata URL"),
    "admin.upstream.metadata_xml": _m("Hoặc dán siêu dữ liệu XML", "Or paste the metadata XML"),
    "admin.upstream.metadata_source": _m("Nguồn siêu dữ liệu", "Metadata source"),
    "admin.upstream.acr_map": _m("Ánh xạ mức xác thực (acr)", "Authentication level mapping (acr)"),
    "admin.upstream.acr_help": _m(
        "Mỗi dòng: ACR_CỦA_NHÀ_CUNG_CẤP=urn:nixa:loa:N. Giá trị không ánh xạ được tính là mức 1.",
        "One per line: UPSTREAM_ACR=urn:nixa:loa:N. Unmapped values count as level 1.",
    ),
    "admin.upstream.acr_none": _m(
        "Không có: mọi đăng nhập tính là mức 1.", "None: every login counts as level 1."
    ),
    "admin.upstream.upstream_acr": _m("acr của nhà cung cấp", "Upstream acr"),
    "admin.upstream.claim_map": _m("Ánh xạ thuộc tính", "Attribute mapping"),
    "admin.upstream.claim_help": _m(
        "Mỗi dòng: THUỘC_TÍNH=TÊN_CLAIM (để trống dùng mặc định).",
        "One per line: ATTRIBUTE=UPSTREAM_NAME (empty for the defaults).",
    ),
    "admin.upstream.trusted_claims": _m(
        "Thuộc tính được tin cậy là đã xác minh", "Attributes trusted as verified"
    ),
    "admin.upstream.identity_level": _m(
        "Mức định danh của tài khoản tạo mới", "Level of identities it creates"
    ),
    "admin.upstream.secret_kept": _m("Đã lưu (mã hoá)", "Kept (encrypted)"),
    "admin.upstream.new_secret": _m(
        "client_secret mới do nhà cung cấp cấp", "New client_secret from the provider"
    ),
    "admin.upstream.secret_required": _m(
        "Hãy nhập client_secret mới (ít nhất 16 ký tự).",
        "Enter the new client_secret (at least 16 characters).",
    ),
    "admin.upstream.register": _m("Đăng ký tại nhà cung cấp", "Register at the provider"),
    "admin.upstream.register_help": _m(
        "Gửi các địa chỉ này cho đơn vị vận hành nhà cung cấp để đăng ký NIXA.",
        "Give these addresses to the provider's operators to register NIXA.",
    ),
    "admin.upstream.confirm_remove": _m(
        "Nhập mã nhà cung cấp để xác nhận xoá", "Type the provider's name to confirm"
    ),
    "admin.upstream.confirm_name": _m(
        "Mã nhập vào không khớp: nhà cung cấp chưa bị xoá.",
        "The name typed does not match: nothing was removed.",
    ),
    "admin.upstream.remove": _m("Xoá nhà cung cấp và các liên kết", "Remove the provider and its links"),
    "admin.notice.upstream-add": _m("Đã thêm nhà cung cấp.", "The provider was added."),
    "admin.notice.upstream-enable": _m("Đã kích hoạt nhà cung cấp.", "The provider is enabled."),
    "admin.notice.upstream-disable": _m("Đã tắt nhà cung cấp.", "The provider is disabled."),
    "admin.notice.upstream-secret": _m("Đã thay client_secret.", "The client secret was replaced."),
    "admin.notice.upstream-remove": _m("Đã xoá nhà cung cấp.", "The provider was removed."),
}

FEDERATION: dict[str, dict[str, str]] = {
    "admin.nav.federation": _m("Liên bang định danh", "Federation"),
    "admin.federation.refused": _m("Không thực hiện được:", "Not done:"),
    "admin.federation.anchors": _m("Điểm neo tin cậy", "Trust anchors"),
    "admin.federation.intermediates": _m("Thực thể trung gian", "Intermediates"),
    "admin.federation.leaves": _m("Thực thể lá (cổng dịch vụ)", "Leaves (portals)"),
    "admin.federation.trust_marks": _m("Dấu tin cậy", "Trust marks"),
    "admin.federation.admitted": _m(
        "Cổng được đăng ký qua liên bang (tự động hoặc tường minh)", "Portals admitted through the federation"
    ),
    "admin.federation.registration": _m("Kiểu đăng ký", "Registration"),
    "admin.federation.chain": _m("Chuỗi tin cậy", "Trust chain"),
    "admin.federation.name": _m("Tên", "Name"),
    "admin.federation.superior": _m("Cấp trên", "Superior"),
    "admin.federation.subordinates": _m("Số cấp dưới", "Subordinates"),
    "admin.federation.run_by": _m("Vận hành bởi", "Run by"),
    "admin.federation.run_by.nixa": _m("NIXA", "NIXA"),
    "admin.federation.run_by.external": _m("Đơn vị khác", "Another operator"),
    "admin.federation.types": _m("Loại thực thể", "Entity types"),
    "admin.federation.admitted_until": _m("Đăng ký tự động đến", "Admitted until"),
    "admin.federation.not_admitted": _m("Chưa đăng ký", "Not admitted"),
    "admin.federation.subject": _m("Thực thể được cấp", "Subject"),
    "admin.federation.mark_type": _m("Loại dấu", "Trust mark type"),
    "admin.federation.issued": _m("Cấp ngày", "Issued"),
    "admin.federation.expires": _m("Hết hạn", "Expires"),
    "admin.federation.status.active": _m("Hiệu lực", "Active"),
    "admin.federation.status.expired": _m("Hết hạn", "Expired"),
    "admin.federation.status.revoked": _m("Đã thu hồi", "Revoked"),
    "admin.federation.revoke": _m("Thu hồi", "Revoke"),
    "admin.federation.enrol": _m("Kết nạp cấp dưới", "Enrol a subordinate"),
    "admin.federation.jwks": _m("Khoá liên bang (JWK Set, JSON)", "Federation keys (JWK Set, JSON)"),
    "admin.federation.jwks_help": _m(
        "Khoá công khai của thực thể, mỗi khoá có kid.", "The entity's public keys, each with a kid."
    ),
    "admin.federation.jwks_invalid": _m("Khoá không phải JSON hợp lệ.", "The keys are not valid JSON."),
    "admin.federation.is_intermediate": _m("Là thực thể trung gian", "Is an intermediate"),
    "admin.federation.new_intermediate": _m(
        "Tạo thực thể trung gian của NIXA", "Create an intermediate NIXA runs"
    ),
    "admin.federation.slug": _m("Mã (trong URL)", "Slug (in URLs)"),
    "admin.federation.remove": _m("Gỡ cấp dưới", "Remove a subordinate"),
    "admin.federation.link": _m("Liên kết", "Link"),
    "admin.federation.own_entity": _m(
        "Không thể gỡ OpenID Provider của chính NIXA.", "NIXA's own OpenID Provider cannot be removed."
    ),
    "admin.federation.issue_mark": _m("Cấp dấu tin cậy", "Issue a trust mark"),
    "admin.notice.federation-enrol": _m("Đã kết nạp cấp dưới.", "The subordinate was enrolled."),
    "admin.notice.federation-remove": _m("Đã gỡ cấp dưới.", "The subordinate was removed."),
    "admin.notice.federation-intermediate": _m(
        "Đã tạo thực thể trung gian.", "The intermediate was created."
    ),
    "admin.notice.federation-mark-issue": _m("Đã cấp dấu tin cậy.", "The trust mark was issued."),
    "admin.notice.federation-mark-revoke": _m("Đã thu hồi dấu tin cậy.", "The trust mark was revoked."),
}

CREDENTIALS: dict[str, dict[str, str]] = {
    "admin.nav.credentials": _m("Chứng thư số của công dân", "Citizen credentials"),
    "admin.credentials.intro": _m(
        "Thu hồi thực hiện từ hồ sơ công dân; danh sách trạng thái được cập nhật ngay cho bên kiểm tra.",
        "Revocations are made from the citizen's file; the status list changes at once for every verifier.",
    ),
    "admin.credentials.kind": _m("Loại", "Kind"),
    "admin.credentials.recent": _m("Thu hồi gần đây", "Recent revocations"),
    "admin.credentials.identity_qr": _m("Mã QR định danh", "Identity QR codes"),
    "admin.credentials.sd_jwt": _m("Chứng thư SD-JWT VC", "SD-JWT VC credentials"),
    "admin.credentials.devices": _m("Thiết bị ví", "Wallet devices"),
    "admin.credentials.upstream_links": _m(
        "Tài khoản liên kết ở nhà cung cấp khác", "Linked upstream accounts"
    ),
    "admin.credentials.validity": _m(
        "Cấp {issued}, hết hạn {expires}{reason}", "Issued {issued}, expires {expires}{reason}"
    ),
    "admin.credentials.device": _m(
        "Khoá {protection}, đăng ký {since}, dùng lần cuối {used}",
        "{protection} key, registered {since}, last used {used}",
    ),
    "admin.credentials.link": _m(
        "Liên kết từ {since}, đăng nhập lần cuối {used}", "Linked {since}, last login {used}"
    ),
    "admin.credentials.revoke": _m("Thu hồi", "Revoke"),
    "admin.credentials.revoke_device": _m("Thu hồi thiết bị", "Revoke the device"),
    "admin.credentials.unlink": _m("Gỡ liên kết", "Remove the link"),
    "admin.credentials.lost_phone": _m("Mất điện thoại", "Lost phone"),
    "admin.credentials.lost_phone_help": _m(
        "Thu hồi ngay mọi chứng thư SD-JWT VC, mã QR định danh và thiết bị ví còn hiệu lực của công dân.",
        "Revokes at once every active SD-JWT VC, identity QR code and wallet device of the citizen.",
    ),
    "admin.credentials.revoke_all": _m("Thu hồi tất cả", "Revoke everything"),
    "admin.notice.wallet-revoke-all": _m(
        "Đã thu hồi mọi chứng thư và thiết bị ví.", "Every credential and wallet device was revoked."
    ),
    "admin.credentials.bad_code": _m("Mã lý do không hợp lệ.", "The reason code is not valid."),
    "admin.credentials.reason.lost_device": _m("Mất thiết bị", "Lost device"),
    "admin.credentials.reason.compromised": _m("Khoá bị lộ", "Key compromised"),
    "admin.credentials.reason.identity_changed": _m("Thông tin định danh thay đổi", "Identity data changed"),
    "admin.credentials.reason.operator": _m("Quyết định của cán bộ", "Operator's decision"),
    "admin.panel.code": _m("Lý do thu hồi", "Revocation reason"),
    "admin.panel.state.active": _m("Hiệu lực", "Active"),
    "admin.panel.state.revoked": _m("Đã thu hồi", "Revoked"),
    "admin.panel.state.expired": _m("Hết hạn", "Expired"),
    "admin.panel.state.linked": _m("Đã liên kết", "Linked"),
    "admin.notice.credential-revoke": _m("Đã thu hồi chứng thư.", "The credential was revoked."),
    "admin.notice.identity-qr-revoke": _m("Đã thu hồi mã QR định danh.", "The identity QR code was revoked."),
    "admin.notice.device-revoke": _m("Đã thu hồi thiết bị ví.", "The wallet device was revoked."),
    "admin.notice.upstream-link-remove": _m("Đã gỡ tài khoản liên kết.", "The linked account was removed."),
}
