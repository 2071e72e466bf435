"""What reading a WordPress export remembers across the file, in memory that does not grow with it.

Issue 20, item 1: an import streams its input, memory flat in the file's size. Two things
the WXR reader must remember do grow with the file, and at 1M posts (100k attachments) they
were ~100 MB of the import's 901 MB peak:

- `MediaIndex`: every attachment (URL, parent post, alt text, caption), because a post may
  name media that come later in the file (featured images, `[gallery ids=…]`). WordPress
  sites often hold more media items than posts, so at a million posts this could be a
  gigabyte of Python objects; here it is rows of a temporary SQLite file, read back by id
  or by parent post through a small cache (a post's media are read together). Read-only
  once `finish()` is called, and usable in a forked reading process (`reading_process`):
  each process opens its own connection, as SQLite requires. The file is removed when the
  index is collected, by the process that made it.
- `PostIds`: the post ids seen so far, to skip a duplicate id as WordPress would: a bitmap
  for ids up to `BITMAP_IDS` (an export's ids are small, dense integers; 1M ids in 128 kB
  rather than 60 MB of set), a set for any beyond.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import weakref
from functools import lru_cache

from .wxr_markup import Attachment

FLUSH_ROWS = 2_000
CACHED_ATTACHMENTS = 4_096
BITMAP_IDS = 1 << 28  # 32 MB of bitmap at most; larger ids go to a set

_COLUMNS = ("id", "url", "parent", "alt", "caption", "title")


class MediaIndex:
    """Attachments by id (`get`, `[]`, `in`) and ids by parent post (`children.get(pid, [])`):
    the Mapping shapes the WXR reader and wxr_markup use."""

    def __init__(self):
        fd, self.path = tempfile.mkstemp(prefix="masthead-wxr-media-", suffix=".sqlite3")
        os.close(fd)
        self._finalizer = weakref.finalize(self, _remove, self.path, os.getpid())
        self._pid, self._db = os.getpid(), sqlite3.connect(self.path)
        # Scratch data: a crash loses nothing worth a journal.
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE media (id INTEGER PRIMARY KEY, url TEXT, parent INTEGER,"
                         " alt TEXT, caption TEXT, title TEXT)")
        self._pending: list[tuple] = []
        self._size = 0
        self.children = _Children(self)
        self._cached = lru_cache(maxsize=CACHED_ATTACHMENTS)(self._read)
        self._last_children: tuple[int | None, list[int]] = (None, [])

    def add(self, attachment: Attachment) -> None:
        """Remember an attachment; a later one with the same id replaces it, as in a dict."""
        self._pending.append(tuple(getattr(attachment, c) for c in _COLUMNS))
        if len(self._pending) >= FLUSH_ROWS:
            self._flush()

    def finish(self) -> None:
        """All attachments are in: index them by parent and commit."""
        self._flush()
        self._db.execute("CREATE INDEX IF NOT EXISTS media_parent ON media (parent, id)")
        self._db.commit()
        self._size = self._connection().execute("SELECT count(*) FROM media").fetchone()[0]
        self._cached.cache_clear()
        self._last_children = (None, [])

    def get(self, attachment_id: int, default=None) -> Attachment | None:
        found = self._cached(attachment_id)
        return default if found is None else found

    def __getitem__(self, attachment_id: int) -> Attachment:
        found = self._cached(attachment_id)
        if found is None:
            raise KeyError(attachment_id)
        return found

    def __contains__(self, attachment_id) -> bool:
        return self.get(attachment_id) is not None

    def __len__(self) -> int:
        return self._size

    def children_of(self, post_id: int) -> list[int]:
        # A post asks twice (its galleries, then its media list): the second is remembered.
        if self._last_children[0] != post_id:
            rows = self._connection().execute(
                "SELECT id FROM media WHERE parent = ? ORDER BY id", (post_id,))
            self._last_children = (post_id, [row[0] for row in rows])
        return list(self._last_children[1])

    def close(self) -> None:
        """Remove the file now rather than when the index is collected."""
        self._finalizer()

    def _read(self, attachment_id: int) -> Attachment | None:
        if not isinstance(attachment_id, int) or not -(1 << 63) <= attachment_id < 1 << 63:
            return None  # SQLite's integers are 64-bit; such an id was never stored
        row = self._connection().execute(
            "SELECT id, url, parent, alt, caption, title FROM media WHERE id = ?",
            (attachment_id,)).fetchone()
        return Attachment(*row) if row else None

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany("INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?, ?, ?)",
                                 self._pending)
            self._pending.clear()

    def _connection(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:  # a forked reader: SQLite connections don't cross fork
            self._pid = os.getpid()
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        return self._db


class _Children:
    """`index.children.get(post_id, [])`: the ids of the attachments whose parent is that post."""

    def __init__(self, index: MediaIndex):
        self._index = index

    def get(self, post_id: int, default=None) -> list[int]:
        ids = self._index.children_of(post_id)
        return ids if ids else (default if default is not None else [])


def _remove(path: str, owner: int) -> None:
    if os.getpid() == owner:  # never from a forked reader, which shares the file
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


class PostIds:
    """A set of non-negative post ids (`add`, `in`) that costs a bit per id, not ~60 bytes."""

    def __init__(self):
        self._bits = bytearray()
        self._large: set[int] = set()

    def add(self, post_id: int) -> None:
        if not 0 <= post_id < BITMAP_IDS:
            self._large.add(post_id)
            return
        byte = post_id >> 3
        if byte >= len(self._bits):  # grown by doubling, never past the bitmap's cap
            size = min(max(byte + 1, 2 * len(self._bits)), BITMAP_IDS >> 3)
            self._bits.extend(bytes(size - len(self._bits)))
        self._bits[byte] |= 1 << (post_id & 7)

    def __contains__(self, post_id) -> bool:
        if not isinstance(post_id, int) or not 0 <= post_id < BITMAP_IDS:
            return post_id in self._large
        byte = post_id >> 3
        return byte < len(self._bits) and bool(self._bits[byte] >> (post_id & 7) & 1)
