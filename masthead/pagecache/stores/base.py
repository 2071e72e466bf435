"""What every page store does; `tests/test_store_contract.py` runs one suite against each.

The race the interface exists to close: a reader's render starts, an editor's change commits
and is purged, then the render (built from what it read before the change) finishes. Storing
it would keep the old page until the next change. So `begin()` returns a token taken before
the render reads anything, `purge()` stamps each key *before* deleting pages, and `put()`
indexes the page *before* checking the stamps: whichever runs second sees the other, and a
page rendered before a purge of one of its keys is dropped instead of served.
"""

from __future__ import annotations

from ..entry import Entry


class PageStore:
    name = "base"

    def begin(self):
        """A token meaning "now", taken before a render starts reading the database."""
        raise NotImplementedError

    def get(self, path: str) -> Entry | None:
        raise NotImplementedError

    def put(self, entry: Entry, token) -> bool:
        """Store and index `entry`; False when a key was purged since `token` (not kept)."""
        raise NotImplementedError

    def purge(self, keys, paths=()) -> set[str]:
        """Delete every page carrying one of `keys`, and the pages at `paths`; return paths."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def paths_for(self, key: str) -> set[str]:
        """The stored pages indexed under `key` (for the CLI and tests)."""
        raise NotImplementedError


def chunks(items, size: int = 500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
