"""Pages as files in the data dir, indexed in the database: the default, for one host.

Layout (docs/deploy.md serves `pages/` with nginx's `try_files`, like WP Super Cache):

    MASTHEAD_PAGE_CACHE_DIR/pages/<path>/index[.page-N].<ext>   the body, byte for byte
    MASTHEAD_PAGE_CACHE_DIR/pages/<path>/index[.page-N].<ext>.gz (and .br) compressed copies
    MASTHEAD_PAGE_CACHE_DIR/meta/<path>/index[.page-N].json     headers, validators, keys

The compressed copies are named as nginx's `gzip_static` (and `brotli_static`) look for them,
and are written before the body with the body's pairing stamp, so a copy that does not belong
to the body beside it is never sent (the page is then sent uncompressed).

Deleting the body *is* the purge, for nginx and for every worker at once. Files are written
to a temporary name and renamed, so no reader ever sees half a page. A write that fails (disk
full) removes its temporary file and the half-stored page; temporary files left by a process
that died mid-write are swept when a server process starts (`remove_stale_temp_files`).
Each process keeps copies of recently served pages in memory but revalidates them with one
`stat()` of the body per request (inode, mtime and size), so the file system stays the
single shared truth.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

from masthead.core import planner_stats

from ..entry import Entry
from ..models import IndexedPage, PurgeStamp
from ..policy import ALL_EXTENSIONS
from .base import PageStore, chunks

# Stamps only matter while a render that began before them can still finish.
STAMP_RETENTION_SECONDS = 3600
SUFFIXES = {"gzip": ".gz", "br": ".br"}  # a compressed copy's name after the body's


def _names(path: str) -> tuple[str, str]:
    """('/section/x', 'index.page-2') for '/section/x/?page=2'."""
    base, _, query = path.partition("?")
    return base.rstrip("/"), "index" + (f".{query.replace('=', '-')}" if query else "")


# A temporary file older than this is nobody's write in progress (a page takes milliseconds).
TEMP_GRACE_SECONDS = 300


def _write(target: str, data: bytes, mtime_ns: int | None = None) -> None:
    tmp = f"{target}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        if mtime_ns is not None:
            os.utime(tmp, ns=(mtime_ns, mtime_ns))
        os.replace(tmp, target)
    except BaseException:
        # Disk full left 0-byte `index.json.<pid>-<tid>.tmp` files behind (issue 15).
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _is_stale_temp(name: str, mtime: float, now: float) -> bool:
    """A `<file>.<pid>-<thread>.tmp` whose writer is gone, or that is too old to be live."""
    if now - mtime > TEMP_GRACE_SECONDS:
        return True
    pid = name.rsplit(".", 2)[-2].partition("-")[0] if name.count(".") >= 2 else ""
    if not pid.isdecimal():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, but another user's
        return False
    return False


def _pairing_stamp(last_modified: int) -> int:
    """The body's mtime in nanoseconds, also written into its metadata: the whole seconds are
    the page's Last-Modified (what nginx sends for the file), the rest tells this version of
    the body from any other, so a reader never pairs a body with another version's headers
    (cheaper than hashing the body on every load)."""
    return last_modified * 1_000_000_000 + time.time_ns() % 1_000_000_000


class FileStore(PageStore):
    name = "files"

    def __init__(self, root: Path, memory_bytes: int = 16 * 1024 * 1024):
        self.root = Path(root)
        self._pages = str(self.root / "pages")
        self._meta = str(self.root / "meta")
        self._memory_bytes = memory_bytes
        self._hot: dict[str, tuple[tuple, Entry, str]] = {}
        self._hot_bytes = 0
        self._lock = threading.Lock()

    def body_file(self, path: str, ext: str) -> str:
        base, name = _names(path)
        return f"{self._pages}{base}/{name}.{ext}"

    def meta_file(self, path: str) -> str:
        base, name = _names(path)
        return f"{self._meta}{base}/{name}.json"

    # Reading: the fast path calls this for every candidate request.
    def get(self, path: str) -> Entry | None:
        hot = self._hot.get(path)
        if hot is not None:
            signature, entry, body_file = hot
            try:
                st = os.stat(body_file)
            except OSError:
                self._forget(path)
                return None
            if (st.st_ino, st.st_mtime_ns, st.st_size) == signature:
                return entry
        return self._load(path)

    def _load(self, path: str) -> Entry | None:
        try:
            with open(self.meta_file(path), "rb") as fh:
                meta = json.loads(fh.read())
            body_file = self.body_file(path, meta["ext"])
            with open(body_file, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_mtime_ns != meta["mtime_ns"]:
                    return None  # a new version is being written (meta first, then body)
                body = fh.read()
            encoded = _read_copies(body_file, meta)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        entry = Entry.from_meta(meta, body, encoded)
        if entry is None or entry.path != path or len(body) != st.st_size:
            return None
        self._remember(path, (st.st_ino, st.st_mtime_ns, st.st_size), entry, body_file)
        return entry

    def _remember(self, path, signature, entry, body_file) -> None:
        size = _size(entry)
        if size > self._memory_bytes // 4:
            return
        with self._lock:
            old = self._hot.pop(path, None)
            if old is not None:
                self._hot_bytes -= _size(old[1])
            # Oldest first out (dicts keep insertion order): cheap, and good enough for pages
            # that stay hot because they keep being reloaded after each purge.
            while self._hot and self._hot_bytes + size > self._memory_bytes:
                dropped = self._hot.pop(next(iter(self._hot)))
                self._hot_bytes -= _size(dropped[1])
            self._hot[path] = (signature, entry, body_file)
            self._hot_bytes += size

    def _forget(self, path: str) -> None:
        with self._lock:
            old = self._hot.pop(path, None)
            if old is not None:
                self._hot_bytes -= _size(old[1])

    # Writing: on a miss, after Django rendered a storable response.
    def begin(self) -> float:
        return time.time()

    def put(self, entry: Entry, token: float) -> bool:
        body_file = self.body_file(entry.path, entry.ext)
        meta_file = self.meta_file(entry.path)
        os.makedirs(os.path.dirname(body_file), exist_ok=True)
        os.makedirs(os.path.dirname(meta_file), exist_ok=True)
        # Meta first: whoever finds the body can then find its headers.
        stamp = _pairing_stamp(entry.last_modified)
        try:
            _write(meta_file, entry.meta_json(mtime_ns=stamp))
            for coding, data in entry.encoded.items():
                _write(body_file + SUFFIXES[coding], data, stamp)
            _write(body_file, entry.body, stamp)
        except BaseException:
            # No half-stored page: new headers over an old body, or a body without its own.
            self._delete(entry.path)
            raise
        IndexedPage.objects.bulk_create(
            [IndexedPage(key=k, path=entry.path) for k in entry.keys], ignore_conflicts=True
        )
        if PurgeStamp.objects.filter(key__in=entry.keys, purged_at__gte=token).exists():
            self._delete(entry.path)
            return False
        return True

    def purge(self, keys, paths=()) -> set[str]:
        keys = sorted(set(keys))
        now = time.time()
        PurgeStamp.objects.bulk_create(
            [PurgeStamp(key=k, purged_at=now) for k in keys],
            update_conflicts=True, unique_fields=["key"], update_fields=["purged_at"],
        )
        if len(keys) >= planner_stats.MIN_ROWS:  # a rebuild's or an import's purge: the
            planner_stats.refresh_stale()  # pruning below must not plan on the empty table
        found = set(paths)
        for chunk in chunks(keys):
            found.update(IndexedPage.objects.filter(key__in=chunk).values_list("path", flat=True))
        for path in found:
            self._delete(path)
        for chunk in chunks(found):
            IndexedPage.objects.filter(path__in=chunk).delete()
        PurgeStamp.objects.filter(purged_at__lt=now - STAMP_RETENTION_SECONDS).delete()
        return found

    def _delete(self, path: str) -> None:
        self._forget(path)
        # The body goes first: from that moment nginx and every worker miss.
        for ext in ALL_EXTENSIONS:
            for suffix in ("", *SUFFIXES.values()):
                try:
                    os.unlink(self.body_file(path, ext) + suffix)
                except FileNotFoundError:
                    pass
        try:
            os.unlink(self.meta_file(path))
        except FileNotFoundError:
            pass

    def clear(self) -> None:
        keys = set(IndexedPage.objects.values_list("key", flat=True).distinct())
        self.purge(keys)
        for tree in (self._pages, self._meta):
            # Renamed away first so that nothing is served from a half-deleted tree.
            if os.path.isdir(tree):
                doomed = f"{tree}.deleting-{os.getpid()}-{time.time_ns()}"
                os.rename(tree, doomed)
                shutil.rmtree(doomed, ignore_errors=True)
        IndexedPage.objects.all().delete()
        with self._lock:
            self._hot.clear()
            self._hot_bytes = 0

    def expire(self, before: float) -> int:
        """Delete pages stored before `before` (epoch seconds); the meta file's mtime is the
        time of storing."""
        old = []
        for meta in _walk(self._meta):
            try:
                if meta.stat().st_mtime < before:
                    with open(meta.path, "rb") as fh:
                        old.append(json.loads(fh.read())["path"])
            except (OSError, ValueError, KeyError):
                continue
        for path in old:
            self._delete(path)
        for chunk in chunks(old):
            IndexedPage.objects.filter(path__in=chunk).delete()
        return len(old)

    def remove_stale_temp_files(self, now: float | None = None) -> int:
        """Delete temporary files that no live write will rename (see `_is_stale_temp`)."""
        now = time.time() if now is None else now
        removed = 0
        for tree in (self._pages, self._meta):
            for entry in _walk(tree, ".tmp"):
                try:
                    if _is_stale_temp(entry.name, entry.stat().st_mtime, now):
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue  # renamed or removed meanwhile
        return removed

    def paths_for(self, key: str) -> set[str]:
        return set(IndexedPage.objects.filter(key=key).values_list("path", flat=True))


def _size(entry: Entry) -> int:
    return len(entry.body) + sum(len(d) for d in entry.encoded.values())


def _read_copies(body_file: str, meta: dict) -> dict[str, bytes]:
    """The compressed copies that belong to this version of the body (same stamp and size)."""
    copies = {}
    for coding, size in Entry.encoded_sizes(meta):
        try:
            with open(body_file + SUFFIXES[coding], "rb") as fh:
                if os.fstat(fh.fileno()).st_mtime_ns != meta["mtime_ns"]:
                    continue
                data = fh.read()
        except (OSError, KeyError):
            continue
        if len(data) == size:
            copies[coding] = data
    return copies


def _walk(top: str, suffix: str = ".json"):
    """Every file named `*suffix` under `top` (os.scandir, no recursion limit)."""
    stack = [top]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.name.endswith(suffix):
                        yield entry
        except FileNotFoundError:
            continue
