"""A stored page: its bytes, the headers to replay, its validators and its surrogate keys.

An `Entry` is built once from a Django response (`from_response`) and then served many times
by the WSGI fast path, so the header lists for a 200 and a 304 are computed when it is built,
not per request. `not_modified` implements the conditional GET rules of RFC 9110 §13.2.2:
If-None-Match wins over If-Modified-Since; ETags compare weakly, as GET allows.

A text page is compressed when it is built (gzip, and brotli when installed:
core/compression.py), once, and `head_for(coding)` gives the headers of each variant, so a hit
costs a negotiation (cached per Accept-Encoding value) and no compression at all.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

from django.utils.http import http_date, parse_http_date_safe

from masthead.core import compression

# Never replayed from the store: they describe one exchange, not the page.
_NOT_STORED = {"content-length", "date", "set-cookie", "x-cache", "connection",
               "transfer-encoding", "keep-alive"}
# What a 304 repeats (RFC 9110 §15.4.5): validators and caching metadata, no content headers.
_IN_304 = {"cache-control", "etag", "last-modified", "vary", "expires", "content-location"}


def etag_for(body: bytes) -> str:
    """A strong validator for the page's bytes: 96 bits of SHA-256, which processors with
    SHA extensions hash at ~1.8 GB/s here, against BLAKE2b's ~1.3 GB/s (every uncached page
    is hashed; a 69 KB article with 50 comments: 38 µs instead of 55 µs)."""
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def not_modified(environ, etag: str, last_modified: int | None) -> bool:
    """True when the client's copy (If-None-Match / If-Modified-Since) is current."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        bare = etag.removeprefix("W/")
        return any(t.strip().removeprefix("W/") == bare for t in if_none_match.split(","))
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since and last_modified is not None:
        parsed = parse_http_date_safe(since)
        return parsed is not None and last_modified <= parsed
    return False


@dataclass
class Entry:
    path: str
    body: bytes
    headers: list[tuple[str, str]]  # as stored: ETag and Last-Modified included
    keys: list[str]
    etag: str
    last_modified: int
    ext: str = "html"
    stored_at: int = 0
    # Compressed forms of `body` by content coding ("gzip", "br"); empty for a small page.
    encoded: dict[str, bytes] = field(default_factory=dict)
    head_200: list[tuple[str, str]] = field(init=False, repr=False)
    head_304: list[tuple[str, str]] = field(init=False, repr=False)
    codings: tuple[str, ...] = field(init=False, repr=False)
    _heads: dict[str, list[tuple[str, str]]] = field(init=False, repr=False)

    def __post_init__(self):
        self.head_200 = [*self.headers, ("Content-Length", str(len(self.body))),
                         ("X-Cache", "HIT")]
        self.head_304 = [(k, v) for k, v in self.headers if k.lower() in _IN_304]
        self.head_304.append(("X-Cache", "HIT"))
        self.codings = tuple(c for c in compression.PREFERRED if c in self.encoded)
        # A compressed variant is another representation: its validator is weak (as in
        # core/compression.py), everything else as the page's.
        self._heads = {
            coding: [*((k, "W/" + v if k.lower() == "etag" and not v.startswith("W/") else v)
                       for k, v in self.headers),
                     ("Content-Encoding", coding), ("Content-Length", str(len(data))),
                     ("X-Cache", "HIT")]
            for coding, data in self.encoded.items()
        }

    def variant(self, accept_encoding: str | None) -> tuple[list[tuple[str, str]], bytes]:
        """The headers and bytes to send a client with this Accept-Encoding."""
        if accept_encoding and self.codings:
            coding = compression.negotiate(accept_encoding, self.codings)
            if coding is not None:
                return self._heads[coding], self.encoded[coding]
        return self.head_200, self.body

    @classmethod
    def from_response(cls, path: str, response, keys, ext: str) -> Entry:
        """Freeze a Django response; adds ETag and Last-Modified to it when missing."""
        body = response.content
        if not response.has_header("ETag"):
            response["ETag"] = etag_for(body)
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(time.time())
        last_modified = parse_http_date_safe(response["Last-Modified"]) or int(time.time())
        encoded = compression.variants(body) if compression.compressible(response) else {}
        if encoded:
            compression.add_vary(response)
            # The response that stored the page is sent compressed from these same bytes.
            response.compressed_variants = encoded
        headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED]
        return cls(path=path, body=body, headers=headers, keys=sorted(keys),
                   etag=response["ETag"], last_modified=last_modified, ext=ext,
                   stored_at=int(time.time()), encoded=encoded)

    def expired(self, now: float, max_age: int) -> bool:
        return max_age > 0 and self.stored_at + max_age < now

    def not_modified(self, environ) -> bool:
        return not_modified(environ, self.etag, self.last_modified)

    # Storage form: the metadata as JSON; the body stays separate bytes so that nginx can
    # serve the very same file in the file store.
    def meta_json(self, **extra) -> bytes:
        return json.dumps({
            "v": 1, "path": self.path, "headers": self.headers, "keys": self.keys,
            "etag": self.etag, "last_modified": self.last_modified, "ext": self.ext,
            "stored_at": self.stored_at,
            "encoded": [[c, len(data)] for c, data in self.encoded.items()], **extra,
        }, separators=(",", ":")).encode()

    @classmethod
    def from_meta(cls, data: dict, body: bytes,
                  encoded: dict[str, bytes] | None = None) -> Entry | None:
        """Rebuild from storage (the store checks that `data` and `body` belong together)."""
        if data.get("v") != 1:
            return None
        return cls(path=data["path"], body=body, headers=[tuple(h) for h in data["headers"]],
                   keys=data["keys"], etag=data["etag"], last_modified=data["last_modified"],
                   ext=data["ext"], stored_at=data.get("stored_at", 0),
                   encoded=encoded or {})

    @staticmethod
    def encoded_sizes(data: dict) -> list[tuple[str, int]]:
        """The stored variants' (coding, length), as `meta_json` recorded them."""
        return [(c, n) for c, n in data.get("encoded", ())]
