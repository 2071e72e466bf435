"""What the article page shows of comments: the thread and the Leave a Reply form.

Plain functions that build each block's data from the page's context (a mapping holding the
`request` and, after a refused post, `comment_form_values` / `_errors` / `_message`); the
reader templates (Jinja2, `masthead/templating.py`) render them with `comments/block.html` and
`comments/form.html`.

The block is part of the article page's cached bytes (surrogate key `page:<article id>`), so
it holds nothing per reader — except for a reader with the `masthead_commenter` cookie, who is
shown their own held comment; that rendering is flagged so the middleware makes it private.
Two queries: the approved comments, and (only with that cookie) the reader's own pending ones.
Display values a comment needs (date, avatar, text as HTML) are computed here once per comment
rather than by template filters (docs/performance.md, "Where the time goes on a miss").
"""

from __future__ import annotations

from collections.abc import Mapping

from masthead.core import surrogate
from masthead.core.dates import format_date

from . import rendering, tokens
from .models import Comment
from .posting import comments_open, max_depth
from .threads import threaded

# What a reader sees of a comment: the page never loads the encrypted email, the IP address or
# the moderation fields (and instantiating 50 comments with all of them cost ~1 ms).
DISPLAYED_FIELDS = ("article", "parent", "depth", "author_name", "author_url", "body", "status",
                    "created_at", "user")


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


def _for_display(comment: Comment) -> Comment:
    comment.created_iso = format_date(comment.created_at, "c")
    comment.created_text = format_date(comment.created_at, "j M Y, H:i")
    comment.avatar_hue = rendering.avatar_hue(comment.author_name)
    comment.avatar_initial = rendering.initial(comment.author_name)
    comment.body_html = rendering.render_body(comment.body)
    return comment


def form_context(context: Mapping, article, reply_to=None) -> dict:
    """The Leave a Reply form: a fresh signed form token, or the one a refused post carried."""
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
        "form_issued_at": tokens.read_form_token(token).issued_at,
        "parent_id": parent,
        "reply_to": reply_to,
    }


def block_context(context: Mapping, article) -> dict:
    """The article page's comment section: the approved thread, then the form."""
    request = context.get("request")
    surrogate.add(request, f"page:{article.pk}")
    approved = list(Comment.objects.for_article_page(article).only(*DISPLAYED_FIELDS))
    own = _own_pending(request, article)
    limit = max_depth()
    reply_to = _reply_target(request, approved, limit)
    return {
        **form_context(context, article, reply_to),
        "comments": [_for_display(c) for c in threaded(approved + own)],
        "comment_count": len(approved),
        "max_reply_depth": limit - 1,
        "feed_url": f"/comments/feed/{article.pk}/",
    }

