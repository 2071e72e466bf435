"""One contract, every page store: the file store and the Redis store behave the same.

The Redis store runs against the server at MASTHEAD_TEST_REDIS_URL (default
redis://127.0.0.1:6379/0) under a key prefix unique to the test, and deletes only its own
keys afterwards; it is skipped, saying why, when no Redis answers.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest

from masthead.core.tests.live_redis import REDIS_URL, live_redis
from masthead.pagecache.entry import Entry, etag_for
from masthead.pagecache.stores.files import FileStore

pytestmark = pytest.mark.django_db


def redis_store():
    from masthead.pagecache.stores.redis_store import RedisStore

    prefix = f"masthead-test:{uuid.uuid4().hex}:"
    return RedisStore(live_redis(), prefix=prefix, ttl=60)


@pytest.fixture(params=["files", "redis"])
def store(request, tmp_path):
    if request.param == "files":
        yield FileStore(tmp_path / "pagecache")
        return
    store = redis_store()
    yield store
    doomed = list(store.client.scan_iter(match=store.prefix + "*", count=1000))
    if doomed:
        store.client.delete(*doomed)


def entry(path, keys, body=None, ext="html"):
    body = body if body is not None else f"<p>{path}</p>".encode()
    return Entry(path=path, body=body, headers=[("Content-Type", "text/html; charset=utf-8"),
                                                ("ETag", etag_for(body))],
                 keys=sorted(keys), etag=etag_for(body), last_modified=int(time.time()),
                 ext=ext, stored_at=int(time.time()))


def test_stored_page_comes_back_byte_for_byte(store):
    assert store.put(entry("/a/", ["a:1", "site"], b"\x00binary\xff body"), store.begin())
    got = store.get("/a/")
    assert got.body == b"\x00binary\xff body"
    assert got.keys == ["a:1", "site"]
    assert ("Content-Type", "text/html; charset=utf-8") in got.headers


def test_unknown_path_is_a_miss(store):
    assert store.get("/nothing/") is None


def test_purging_a_key_deletes_exactly_the_pages_carrying_it(store):
    token = store.begin()
    store.put(entry("/one/", ["a:1", "site"]), token)
    store.put(entry("/two/", ["a:2", "site"]), token)
    store.put(entry("/both/", ["a:1", "a:2", "site"]), token)
    assert store.purge(["a:1"]) == {"/one/", "/both/"}
    assert store.get("/one/") is None and store.get("/both/") is None
    assert store.get("/two/") is not None
    assert store.paths_for("a:1") == set()


def test_purging_a_path_deletes_that_page_only(store):
    token = store.begin()
    store.put(entry("/one/", ["site"]), token)
    store.put(entry("/one/?page=2", ["site"]), token)
    store.purge([], ["/one/"])
    assert store.get("/one/") is None
    assert store.get("/one/?page=2") is not None


def test_page_rendered_before_a_purge_of_its_key_is_not_kept(store):
    token = store.begin()  # a render starts...
    time.sleep(0.01)
    store.purge(["a:1"])  # ...an editor's change is purged meanwhile...
    assert store.put(entry("/one/", ["a:1"]), token) is False  # ...the old render is dropped
    assert store.get("/one/") is None
    assert store.put(entry("/one/", ["a:1"]), store.begin()) is True


def test_purge_of_another_key_does_not_drop_a_render_in_flight(store):
    token = store.begin()
    store.purge(["a:99"])
    assert store.put(entry("/one/", ["a:1"]), token) is True


def test_replacing_a_page_serves_the_new_version(store):
    store.put(entry("/one/", ["a:1"], b"old"), store.begin())
    assert store.get("/one/").body == b"old"
    store.put(entry("/one/", ["a:1"], b"new"), store.begin())
    assert store.get("/one/").body == b"new"


def test_clear_empties_the_store(store):
    token = store.begin()
    store.put(entry("/one/", ["a:1"]), token)
    store.put(entry("/feed/", ["feed"], b"<rss/>", ext="rss"), token)
    store.clear()
    assert store.get("/one/") is None and store.get("/feed/") is None


def test_another_process_sees_a_purge_made_through_a_second_store_object(store, tmp_path):
    """Two store objects stand for two worker processes sharing one store."""
    twin = FileStore(store.root) if isinstance(store, FileStore) else type(store)(
        REDIS_URL, prefix=store.prefix, ttl=60)
    store.put(entry("/one/", ["a:1"], b"v1"), store.begin())
    assert twin.get("/one/").body == b"v1"  # and now it is in twin's memory too
    store.purge(["a:1"])
    assert twin.get("/one/") is None
    store.put(entry("/one/", ["a:1"], b"v2"), store.begin())
    assert twin.get("/one/").body == b"v2"


def test_file_store_writes_the_body_where_nginx_looks_for_it(tmp_path):
    store = FileStore(tmp_path)
    token = store.begin()
    store.put(entry("/2024/05/01/story/", ["a:1"], b"<html>story</html>"), token)
    store.put(entry("/section/world/?page=2", ["section:1"], b"<html>p2</html>"), token)
    store.put(entry("/feed/", ["feed"], b"<rss/>", ext="rss"), token)
    store.put(entry("/", ["front"], b"<html>front</html>"), token)
    assert (tmp_path / "pages/2024/05/01/story/index.html").read_bytes() == b"<html>story</html>"
    assert (tmp_path / "pages/section/world/index.page-2.html").read_bytes() == b"<html>p2</html>"
    assert (tmp_path / "pages/feed/index.rss").read_bytes() == b"<rss/>"
    assert (tmp_path / "pages/index.html").read_bytes() == b"<html>front</html>"
    store.purge(["a:1"])
    assert not (tmp_path / "pages/2024/05/01/story/index.html").exists()


def test_file_store_expiry_deletes_old_pages_only(tmp_path):
    store = FileStore(tmp_path)
    store.put(entry("/old/", ["a:1"]), store.begin())
    store.put(entry("/new/", ["a:2"]), store.begin())
    past = time.time() - 7200
    os.utime(store.meta_file("/old/"), (past, past))
    assert store.expire(time.time() - 3600) == 1
    assert store.get("/old/") is None and store.get("/new/") is not None
    assert store.paths_for("a:1") == set()
