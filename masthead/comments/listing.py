"""The markup of the article page's comment list: one `<li>` per comment, in thread order.

Written in Python, not in `comments/block.html`, because of what Jinja2 costs per value: each
`{{ comment.x }}` is an attribute look-up plus `markupsafe.escape`, whose `Markup(...)` wrapper
alone takes ~0.5 µs here; 50 comments × ~20 values took 1.6–1.9 ms, more than the whole block
may (issue 7). Built here the list costs ~5 µs a comment.

Escaping is the same as the template's, so the page's bytes are unchanged: every value a reader
typed (name, website) goes through `esc`, the five replacements of Jinja2's autoescape
(markupsafe: `&#34;`, `&#39;` for quotes); the body is already HTML from `rendering.body_html`;
numbers, and dates built from numbers, need none. `tests/test_comment_block_exact.py` compares
this output with the former template's for random threads.

Dates are those of `core/dates.format_date` for the formats the list shows ("c" and
"j M Y, H:i"), in the current time zone (the site's), without its per-call dispatch.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from masthead.core.dates import MONTHS
from masthead.core.html import esc

from . import rendering

# Format character "M", by the month's two digits in an ISO date.
MONTHS_SHORT = {f"{number:02d}": month[:3] for number, month in enumerate(MONTHS, 1)}
AWAITING_CLASS = " comment-awaiting"
AWAITING_NOTICE = ('<p class="notice awaiting" role="status">Your comment is awaiting '
                   'moderation. Only you can see it until it is approved.</p>')
STAFF_BADGE = ' <span class="badge">Staff</span>'
POSTED_ATTRS = ' tabindex="-1"'  # the comment just posted: focused by the URL's fragment


def _site_zone():
    """The current (site) time zone, as `timezone.localtime` uses it. A zone that is plain UTC
    becomes `datetime.UTC`: the same times and "+00:00", and `isoformat` at less than
    half the cost of a `ZoneInfo` (which looks its offset up for every call)."""
    tz = timezone.get_current_timezone()
    if getattr(tz, "key", None) in ("UTC", "Etc/UTC"):
        return dt.UTC
    return tz


def items_html(comments, *, open_: bool, max_reply_depth: int,
               posted_pk: int | None = None) -> str:
    """The `<li>` of each comment (already in thread order, `thread_depth` set), joined.
    `posted_pk`: the comment its reader was sent to after posting, made focusable
    (blocks._posted)."""
    tz = _site_zone()
    avatars: dict[str, str] = {}  # author name → the avatar's markup (names repeat in threads)
    out = []
    for c in comments:
        pk, td, awaiting = str(c.pk), c.thread_depth, c.awaiting_moderation  # str: used 6 times
        name = esc(c.author_name)
        avatar = avatars.get(c.author_name)
        if avatar is None:
            avatar = avatars[c.author_name] = (
                f'<span class="avatar hue-{rendering.avatar_hue(c.author_name) // 15}" '
                f'aria-hidden="true">{esc(rendering.initial(c.author_name))}</span>')
        # "c" is `isoformat()` to the second (core.dates); "j M Y, H:i" is read back from it:
        # 2026-01-01T00:05:00+00:00
        iso = c.created_at.astimezone(tz).isoformat(timespec="seconds")
        author = (f'<a href="{esc(c.author_url)}" rel="nofollow ugc noopener">{name}</a>'
                  if c.author_url else name)
        reply = (f'<p class="reply"><a class="reply-link" href="?replytocom={pk}#respond" '
                 f'data-comment="{pk}" data-author="{name}" rel="nofollow">Reply<span '
                 f'class="visually-hidden"> to {name}</span></a></p>'
                 if open_ and not awaiting and c.depth < max_reply_depth else "")
        out.append(
            f'\n    <li id="comment-{pk}" class="comment depth-{td}'
            f'{AWAITING_CLASS if awaiting else ""}"'
            f'{POSTED_ATTRS if c.pk == posted_pk else ""}>'
            f'\n      <article aria-labelledby="comment-{pk}-by">'
            f'\n        <header>'
            f'\n          <p class="comment-author" id="comment-{pk}-by">{avatar} <bdi>{author}'
            f'</bdi>{STAFF_BADGE if c.user_id else ""}</p>'
            f'\n          <p class="meta"><a href="#comment-{pk}"><time datetime="{iso}">'
            f'{iso[8:10].lstrip("0")} {MONTHS_SHORT[iso[5:7]]} {iso[:4]}, {iso[11:16]}</time>'
            f'</a></p>'
            f'\n        </header>'
            f'\n        {AWAITING_NOTICE if awaiting else ""}'
            f'\n        <div class="comment-body" dir="auto">{rendering.body_html(c.body)}</div>'
            f'\n        {reply}'
            f'\n      </article>'
            f'\n    </li>'
            f'\n    '
        )
    return "".join(out)
