"""Building the messages: an issue once per batch, then one cheap copy per recipient.

The HTML part is rendered and its CSS inlined (`css-inline`: mail clients drop <style> and
<link>) once per issue; each recipient's copy only swaps in their personal links, which the
template holds as placeholders. Every message carries `List-Unsubscribe` and
`List-Unsubscribe-Post` (RFC 8058 one-click), a deterministic `Message-ID` (the kill test and
the bounce reader tie a copy to its recipient by it) and a VERP envelope sender
(`bounces+nl-<subscriber>-<issue>-<sig>@domain`) so a bounce names its subscriber.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from email import message_from_bytes, policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from masthead.articles.models import Article
from masthead.core.html import render_markdown

from . import tokens
from .models import Issue, Newsletter, Subscriber

PREFS = "https://masthead.invalid/__preferences__"
UNSUB = "https://masthead.invalid/__unsubscribe__"
TAG_RE = re.compile(r"nl-(\d+)-(\d+)-([0-9a-f]{12})")


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _tag(subscriber_id: int, issue_id: int) -> str:
    key = settings.SECRET_KEY.encode()
    sig = hmac.new(key, f"nl.{subscriber_id}.{issue_id}".encode(), hashlib.sha256).hexdigest()
    return f"nl-{subscriber_id}-{issue_id}-{sig[:12]}"


def read_tag(text: str) -> tuple[int, int] | None:
    """(subscriber id, issue id) from a VERP address or Message-ID we made, if its signature
    holds; None for anything else (a forged bounce cannot suppress someone)."""
    for match in TAG_RE.finditer(text or ""):
        sid, iid = int(match[1]), int(match[2])
        if hmac.compare_digest(_tag(sid, iid), match[0]):
            return sid, iid
    return None


def message_id(subscriber_id: int, issue_id: int) -> str:
    return f"<{_tag(subscriber_id, issue_id)}@{urlsplit(site_url()).hostname or 'localhost'}>"


def envelope_sender(newsletter: Newsletter, subscriber_id: int, issue_id: int) -> str:
    base = getattr(settings, "MASTHEAD_NEWSLETTERS_BOUNCE_ADDRESS", "") or newsletter.sender_email
    local, _, domain = base.rpartition("@")
    return f"{local}+{_tag(subscriber_id, issue_id)}@{domain}"


def _css() -> str:
    path = finders.find("newsletters/email.css")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _link(name: str, token: str) -> str:
    # `reverse` once per URL name, not twice per copy (0.5 ms a copy at 100,000 copies).
    return site_url() + _link_prefix(name) + token + "/"


@lru_cache(maxsize=4)
def _link_prefix(name: str) -> str:
    return reverse(name, args=["T"])[:-2]


def personal_links(subscriber: Subscriber, newsletter_id: int) -> tuple[str, str]:
    prefs = _link("newsletters:preferences", tokens.preferences_token(subscriber))
    unsub = _link("newsletters:unsubscribe", tokens.unsubscribe_token(subscriber, newsletter_id))
    return prefs, unsub


class IssueMail:
    """One issue's content, rendered once; `message_for` makes each recipient's copy."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self.newsletter = issue.newsletter

    @cached_property
    def articles(self) -> list[Article]:
        found = {a.pk: a for a in Article.objects.published().select_related(
            "section", "lead_image").filter(pk__in=self.issue.article_ids or [])}
        return [found[i] for i in self.issue.article_ids or [] if i in found]

    def context(self, *, web: bool = False) -> dict:
        return {"issue": self.issue, "newsletter": self.newsletter, "articles": self.articles,
                # Sanitised once by core.html (nh3); Markup so neither engine escapes it again.
                "introduction": Markup(render_markdown(self.issue.introduction or "")),  # noqa: S704
                "site_url": site_url(), "site_name": settings.SITE_NAME,
                "preferences_url": PREFS, "unsubscribe_url": UNSUB, "web": web,
                **self._article_context()}

    def _article_context(self) -> dict:
        """An article sent on publication (article_mail): its whole body, not a list."""
        if not self.issue.article_id or not self.articles:
            return {"article": None}
        from . import article_mail

        article = self.articles[0]
        return {"article": article, "article_body": article_mail.body_html(article),
                "article_text": article_mail.body_text(article)}

    @cached_property
    def html(self) -> str:
        html = render_to_string("newsletters/email.html", self.context())
        # The stylesheet is a static file (no inline <style> in templates: the strict CSP);
        # css-inline moves its rules onto the elements and keeps the @media rules (dark mode,
        # narrow screens) in one <style> for the clients that honour them.
        return css_inline.CSSInliner(extra_css=_css(), keep_at_rules=True).inline(html)

    @cached_property
    def text(self) -> str:
        return render_to_string("newsletters/email.txt", self.context())

    @cached_property
    def _fixed(self) -> tuple[bytes, bytes]:
        """The headers and MIME framing every copy shares, encoded once per issue."""
        host = urlsplit(site_url()).hostname or "localhost"
        sender = formataddr((self.newsletter.sender_name or settings.SITE_NAME,
                             self.newsletter.sender_email), charset="utf-8")
        head = [f"From: {sender}", f"Subject: {_encode_header(self.issue.subject)}",
                f"Date: {format_datetime(timezone.now())}", "MIME-Version: 1.0",
                f"List-Id: {_encode_header(self.newsletter.name)} "
                f"<{self.newsletter.slug}.{host}>",
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
        if self.newsletter.reply_to:
            head.append(f"Reply-To: {self.newsletter.reply_to}")
        self.boundary = f"=_masthead_{secrets.token_hex(12)}"
        head.append(f'Content-Type: multipart/alternative; boundary="{self.boundary}"')
        return "\r\n".join(head).encode("ascii"), self.boundary.encode("ascii")

    def message_bytes(self, subscriber: Subscriber, address: str) -> bytes:
        """One recipient's copy, ready for SMTP DATA.

        Assembled from the issue's pre-encoded parts rather than through `email.message`:
        the standard library's header registry spent ~5 ms a message folding and re-parsing
        the same headers (bench/newsletter_bench.py; 100,000 copies must go in minutes). The
        tests parse every copy back with `email` to hold this to the standard.
        """
        if any(c in subscriber.name for c in "\r\n\0"):
            raise ValueError("line break in a subscriber name (header injection)")
        head, boundary = self._fixed
        prefs, unsub = personal_links(subscriber, self.newsletter.pk)
        to = formataddr((subscriber.name, address), charset="utf-8")
        text = self.text.replace(PREFS, prefs).replace(UNSUB, unsub)
        html = self.html.replace(PREFS, prefs).replace(UNSUB, unsub)
        return b"\r\n".join([
            head, f"To: {to}".encode(),
            f"Message-ID: {message_id(subscriber.pk, self.issue.pk)}".encode(),
            f"List-Unsubscribe: <{unsub}>".encode(), b"",
            b"--" + boundary, *_part("text/plain", text), b"--" + boundary,
            *_part("text/html", html), b"--" + boundary + b"--", b""])

    def message_for(self, subscriber: Subscriber, address: str) -> EmailMessage:
        """The same copy as an `EmailMessage` (the newsroom's test send, the tests)."""
        return message_from_bytes(self.message_bytes(subscriber, address),
                                  policy=policy.default)


def _encode_header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _part(content_type: str, body: str) -> list[bytes]:
    encoded = base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n").rstrip()
    return [f"Content-Type: {content_type}; charset=utf-8".encode(),
            b"Content-Transfer-Encoding: base64", b"", encoded]


def confirmation_message(subscriber: Subscriber, address: str, newsletters) -> EmailMessage:
    confirmed = subscriber.status == Subscriber.Status.ACTIVE
    if confirmed:
        link = personal_links(subscriber, 0)[0]
    else:
        link = site_url() + reverse("newsletters:confirm", args=[
            tokens.confirm_token(subscriber.pk, subscriber.confirm_nonce)])
    context = {"link": link, "newsletters": newsletters, "site_name": settings.SITE_NAME,
               "site_url": site_url(), "confirmed": confirmed}
    msg = EmailMessage()
    msg["Subject"] = (f"Your newsletters from {settings.SITE_NAME}" if confirmed
                      else f"Confirm your subscription to {settings.SITE_NAME}")
    msg["From"] = formataddr((settings.SITE_NAME, settings.DEFAULT_FROM_EMAIL))
    msg["To"] = Address(display_name=subscriber.name, addr_spec=address)
    msg["Date"] = format_datetime(timezone.now())
    msg.set_content(render_to_string("newsletters/confirm_email.txt", context))
    return msg
