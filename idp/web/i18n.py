"""Messages for the pages people see: Vietnamese first, English on request."""

from __future__ import annotations

from collections.abc import Mapping

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
    "login.other_ways": {"vi": "Hoặc đăng nhập bằng cách khác", "en": "Or log in another way"},
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
    "error.invalid_request_object": {
        "vi": "Yêu cầu đăng nhập của ứng dụng không hợp lệ (đối tượng yêu cầu đã ký không kiểm tra được).",
        "en": "The application's login request is invalid (its signed request object could not be verified).",
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
    "proofing.title": {"vi": "Xác minh danh tính mức 3", "en": "Identity verification to level 3"},
    "proofing.intro": {
        "vi": "Tải lên ảnh chân dung và ảnh hai mặt căn cước công dân. Cán bộ sẽ kiểm tra và phản hồi.",
        "en": "Upload a portrait and photos of both sides of your citizen ID card for officers to review.",
    },
    "proofing.portrait": {"vi": "Ảnh chân dung", "en": "Portrait"},
    "proofing.id_front": {"vi": "Mặt trước căn cước công dân", "en": "Front of the ID card"},
    "proofing.id_back": {"vi": "Mặt sau căn cước công dân", "en": "Back of the ID card"},
    "proofing.formats": {
        "vi": "Ảnh JPEG hoặc PNG, tối đa {mb} MB mỗi ảnh.",
        "en": "JPEG or PNG images, at most {mb} MB each.",
    },
    "proofing.submit": {"vi": "Gửi yêu cầu xác minh", "en": "Submit for verification"},
    "proofing.status.none": {
        "vi": "Bạn chưa gửi yêu cầu xác minh.",
        "en": "You have not asked to be verified.",
    },
    "proofing.status.pending": {
        "vi": "Yêu cầu của bạn đang chờ cán bộ kiểm tra.",
        "en": "Your request is waiting for review by officers.",
    },
    "proofing.status.approved": {
        "vi": "Danh tính của bạn đã được xác minh ở mức 3.",
        "en": "Your identity has been verified to level 3.",
    },
    "proofing.status.rejected": {
        "vi": "Yêu cầu xác minh bị từ chối. Lý do: {reason}",
        "en": "Your verification request was refused. Reason: {reason}",
    },
    "proofing.submitted": {"vi": "Đã nhận ảnh của bạn.", "en": "Your photos have been received."},
    "proofing.error.missing": {
        "vi": "Vui lòng chọn đủ ba ảnh.",
        "en": "Please choose all three photos.",
    },
    "proofing.error.too_large": {
        "vi": "Ảnh quá lớn (tối đa {mb} MB).",
        "en": "The photo is too large (at most {mb} MB).",
    },
    "proofing.error.too_many_pixels": {
        "vi": "Ảnh có độ phân giải quá lớn. Vui lòng chụp lại với độ phân giải thấp hơn.",
        "en": "The photo has too many pixels. Please take it again at a lower resolution.",
    },
    "proofing.error.not_image": {
        "vi": "Tệp không phải ảnh JPEG hoặc PNG hợp lệ.",
        "en": "The file is not a valid JPEG or PNG image.",
    },
    "proofing.error.not_eligible": {
        "vi": "Cần đối chiếu dữ liệu dân cư (mức 2) trước khi xác minh mức 3.",
        "en": "Your data must first be matched with the population registry (level 2).",
    },
    "proofing.error.already_verified": {
        "vi": "Danh tính của bạn đã được xác minh ở mức 3.",
        "en": "Your identity is already verified to level 3.",
    },
    "proofing.error.already_open": {
        "vi": "Bạn đã có một yêu cầu đang chờ xử lý.",
        "en": "You already have a request waiting for review.",
    },
    "factor.title": {"vi": "Xác thực bước hai", "en": "Second step of authentication"},
    "factor.intro": {
        "vi": "{client} yêu cầu mức bảo đảm cao (mức 3). Vui lòng xác nhận bằng yếu tố thứ hai.",
        "en": "{client} requires a high level of assurance (level 3). Please confirm with a second factor.",
    },
    "factor.totp_label": {
        "vi": "Mã 6 chữ số từ ứng dụng xác thực",
        "en": "6-digit code from your authenticator app",
    },
    "factor.totp_submit": {"vi": "Xác nhận mã", "en": "Confirm code"},
    "factor.passkey_button": {"vi": "Dùng khoá truy cập (passkey)", "en": "Use a passkey"},
    "factor.recovery_label": {"vi": "Hoặc một mã khôi phục", "en": "Or a recovery code"},
    "factor.recovery_submit": {"vi": "Dùng mã khôi phục", "en": "Use recovery code"},
    "factor.failed": {"vi": "Mã hoặc khoá không hợp lệ.", "en": "The code or key is not valid."},
    "factor.locked": {
        "vi": "Tạm khoá do nhập sai nhiều lần. Vui lòng thử lại sau.",
        "en": "Temporarily locked after too many failed attempts. Please try again later.",
    },
    "security.title": {"vi": "Bảo mật tài khoản", "en": "Account security"},
    "security.login_first": {
        "vi": "Vui lòng đăng nhập để quản lý bảo mật tài khoản.",
        "en": "Please log in to manage your account security.",
    },
    "security.factors": {"vi": "Yếu tố xác thực thứ hai", "en": "Second factors"},
    "security.none": {"vi": "Chưa có yếu tố thứ hai.", "en": "No second factor yet."},
    "security.kind.totp": {"vi": "Ứng dụng xác thực (TOTP)", "en": "Authenticator app (TOTP)"},
    "security.kind.passkey": {"vi": "Khoá truy cập (passkey)", "en": "Passkey"},
    "security.remove": {"vi": "Gỡ bỏ", "en": "Remove"},
    "security.totp_start": {"vi": "Thiết lập ứng dụng xác thực", "en": "Set up an authenticator app"},
    "security.totp_scan": {
        "vi": "Quét mã QR bằng ứng dụng xác thực, hoặc nhập khoá bí mật sau:",
        "en": "Scan the QR code with your authenticator app, or enter this secret key:",
    },
    "security.totp_confirm": {"vi": "Nhập mã đầu tiên để xác nhận", "en": "Enter the first code to confirm"},
    "security.totp_bad_code": {
        "vi": "Mã không đúng, vui lòng thử lại.",
        "en": "Wrong code, please try again.",
    },
    "security.passkey_add": {"vi": "Thêm khoá truy cập", "en": "Add a passkey"},
    "security.passkey_failed": {
        "vi": "Không thể đăng ký khoá truy cập.",
        "en": "The passkey could not be registered.",
    },
    "security.recovery": {"vi": "Mã khôi phục", "en": "Recovery codes"},
    "security.recovery_left": {"vi": "Còn {count} mã chưa dùng.", "en": "{count} unused codes left."},
    "security.recovery_generate": {"vi": "Tạo bộ mã khôi phục mới", "en": "Generate new recovery codes"},
    "security.recovery_once": {
        "vi": "Hãy lưu các mã này ở nơi an toàn. Chúng chỉ được hiển thị một lần; mỗi mã dùng được một lần.",
        "en": "Keep these codes somewhere safe. They are shown only once; each works once.",
    },
    "security.password": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "security.password_current": {"vi": "Mật khẩu hiện tại", "en": "Current password"},
    "security.password_new": {"vi": "Mật khẩu mới", "en": "New password"},
    "security.password_submit": {"vi": "Đổi mật khẩu", "en": "Change password"},
    "security.password_wrong": {
        "vi": "Mật khẩu hiện tại không đúng.",
        "en": "The current password is wrong.",
    },
    "security.password_policy": {
        "vi": "Mật khẩu mới phải có từ 8 ký tự trở lên.",
        "en": "The new password must have at least 8 characters.",
    },
    "security.saved": {
        "vi": "Đã lưu. Các phiên đăng nhập khác của bạn đã được kết thúc.",
        "en": "Saved. Your other sessions have been ended.",
    },
    "security.back": {"vi": "Quay lại trang bảo mật", "en": "Back to account security"},
    # -- signup, confirmation, recovery and self-service (issue 3) ------------------------------------
    "signup.title": {"vi": "Đăng ký tài khoản", "en": "Create an account"},
    "signup.submit": {"vi": "Đăng ký", "en": "Create account"},
    "signup.fix_errors": {
        "vi": "Vui lòng sửa các mục được đánh dấu bên dưới.",
        "en": "Please correct the fields marked below.",
    },
    "signup.duplicate": {
        "vi": "Số định danh hoặc email này đã có tài khoản NIXA.",
        "en": "This personal ID number or email already has a NIXA account.",
    },
    "signup.recover_link": {"vi": "Khôi phục tài khoản đó", "en": "Recover that account"},
    "signup.deceased": {
        "vi": "Không thể đăng ký: theo Cơ sở dữ liệu quốc gia về dân cư, người mang số định danh này đã mất. "
        "Nếu thông tin này sai, vui lòng liên hệ cơ quan công an nơi cư trú.",
        "en": "Registration is not possible: the national population registry records the holder of this "
        "personal ID number as deceased. If this is wrong, please contact your local police office.",
    },
    "signup.sex_m": {"vi": "Nam", "en": "Male"},
    "signup.sex_f": {"vi": "Nữ", "en": "Female"},
    "signup.contact_help": {
        "vi": "Nhập email, số điện thoại hoặc cả hai để xác nhận và khôi phục tài khoản.",
        "en": "Enter an email address, a phone number or both, to confirm and recover your account.",
    },
    "signup.password_help": {"vi": "Từ 8 đến 128 ký tự.", "en": "From 8 to 128 characters."},
    "signup.password_confirm": {"vi": "Nhập lại mật khẩu", "en": "Repeat the password"},
    "signup.error.full_name": {
        "vi": "Vui lòng nhập họ và tên như trên căn cước (2 đến 200 ký tự).",
        "en": "Please enter your full name as on your ID card (2 to 200 characters).",
    },
    "signup.error.sex": {"vi": "Vui lòng chọn giới tính.", "en": "Please choose your sex."},
    "signup.error.birth_date": {
        "vi": "Ngày sinh không hợp lệ (định dạng năm-tháng-ngày, không ở tương lai).",
        "en": "The date of birth is not valid (year-month-day, not in the future).",
    },
    "signup.error.personal_id.not_12_digits": {
        "vi": "Số định danh cá nhân phải gồm đúng 12 chữ số.",
        "en": "The personal ID number must be exactly 12 digits.",
    },
    "signup.error.personal_id.unknown_province": {
        "vi": "Ba chữ số đầu không phải mã tỉnh, thành phố nơi đăng ký khai sinh.",
        "en": "The first three digits are not a province code of birth registration.",
    },
    "signup.error.personal_id.bad_century_digit": {
        "vi": "Chữ số thứ tư (giới tính và thế kỷ sinh) phải từ 0 đến 5.",
        "en": "The fourth digit (sex and century of birth) must be 0 to 5.",
    },
    "signup.error.personal_id.birth_year_mismatch": {
        "vi": "Năm sinh trong số định danh (chữ số 4 đến 6) không khớp với ngày sinh đã nhập.",
        "en": "The birth year in the personal ID number (digits 4 to 6) does not match the date of birth.",
    },
    "signup.error.personal_id.sex_mismatch": {
        "vi": "Giới tính trong số định danh (chữ số thứ tư) không khớp với giới tính đã chọn.",
        "en": "The sex in the personal ID number (fourth digit) does not match the sex chosen.",
    },
    "signup.error.personal_id.in_future": {
        "vi": "Năm sinh trong số định danh nằm ở tương lai.",
        "en": "The birth year in the personal ID number is in the future.",
    },
    "signup.error.email": {"vi": "Địa chỉ email không hợp lệ.", "en": "The email address is not valid."},
    "signup.error.phone": {
        "vi": "Số điện thoại di động không hợp lệ (ví dụ 0912345678 hoặc +84912345678).",
        "en": "The mobile number is not valid (for example 0912345678 or +84912345678).",
    },
    "signup.error.contact_required": {
        "vi": "Vui lòng nhập ít nhất một email hoặc số điện thoại.",
        "en": "Please enter at least an email address or a phone number.",
    },
    "signup.error.password_short": {
        "vi": "Mật khẩu phải có ít nhất 8 ký tự.",
        "en": "The password must have at least 8 characters.",
    },
    "signup.error.password_long": {
        "vi": "Mật khẩu không được dài quá 128 ký tự.",
        "en": "The password must have at most 128 characters.",
    },
    "signup.error.password_confirm": {
        "vi": "Hai mật khẩu không giống nhau.",
        "en": "The two passwords are not the same.",
    },
    "signup.done_title": {"vi": "Đã tạo tài khoản", "en": "Your account is ready"},
    "signup.level": {"vi": "Mức độ tin cậy của tài khoản: {level}.", "en": "Level of assurance: {level}."},
    "signup.not_matched": {
        "vi": "Thông tin chưa được đối chiếu với Cơ sở dữ liệu quốc gia về dân cư; "
        "một số dịch vụ cần mức cao hơn.",
        "en": "Your details are not yet matched with the national population registry; "
        "some services need a higher level.",
    },
    "signup.email_sent": {
        "vi": "Chúng tôi đã gửi liên kết xác nhận tới email của bạn.",
        "en": "We have sent a confirmation link to your email address.",
    },
    "signup.phone_sent": {
        "vi": "Chúng tôi đã gửi mã xác nhận 6 chữ số tới số điện thoại của bạn.",
        "en": "We have sent a 6-digit confirmation code to your phone.",
    },
    "signup.code": {"vi": "Mã xác nhận (6 chữ số)", "en": "Confirmation code (6 digits)"},
    "signup.confirm": {"vi": "Xác nhận", "en": "Confirm"},
    "signup.email_title": {"vi": "Xác nhận email", "en": "Confirm your email"},
    "signup.email_confirmed": {"vi": "Email của bạn đã được xác nhận.", "en": "Your email is confirmed."},
    "signup.link_invalid": {
        "vi": "Liên kết không hợp lệ, đã được dùng hoặc đã hết hạn.",
        "en": "This link is not valid, has already been used or has expired.",
    },
    "signup.phone_title": {"vi": "Xác nhận số điện thoại", "en": "Confirm your phone"},
    "signup.phone_confirmed": {
        "vi": "Số điện thoại của bạn đã được xác nhận.",
        "en": "Your phone number is confirmed.",
    },
    "signup.code_wrong": {
        "vi": "Mã không đúng, đã hết hạn hoặc đã nhập sai quá nhiều lần.",
        "en": "The code is wrong, has expired or was entered wrongly too many times.",
    },
    "loa.0": {"vi": "Chưa xác định", "en": "Not established"},
    "loa.1": {
        "vi": "Mức cơ bản (tự đăng ký, chưa đối chiếu)",
        "en": "Basic (self-registered, not matched)",
    },
    "loa.2": {
        "vi": "Định danh mức độ 1 (đã đối chiếu Cơ sở dữ liệu quốc gia về dân cư)",
        "en": "Level 1 under Decree 69/2024 (matched with the national population registry)",
    },
    "loa.3": {
        "vi": "Định danh mức độ 2 (đã kiểm tra ảnh chân dung và giấy tờ)",
        "en": "Level 2 under Decree 69/2024 (portrait and document checked)",
    },
    "profile.title": {"vi": "Thông tin cá nhân", "en": "Your profile"},
    "profile.verified": {"vi": "(đã xác nhận)", "en": "(confirmed)"},
    "profile.unverified": {"vi": "(chưa xác nhận)", "en": "(not confirmed)"},
    "profile.loa": {"vi": "Mức độ tin cậy", "en": "Level of assurance"},
    "activity.title": {"vi": "Hoạt động của bạn", "en": "Your activity"},
    "activity.none": {"vi": "Chưa có hoạt động nào.", "en": "No activity yet."},
    "activity.time": {"vi": "Thời điểm", "en": "Time"},
    "activity.portal": {"vi": "Cổng dịch vụ", "en": "Portal"},
    "activity.event": {"vi": "Sự kiện", "en": "Event"},
    "activity.login:succeeded": {"vi": "Đăng nhập thành công", "en": "Logged in"},
    "activity.login:failed": {"vi": "Đăng nhập thất bại", "en": "Failed login attempt"},
    "activity.login:locked_out": {
        "vi": "Tạm khoá do đăng nhập sai nhiều lần",
        "en": "Locked after too many failed logins",
    },
    "activity.consent:given": {"vi": "Đồng ý chia sẻ thông tin", "en": "Agreed to share information"},
    "activity.consent:revoked": {"vi": "Thu hồi quyền chia sẻ", "en": "Revoked sharing"},
    "activity.token:issued": {
        "vi": "Cổng dịch vụ nhận thông tin của bạn",
        "en": "The portal received your information",
    },
    "activity.session:logout": {"vi": "Đăng xuất", "en": "Logged out"},
    "activity.signup:completed": {"vi": "Tạo tài khoản", "en": "Account created"},
    "activity.signup:email_confirmed": {"vi": "Xác nhận email", "en": "Email confirmed"},
    "activity.signup:phone_confirmed": {"vi": "Xác nhận số điện thoại", "en": "Phone number confirmed"},
    "activity.account:password_reset_requested": {
        "vi": "Yêu cầu đặt lại mật khẩu",
        "en": "Password reset requested",
    },
    "activity.account:password_reset": {"vi": "Đặt lại mật khẩu", "en": "Password reset"},
    "recover.title": {"vi": "Quên mật khẩu", "en": "Forgot your password"},
    "recover.submit": {"vi": "Gửi hướng dẫn", "en": "Send instructions"},
    "recover.sent": {
        "vi": "Nếu thông tin trên khớp với một tài khoản có email hoặc số điện thoại đã xác nhận, chúng tôi "
        "đã gửi liên kết hoặc mã để đặt lại mật khẩu.",
        "en": "If this matches an account with a confirmed email or phone, we have sent a link or a code "
        "to reset the password.",
    },
    "recover.have_code": {"vi": "Tôi đã nhận được mã qua SMS", "en": "I received a code by SMS"},
    "reset.title": {"vi": "Đặt lại mật khẩu", "en": "Reset your password"},
    "reset.new_password": {"vi": "Mật khẩu mới", "en": "New password"},
    "reset.submit": {"vi": "Đặt mật khẩu mới", "en": "Set the new password"},
    "reset.wrong": {
        "vi": "Liên kết hoặc mã không đúng, đã được dùng hoặc đã hết hạn.",
        "en": "The link or code is wrong, has been used or has expired.",
    },
    "reset.done": {
        "vi": "Đã đặt mật khẩu mới. Mọi phiên đăng nhập khác của bạn đã kết thúc.",
        "en": "Your new password is set. All your other sessions have ended.",
    },
    "selflogin.signup": {"vi": "Đăng ký tài khoản", "en": "Create an account"},
    "selflogin.recover": {"vi": "Quên mật khẩu", "en": "Forgot your password"},
    "selflogin.reauth": {
        "vi": "Để thay đổi cài đặt bảo mật, vui lòng nhập lại mật khẩu.",
        "en": "To change your security settings, please enter your password again.",
    },
    "sessions.link": {"vi": "Các phiên đăng nhập đang mở", "en": "Your active sessions"},
    "sessions.title": {"vi": "Các phiên đăng nhập đang mở", "en": "Active sessions"},
    "sessions.intro": {
        "vi": "Nếu có phiên bạn không nhận ra, hãy kết thúc phiên đó và đổi mật khẩu.",
        "en": "If you do not recognise a session, end it and change your password.",
    },
    "sessions.started": {"vi": "Bắt đầu", "en": "Started"},
    "sessions.auth_time": {"vi": "Đăng nhập gần nhất", "en": "Last login"},
    "sessions.level": {"vi": "Mức đăng nhập", "en": "Login level"},
    "sessions.level.0": {"vi": "Không rõ", "en": "Unknown"},
    "sessions.level.1": {"vi": "Mức 1", "en": "Level 1"},
    "sessions.level.2": {"vi": "Mức 2 (mật khẩu)", "en": "Level 2 (password)"},
    "sessions.level.3": {"vi": "Mức 3 (hai yếu tố)", "en": "Level 3 (two factors)"},
    "sessions.browser": {"vi": "Trình duyệt", "en": "Browser"},
    "sessions.ip": {"vi": "Địa chỉ IP", "en": "IP address"},
    "sessions.unknown": {"vi": "Không rõ", "en": "Unknown"},
    "sessions.this_browser": {"vi": "trình duyệt này", "en": "this browser"},
    "sessions.end": {"vi": "Kết thúc phiên", "en": "End session"},
    "sessions.end_others": {"vi": "Kết thúc mọi phiên khác", "en": "End all other sessions"},
    "sessions.not_found": {"vi": "Không tìm thấy phiên đăng nhập này.", "en": "This session was not found."},
    "signup.rate_limited": {
        "vi": "Có quá nhiều lượt đăng ký từ địa chỉ mạng này. Thông tin bạn đã nhập vẫn được giữ "
        "(trừ mật khẩu). Vui lòng thử lại sau {time} (giờ UTC), khoảng {minutes} phút nữa.",
        "en": "Too many signups from this network address. What you typed is kept (except the "
        "passwords). Please try again after {time} (UTC), in about {minutes} minutes.",
    },
    "recover.rate_limited": {
        "vi": "Có quá nhiều yêu cầu khôi phục từ địa chỉ mạng này. "
        "Vui lòng thử lại sau {time} (giờ UTC), khoảng {minutes} phút nữa.",
        "en": "Too many recovery requests from this network address. "
        "Please try again after {time} (UTC), in about {minutes} minutes.",
    },
}


def register_messages(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add an extension's messages. Keys are namespaced by the extension; one that is already taken with
    other text is a programming error, refused rather than silently changing an IdP page."""
    for key, texts in messages.items():
        if "vi" not in texts:
            raise ValueError(f"message {key!r} has no Vietnamese text")
        existing = MESSAGES.get(key)
        if existing is not None and existing != dict(texts):
            raise ValueError(f"message {key!r} is already defined")
        MESSAGES[key] = dict(texts)


def translate(key: str, locale: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    text = key if entry is None else entry.get(locale) or entry["vi"]
    return text.format(**values) if values else text
