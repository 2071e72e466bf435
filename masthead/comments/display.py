"""What the article page reads of its comments: one SQL statement into `DisplayComment` rows.

The article page is the hottest uncached render (issue 7: 1,000 requests/s needs ~1.5 ms of CPU
per page). Through the ORM, 50 comments cost ~1.1 ms to query (building and compiling the
query, then 50 deferred model instances) against ~0.1 ms of SQL; this module writes the
statement once per database vendor from the model's `_meta` names and fills `__slots__`
objects straight from the rows (docs/performance.md, "Where the time goes on a miss").

`load(article_id, own_ids)` reads, in ONE statement whatever the number of comments, the
article's approved comments (oldest first) and — only when the reader's `masthead_commenter`
cookie names some — those of the named comments still held for moderation (pending or spam,
any article: an empty answer tells the caller the cookie is stale).

Only what a reader may see is selected: never the encrypted email, the IP address or the
moderation fields (STYLE habit 5, allow-list what leaves the system).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from masthead.core.rows import fetch

from .models import Comment

APPROVED = Comment.Status.APPROVED.value
HELD = (Comment.Status.PENDING.value, Comment.Status.SPAM.value)
# Field names, in the order of the SELECT list and of `DisplayComment.__init__`.
_FIELDS = ("id", "parent", "depth", "author_name", "author_url", "body", "created_at", "user",
           "article")


class DisplayComment:
    """One comment as the page shows it (the attribute names the templates used on `Comment`)."""

    __slots__ = ("pk", "parent_id", "depth", "author_name", "author_url", "body", "created_at",
                 "user_id", "article_id", "awaiting_moderation", "thread_depth")

    def __init__(self, pk, parent_id, depth, author_name, author_url, body, created_at, user_id,
                 article_id, awaiting_moderation=False):
        self.pk, self.parent_id, self.depth = pk, parent_id, depth
        self.author_name, self.author_url, self.body = author_name, author_url, body
        self.created_at, self.user_id, self.article_id = created_at, user_id, article_id
        self.awaiting_moderation = awaiting_moderation
        self.thread_depth = 0

    def __repr__(self):
        return f"<DisplayComment {self.pk}>"


_statements: dict[tuple[str, int], str] = {}


def _statement(vendor: str, own: int) -> str:
    """The SELECT for a vendor and a number of own ids (0: approved comments only)."""
    key = (vendor, own)
    if key not in _statements:
        meta, q = Comment._meta, connection.ops.quote_name
        col = {name: q(meta.get_field(name).column) for name in (*_FIELDS, "status")}
        listed = [col[name] for name in _FIELDS]
        if vendor == "sqlite":
            # SQLite hands a column declared `datetime` to Django's converter (parse_datetime,
            # ~1 µs a row); an expression has no declared type, so the text comes as it is.
            listed[_FIELDS.index("created_at")] = f"CAST({col['created_at']} AS TEXT)"
        select = ", ".join(listed)
        table = q(meta.db_table)
        sql = (f"SELECT {select}, 0 FROM {table} "
               f"WHERE {col['article']} = %s AND {col['status']} = %s")
        if own:
            marks = ", ".join(["%s"] * own)
            sql += (f" UNION ALL SELECT {select}, 1 FROM {table} "
                    f"WHERE {col['id']} IN ({marks}) AND {col['status']} IN (%s, %s)")
        # Positions: the only ORDER BY both vendors accept on a compound SELECT.
        order = "10, 7, 1" if own else f"{col['created_at']}, {col['id']}"
        _statements[key] = f"{sql} ORDER BY {order}"
    return _statements[key]


def _parser(tz: dt.tzinfo):
    """Stored value → aware datetime. SQLite gives text in the connection's zone (UTC unless
    DATABASES sets another), PostgreSQL an aware datetime; Django's own converter makes the
    naive value aware the same way. For a fixed zone the offset is appended to the text:
    `fromisoformat(text + "+00:00")` takes a sixth of `fromisoformat(text).replace(tzinfo=)`."""
    offset = tz.utcoffset(None)
    suffix = None
    if offset is not None and not offset % dt.timedelta(minutes=1):
        minutes = int(offset.total_seconds()) // 60
        suffix = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def aware(value) -> dt.datetime:
        if isinstance(value, str):
            if suffix is not None:
                try:
                    return dt.datetime.fromisoformat(value + suffix)
                except ValueError:  # text that names its own offset
                    pass
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value
    return aware


def load(article_id: int, own_ids=()) -> tuple[list[DisplayComment], list[DisplayComment]]:
    """(approved comments of the article, held comments among `own_ids` of any article)."""
    own_ids = [int(i) for i in own_ids]
    params = [article_id, APPROVED, *own_ids, *(HELD if own_ids else ())]
    rows = fetch(_statement(connection.vendor, len(own_ids)), params)
    aware = _parser(connection.timezone)
    approved, held = [], []
    for pk, parent, depth, name, url, body, created, user, article, is_held in rows:
        comment = DisplayComment(pk, parent, depth, name, url, body, aware(created), user,
                                 article, bool(is_held))
        (held if is_held else approved).append(comment)
    return approved, held
