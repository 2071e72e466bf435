"""A full disk must not leave debris in the page cache (issue 15, item 7).

The attack left 0-byte `index.json.<pid>-<tid>.tmp` files under the page cache. Here the
write really fails: the process's file size limit (RLIMIT_FSIZE) is lowered so the kernel
refuses the write with EFBIG, as it refuses one with ENOSPC on a full disk; no mock involved.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import time

import pytest

from masthead.pagecache import jobs
from masthead.pagecache.stores.files import TEMP_GRACE_SECONDS, FileStore

from .test_store_contract import entry

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def file_size_limit(nbytes: int):
    """Files of this process cannot grow past `nbytes` (writes fail instead of a signal)."""
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def files_in(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("limit", [0, 4096], ids=["metadata-write-fails", "body-write-fails"])
def test_a_failed_write_leaves_no_temporary_file_and_no_half_stored_page(tmp_path, limit):
    store = FileStore(tmp_path)
    assert store.put(entry("/story/", ["a:1"], b"<p>old version</p>"), store.begin())
    with file_size_limit(limit), pytest.raises(OSError):
        store.put(entry("/story/", ["a:1"], b"<p>new version</p>" * 5000), store.begin())
    assert not [f for f in files_in(tmp_path) if f.endswith(".tmp")], files_in(tmp_path)
    # Neither the old body under new headers nor the old page: nginx and workers miss.
    assert files_in(tmp_path) == []
    assert store.get("/story/") is None
    # Once there is room again the page is stored as usual.
    assert store.put(entry("/story/", ["a:1"], b"<p>again</p>"), store.begin())
    assert store.get("/story/").body == b"<p>again</p>"


def test_stale_temporary_files_are_swept_when_a_server_process_starts(tmp_path, settings,
                                                                      monkeypatch):
    settings.MASTHEAD_PAGE_CACHE_STORE = "files"
    settings.MASTHEAD_PAGE_CACHE_DIR = tmp_path
    store = FileStore(tmp_path)
    store.put(entry("/story/", ["a:1"]), store.begin())
    gone = subprocess.Popen(["true"])
    gone.wait()  # a writer that died (kill -9, OOM) mid-write
    meta_dir, pages_dir = tmp_path / "meta/story", tmp_path / "pages/story"
    dead = meta_dir / f"index.json.{gone.pid}-140000.tmp"
    old = pages_dir / f"index.html.{os.getpid()}-140001.tmp"
    live = pages_dir / f"index.html.{os.getpid()}-140002.tmp"
    for path in (dead, old, live):
        path.write_bytes(b"")
    past = time.time() - TEMP_GRACE_SECONDS - 60
    os.utime(old, (past, past))

    monkeypatch.setattr(jobs, "_swept", False)
    jobs.expire_old_pages()
    assert not dead.exists() and not old.exists()
    assert live.exists(), "a write in progress in a live process must be left alone"
    assert FileStore(tmp_path).get("/story/") is not None

    live.unlink()
    dead.write_bytes(b"")
    jobs.expire_old_pages()  # later runs do not walk the whole tree again
    assert dead.exists()
