"""How a message leaves: one SMTP connection reused for a whole batch, answers kept exact.

`smtplib` directly rather than Django's mail backend: the sending loop must know the server's
answer per recipient (4xx = try later, 5xx = suppress), which Django's backend folds into one
exception. When the site has no SMTP server configured (the console backend of a fresh
install), Django's configured backend is used, so a demo site still shows its mail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.policy import SMTP

from django.conf import settings
from django.core import mail as django_mail


@dataclass
class Outcome:
    code: int  # 250 accepted; 4xx temporary; 5xx permanent
    text: str = ""

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500


class TransportError(Exception):
    """The connection itself failed (refused, dropped, 421): try the batch again later."""


class SmtpTransport:
    def __init__(self):
        self.conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        try:
            conn = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT,
                                timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30)
            if settings.EMAIL_USE_TLS:
                conn.starttls()
            if settings.EMAIL_HOST_USER:
                conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"cannot connect to the SMTP server: {exc}") from exc
        return conn

    def send(self, sender: str, recipient: str, msg: EmailMessage | bytes) -> Outcome:
        if self.conn is None:
            self.conn = self._open()
        data = msg if isinstance(msg, bytes) else msg.as_bytes(policy=SMTP)
        try:
            self.conn.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return Outcome(code, _text(text))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if exc.smtp_code == 421:
                self.close()
                raise TransportError(_text(exc.smtp_error)) from exc
            return Outcome(exc.smtp_code, _text(exc.smtp_error))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.conn = None
            raise TransportError(f"the SMTP connection dropped: {exc}") from exc
        return Outcome(250)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.conn = None


class _Prebuilt(django_mail.EmailMessage):
    def __init__(self, msg: EmailMessage, sender: str, recipient: str):
        super().__init__(from_email=sender, to=[recipient])
        self._built = msg

    def message(self, *args, **kwargs):
        return self._built


class DjangoTransport:
    """The site's configured Django backend (console, file, locmem): no per-recipient codes."""

    def __init__(self):
        self.conn = django_mail.get_connection()

    def send(self, sender: str, recipient: str, msg: EmailMessage | bytes) -> Outcome:
        if isinstance(msg, bytes):
            msg = message_from_bytes(msg, policy=policy.default)
        self.conn.send_messages([_Prebuilt(msg, sender, recipient)])
        return Outcome(250)

    def close(self) -> None:
        self.conn.close()


def _text(value) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))[:300]


def open_transport():
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return SmtpTransport()
    return DjangoTransport()
