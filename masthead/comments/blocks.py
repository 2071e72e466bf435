"""What the article page shows of comments: the thread and the Leave a Reply form.

Plain functions that build each block's data from the page's context (a mapping holding the
`request` and, after a refused post, `comment_form_values` / `_errors` / `_message`); the
reader templates (Jinja2, `masthead/templating.py`) render them with `comments/block.html` and
`comments/form.html`.

The block is part of the article page's cached bytes (surrogate key `page:<article id>`), so
it holds nothing per reader — except for a reader with the `masthead_commenter` cookie, who is
shown their own held comment; that rendering is flagged so the middleware makes it private.
One query whatever the number of comments or the cookie (`display.load`); the list's markup is
built in Python (`listing.items_html`): the block took ~4.5 ms of an uncached article page with
50 comments through the ORM and a per-comment template loop (docs/performance.md, "Where the
time goes on a miss"; issue 7).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from markupsafe import Markup

from masthead.core import surrogate

from . import display, listing, tokens
from .posting import comments_open, max_depth
from .threads import threaded


class _Fields(dict):
    """Form values or errors by field: `form_errors.comment` in the template is a plain attribute
    read (None when absent) instead of Jinja2's failed getattr then failed `[]` — two exceptions
    per look-up, ~30 µs for the form's 16 look-ups."""

    __getattr__ = dict.get


@functools.lru_cache(maxsize=16)
def _form_urls(urlconf, script_prefix: str) -> dict:
    """The form's action and assets (~60 µs of `reverse` and `static` a page). They change only
    with the URL configuration, the script prefix or settings (`forget_form_urls`)."""
    return {
        "form_action": reverse("comments:post", urlconf=urlconf),
        "comments_css": static("comments/comments.css"),
        "reply_js": static("comments/reply.js"),
    }


def forget_form_urls(**kwargs) -> None:
    """Receiver of `setting_changed` (tests): STATIC_URL, STORAGES, DEBUG or ROOT_URLCONF."""
    _form_urls.cache_clear()


def _reply_target(request, comments, limit: int):
    value = request.GET.get("replytocom", "") if request is not None else ""
    if not value.isdigit():
        return None
    try:
        wanted = int(value)
    except ValueError:  # digits int() refuses, such as "²": no such comment
        return None
    for comment in comments:
        if comment.pk == wanted and comment.depth + 1 < limit:
            return comment
    return None


def form_context(context: Mapping, article, reply_to=None) -> dict:
    """The Leave a Reply form: a fresh signed form token, or the one a refused post carried."""
    values = _Fields(context.get("comment_form_values") or {})
    token = values.get("form_token", "")
    read = tokens.read_form_token(token) if token else None
    if read is None:
        issued_at = int(tokens.now())
        token = tokens.issue_form_token(article.pk, issued_at=issued_at)
    else:
        issued_at = read.issued_at
    parent = values.get("comment_parent") or (reply_to.pk if reply_to else 0)
    return {
        **_form_urls(get_urlconf(), get_script_prefix()),
        "article": article,
        "open": comments_open(article),
        "form_values": values,
        "form_errors": _Fields(context.get("comment_form_errors") or {}),
        "form_message": context.get("comment_form_message", ""),
        "form_token": token,
        "form_issued_at": issued_at,
        "parent_id": parent,
        "reply_to": reply_to,
    }


def _posted(request, comments):
    """The comment named by `?comment=N`, the address the reader is sent to after posting
    (views.landing_url). Its item is made focusable, so the address's fragment (#comment-N)
    moves the focus to it, with its "awaiting moderation" notice, without a script (issue 16:
    focus was left on <body>; `autofocus` would not do, as browsers skip it on a page opened at
    a fragment). Nothing personal: a held comment is among `comments` only for its author."""
    value = request.GET.get("comment", "") if request is not None else ""
    if not value.isascii() or not value.isdigit():
        return None
    wanted = int(value)
    return next((c for c in comments if c.pk == wanted), None)


def block_context(context: Mapping, article) -> dict:
    """The article page's comment section: the approved thread, then the form."""
    request = context.get("request")
    surrogate.add(request, f"page:{article.pk}")
    own_ids = tokens.pending_ids(request)
    approved, held = display.load(article.pk, own_ids)
    if own_ids and not held:
        request.comments_pending_cookie_stale = True
    own = [c for c in held if c.article_id == article.pk]
    if own:
        request.comments_personalised = True
    limit = max_depth()
    reply_to = _reply_target(request, approved, limit)
    data = form_context(context, article, reply_to)
    comments = threaded(approved + own)
    posted = _posted(request, comments)
    items = listing.items_html(comments, open_=data["open"], max_reply_depth=limit - 1,
                               posted_pk=posted.pk if posted is not None else None)
    return {
        **data,
        "comments": comments,
        "comment_items": Markup(items),  # noqa: S704 - every typed value escaped in listing
        "comment_count": len(approved),
        "feed_url": f"/comments/feed/{article.pk}/",
    }
