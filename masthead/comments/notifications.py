"""Mail the comments app sends: moderators, address confirmation, reply notifications.

- Moderators hear about every newly held comment (not filter-caught spam, which would be noise).
- A reader gets a signed confirmation link when a known address arrives from an unknown browser
  (the link publishes the comment) or when they first ask for reply notifications (double
  opt-in: nothing else is ever mailed to an address that has not clicked it).
- A confirmed subscriber gets one mail per approved reply, each with a one-click unsubscribe
  link and RFC 8058 `List-Unsubscribe` headers.

Privacy: no mail contains a commenter's address except in its own To: header; and with the
console backend (the default) the To: of a commenter-bound mail is withheld from the output,
so the server log never shows an address. Failures are logged without the exception text,
which for SMTP can quote the recipient.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends import console
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import tokens
from .models import Comment, Commenter
from .privacy import decrypt_email, normalise_email

log = logging.getLogger("masthead.comments")
CONSOLE = "django.core.mail.backends.console.EmailBackend"


class AddressWithheldConsoleBackend(console.EmailBackend):
    """The console backend, printing mail to commenters without their address."""

    def write_message(self, message):
        shown = EmailMessage(message.subject, message.body, message.from_email,
                             ["withheld@commenter.invalid"], headers=message.extra_headers)
        super().write_message(shown)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _send(subject: str, template: str, context: dict, to: list[str], *, to_commenter: bool,
          headers: dict | None = None) -> bool:
    if not to:
        return False
    body = render_to_string(template, {"SITE_NAME": settings.SITE_NAME, **context})
    connection = None
    if to_commenter and settings.EMAIL_BACKEND == CONSOLE:
        connection = get_connection(
            "masthead.comments.notifications.AddressWithheldConsoleBackend")
    message = EmailMessage(f"[{settings.SITE_NAME}] {subject}", body,
                           settings.DEFAULT_FROM_EMAIL, to, headers=headers or {},
                           connection=connection)
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - turned into a retry by the job queue
        log.warning("comment mail %r not sent (%s)", template, type(exc).__name__)
        # `from None`: the SMTP error's text can quote the recipient, and the job queue keeps
        # the traceback where operators read it.
        raise MailNotSent(f"{template}: {type(exc).__name__}") from None
    return True


class MailNotSent(Exception):
    """A mail the server did not take; the job that sends it is retried (masthead/jobs)."""


def moderator_addresses() -> list[str]:
    User = get_user_model()
    allowed = Q(is_superuser=True) | Q(
        user_permissions__codename="moderate_comment",
        user_permissions__content_type__app_label="comments",
    ) | Q(
        groups__permissions__codename="moderate_comment",
        groups__permissions__content_type__app_label="comments",
    )
    users = User.objects.filter(allowed, is_active=True).exclude(email="").distinct()
    addresses = list(users.values_list("email", flat=True))
    addresses += [email for _, email in getattr(settings, "MANAGERS", [])]
    return sorted(set(addresses))


def notify_moderators(comment: Comment) -> bool:
    if comment.status != Comment.Status.PENDING:
        return False
    return _send(
        f"Comment awaiting moderation on “{comment.article.headline[:60]}”",
        "comments/mail/held.txt",
        {"comment": comment, "queue_url": _absolute(reverse("moderation:queue")),
         "article_url": _absolute(comment.article.get_absolute_url())},
        moderator_addresses(), to_commenter=False,
    )


def send_confirmation(comment: Comment, email: str, *, publishes: bool) -> bool:
    link = _absolute(reverse("comments:confirm",
                             args=[tokens.confirm_token(comment.pk, normalise_email(email))]))
    subject = "Please confirm your comment" if publishes else "Confirm reply notifications"
    return _send(
        subject, "comments/mail/confirm.txt",
        {"comment": comment, "link": link, "publishes": publishes,
         "article_url": _absolute(comment.article.get_absolute_url())},
        [email], to_commenter=True,
    )


def notify_reply(reply: Comment) -> bool:
    """Mail the author of the comment replied to, if they opted in and confirmed."""
    parent = reply.parent
    if (parent is None or reply.status != Comment.Status.APPROVED or reply.reply_notified_at
            or not parent.notify_replies or not parent.email_encrypted
            or (reply.email_digest and parent.email_digest == reply.email_digest)):
        return False
    if not Commenter.objects.filter(email_digest=parent.email_digest,
                                    confirmed_at__isnull=False).exists():
        return False
    # Claim the notification so two processes approving at once send one mail.
    if not Comment.objects.filter(pk=reply.pk, reply_notified_at__isnull=True) \
            .update(reply_notified_at=timezone.now()):
        return False
    unsubscribe = _absolute(reverse("comments:unsubscribe",
                                    args=[tokens.unsubscribe_token(parent.pk)]))
    try:
        return _send(
        f"New reply to your comment on “{reply.article.headline[:60]}”",
        "comments/mail/reply.txt",
        {"reply": reply, "parent": parent, "unsubscribe": unsubscribe,
         "reply_url": _absolute(reply.get_absolute_url())},
            [decrypt_email(parent.email_encrypted)], to_commenter=True,
            headers={"List-Unsubscribe": f"<{unsubscribe}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
    except MailNotSent:
        # Release the claim, so the job's retry sends it.
        Comment.objects.filter(pk=reply.pk).update(reply_notified_at=None)
        raise
