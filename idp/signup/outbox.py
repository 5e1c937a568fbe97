"""Outbound messages: email through SMTP and SMS through a gateway interface.

Neither logs the recipient or the text: both carry personal data and live secrets.
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from idp.config import Settings
from idp.db import utcnow

log = logging.getLogger("nixa.signup.outbox")


class DeliveryFailed(RuntimeError):
    """The message could not be handed over; the caller decides whether that stops the flow."""


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, to: str, subject: str, body: str) -> None:
        st = self.settings
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = st.smtp_from, to, subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(st.smtp_host, st.smtp_port, timeout=10) as smtp:
                if st.smtp_starttls:
                    smtp.starttls()
                if st.smtp_username and st.smtp_password:
                    smtp.login(st.smtp_username, st.smtp_password.get_secret_value())
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("email delivery failed: %s", type(exc).__name__)
            raise DeliveryFailed("email") from exc


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class FileSmsGateway:
    """Development gateway: one JSON line per message in data_dir/sms-outbox.jsonl."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        line = json.dumps({"at": utcnow().isoformat(), "to": phone, "text": text}, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")


def sms_gateway_for(settings: Settings) -> SmsGateway:
    if settings.sms_gateway == "file":
        return FileSmsGateway(settings.data_dir / "sms-outbox.jsonl")
    raise ValueError(f"unknown sms_gateway {settings.sms_gateway!r} (only 'file' exists so far)")


class Notifier:
    """The texts NIXA sends, Vietnamese first then English; links point at this issuer."""

    def __init__(self, mailer: Mailer, sms: SmsGateway, issuer: str) -> None:
        self.mailer = mailer
        self.sms = sms
        self.issuer = issuer

    def confirm_email(self, to: str, token: str) -> None:
        link = f"{self.issuer}/signup/email?token={token}"
        self.mailer.send(
            to,
            "NIXA: xác nhận địa chỉ email / confirm your email address",
            f"Mở liên kết sau để xác nhận email của bạn:\n{link}\n\n"
            f"Open this link to confirm your email address:\n{link}\n",
        )

    def reset_email(self, to: str, token: str) -> None:
        link = f"{self.issuer}/reset?token={token}"
        self.mailer.send(
            to,
            "NIXA: đặt lại mật khẩu / reset your password",
            f"Mở liên kết sau để đặt lại mật khẩu:\n{link}\nNếu bạn không yêu cầu, hãy bỏ qua email này.\n\n"
            f"Open this link to reset your password:\n{link}\n"
            "If you did not ask for it, ignore this email.\n",
        )

    def phone_code(self, to: str, code: str) -> None:
        self.sms.send(to, f"NIXA: ma xac nhan cua ban la {code}. Your NIXA code is {code}.")
