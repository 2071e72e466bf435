"""Pages in Redis, shared by several servers (MASTHEAD_CACHE_URL / MASTHEAD_PAGE_CACHE_REDIS_URL).

Keys, all under MASTHEAD_PAGE_CACHE_REDIS_PREFIX:

    p:<path>   the page: 4-byte metadata length, metadata JSON, the compressed copies (their
               lengths in the metadata), body (with a TTL)
    k:<key>    set of the paths stored with surrogate key <key> (no TTL)
    s:<key>    purge sequence number of <key>'s last purge (expires after an hour)
    seq        purge counter: `begin()` reads it, every purge increments it

A counter rather than a clock orders purges against renders, because the servers sharing
Redis need not agree on the time. Pages carry a TTL and the index sets none: configure Redis
with `maxmemory-policy volatile-lru` so eviction can only drop pages, never the index that
purges them (docs/deploy.md).
"""

from __future__ import annotations

import json
import struct

import redis

from ..entry import Entry
from .base import PageStore, chunks

STAMP_SECONDS = 3600
_LENGTH = struct.Struct(">I")


class RedisStore(PageStore):
    name = "redis"

    def __init__(self, url: str, prefix: str = "masthead:pc:", ttl: int = 86400):
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.ttl = ttl

    def _page(self, path: str) -> str:
        return f"{self.prefix}p:{path}"

    def begin(self) -> int:
        return int(self.client.get(self.prefix + "seq") or 0)

    def get(self, path: str) -> Entry | None:
        blob = self.client.get(self._page(path))
        if not blob:
            return None
        (length,) = _LENGTH.unpack_from(blob)
        try:
            meta = json.loads(blob[4:4 + length])
        except ValueError:
            return None
        offset, encoded = 4 + length, {}
        for coding, size in Entry.encoded_sizes(meta):
            encoded[coding] = blob[offset:offset + size]
            offset += size
        entry = Entry.from_meta(meta, blob[offset:], encoded)
        return entry if entry is not None and entry.path == path else None

    def put(self, entry: Entry, token: int) -> bool:
        meta = entry.meta_json()
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self._page(entry.path),
                 b"".join([_LENGTH.pack(len(meta)), meta, *entry.encoded.values(), entry.body]),
                 ex=self.ttl or None)
        for key in entry.keys:
            pipe.sadd(f"{self.prefix}k:{key}", entry.path)
        # Redis runs one client's pipeline in order, so the stamps are read after indexing.
        pipe.mget([f"{self.prefix}s:{k}" for k in entry.keys])
        stamps = pipe.execute()[-1]
        if any(s is not None and int(s) > token for s in stamps):
            self.client.delete(self._page(entry.path))
            return False
        return True

    def purge(self, keys, paths=()) -> set[str]:
        keys = sorted(set(keys))
        found = set(paths)
        if keys:
            seq = self.client.incr(self.prefix + "seq")
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.set(f"{self.prefix}s:{key}", seq, ex=STAMP_SECONDS)
            for key in keys:
                pipe.smembers(f"{self.prefix}k:{key}")
            for members in pipe.execute()[len(keys):]:
                found.update(m.decode() for m in members)
        for chunk in chunks(found):
            self.client.delete(*[self._page(p) for p in chunk])
        for chunk in chunks(keys):
            self.client.delete(*[f"{self.prefix}k:{k}" for k in chunk])
        return found

    def clear(self) -> None:
        keys = {k.decode()[len(self.prefix) + 2:]
                for k in self.client.scan_iter(match=f"{self.prefix}k:*", count=1000)}
        self.purge(keys)
        for batch in chunks(self.client.scan_iter(match=f"{self.prefix}p:*", count=1000)):
            self.client.delete(*batch)

    def paths_for(self, key: str) -> set[str]:
        return {m.decode() for m in self.client.smembers(f"{self.prefix}k:{key}")}
