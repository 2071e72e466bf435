"""`{% comments_block article %}`: approved comments, threaded, then the Leave a Reply form.

The block is part of the article page's cached bytes (surrogate key `page:<article id>`), so
it holds nothing per reader — except for a reader with the `masthead_commenter` cookie, who is
shown their own held comment; that rendering is flagged so the middleware makes it private.
Two queries: the approved comments, and (only with that cookie) the reader's own pending ones.

`{% comment_form article %}` is the form alone (used again on the 400 page), and
`{% comment_body comment %}` renders a comment's text (escaped, paragraphs, links).
"""

from __future__ import annotations

from django import template
from django.conf import settings

from masthead.core import surrogate

from .. import rendering, tokens
from ..models import Comment
from ..posting import comments_open, max_depth
from ..threads import threaded

register = template.Library()


def _own_pending(request, article) -> list[Comment]:
    ids = tokens.pending_ids(request)
    if not ids:
        return []
    waiting = list(
        Comment.objects.filter(pk__in=ids, status__in=[Comment.Status.PENDING,
                                                       Comment.Status.SPAM])
    )
    if not waiting:
        request.comments_pending_cookie_stale = True
    own = [c for c in waiting if c.article_id == article.pk]
    for comment in own:
        comment.awaiting_moderation = True
    if own:
        request.comments_personalised = True
    return own


def _reply_target(request, comments, limit: int):
    value = request.GET.get("replytocom", "") if request is not None else ""
    if not value.isdigit():
        return None
    for comment in comments:
        if comment.pk == int(value) and comment.depth + 1 < limit \
                and comment.status == Comment.Status.APPROVED:
            return comment
    return None


def _form_context(context, article, reply_to=None) -> dict:
    values = dict(context.get("comment_form_values") or {})
    token = values.get("form_token", "")
    if not token or tokens.read_form_token(token) is None:
        token = tokens.issue_form_token(article.pk)
    parent = values.get("comment_parent") or (reply_to.pk if reply_to else 0)
    return {
        "article": article,
        "open": comments_open(article),
        "form_values": values,
        "form_errors": context.get("comment_form_errors") or {},
        "form_message": context.get("comment_form_message", ""),
        "form_token": token,
        "form_issued_at": (tokens.read_form_token(token).issued_at),
        "parent_id": parent,
        "reply_to": reply_to,
    }


@register.inclusion_tag("comments/block.html", takes_context=True)
def comments_block(context, article):
    request = context.get("request")
    surrogate.add(request, f"page:{article.pk}")
    approved = list(Comment.objects.for_article_page(article))
    own = _own_pending(request, article)
    limit = max_depth()
    reply_to = _reply_target(request, approved, limit)
    return {
        **_form_context(context, article, reply_to),
        "comments": threaded(approved + own) if own else threaded(approved),
        "comment_count": len(approved),
        "max_reply_depth": limit - 1,
        "feed_url": f"/comments/feed/{article.pk}/",
    }


@register.inclusion_tag("comments/form.html", takes_context=True)
def comment_form(context, article):
    return _form_context(context, article)


@register.simple_tag
def comment_body(comment):
    return rendering.render_body(comment.body)


@register.simple_tag
def comment_avatar_hue(comment):
    return rendering.avatar_hue(comment.author_name)


@register.filter
def initial(name):
    return rendering.initial(name)


@register.simple_tag
def comments_feed_link(article):
    """`<link rel=alternate>` for the article's comment feed, for the page's <head>."""
    from django.utils.html import format_html

    return format_html(
        '<link rel="alternate" type="application/rss+xml" title="{} · comments" href="{}">',
        f"{article.headline} · {settings.SITE_NAME}", f"/comments/feed/{article.pk}/",
    )
