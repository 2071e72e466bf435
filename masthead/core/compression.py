"""Compressed HTML for clients that accept it: gzip, and brotli when its wheel is installed.

Owns content negotiation (`negotiate`), the compressed variants of a page (`variants`, made
once when the page cache stores a page and replayed for every hit), and `CompressionMiddleware`
for what Django renders (issue 16: `masthead serve` sent HTML uncompressed).

Cost, measured on an article page with 50 comments (57 KB; docs/performance.md), on this
2-core machine under load: gzip level 1 ~0.3-0.6 ms, level 6 ~1.7-2.3 ms, brotli 4 ~1.2-1.5
ms, against ~1.7 ms for the whole uncached render. So work is done once where it can be:
- a page the page cache stores is compressed when stored (gzip 5 and brotli 4: 4.99 and
  3.95 KB), and those bytes serve the response that stored it and every later hit; nginx
  serves the same files (`.gz`) from the file store;
- a response the cache does not store (staff pages, a reader's private pages, a query string,
  MASTHEAD_PAGE_CACHE off) is compressed per request at gzip level 1, the cheapest (5.5 KB):
  for a client that asks, this costs about a third of an uncached render's throughput
  (wrk A/B, docs/performance.md) to send a tenth of the bytes: worth it on a reader's
  connection, and the pages that pay are the ones no cache holds;
- a client that sends no Accept-Encoding (wrk, curl, most scripts) costs a few header
  look-ups, without reading the body.
Only text responses of at least `MIN_BYTES` are compressed; every HTML response that could
be compressed says `Vary: Accept-Encoding`, so shared caches keep the variants apart.
"""

from __future__ import annotations

import functools
import zlib

try:  # optional: the `brotli` wheel (pip install brotli); gzip alone otherwise
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

MIN_BYTES = 512  # below this the headers outweigh the saving
STORE_GZIP_LEVEL = 5  # 2.5 % bigger than 6 for three quarters of the time
STORE_BROTLI_QUALITY = 4  # 20 % smaller than gzip 6, as fast as gzip 5; 5 took twice as long
LIVE_GZIP_LEVEL = 1
COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/rss+xml",
                "application/atom+xml", "application/feed+json", "image/svg+xml")
# The encodings a stored page may carry, best first (what negotiation prefers).
PREFERRED = ("br", "gzip") if brotli is not None else ("gzip",)


def gzip_bytes(data: bytes, level: int) -> bytes:
    """A gzip member with no file name and mtime 0: the same input gives the same bytes."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: gzip header and trailer
    return compressor.compress(data) + compressor.flush()


def variants(body: bytes) -> dict[str, bytes]:
    """The stored page's compressed forms (none for a tiny body)."""
    if len(body) < MIN_BYTES:
        return {}
    out = {"gzip": gzip_bytes(body, STORE_GZIP_LEVEL)}
    if brotli is not None:
        out["br"] = brotli.compress(body, quality=STORE_BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    return out


@functools.lru_cache(maxsize=256)
def negotiate(accept_encoding: str, available: tuple[str, ...] = PREFERRED) -> str | None:
    """The best of `available` (in its order of preference) that the header accepts, or None.

    RFC 9110 §12.5.3: codings with q=0 are refused, `*` stands for any coding not listed.
    Cached: browsers send a handful of distinct values."""
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        name = name.strip()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[name] = q
    best, best_q = None, 0.0
    for coding in available:
        q = weights.get(coding, weights.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


def compressible(response) -> bool:
    if (response.status_code != 200 or response.streaming
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith(COMPRESSIBLE)):
        return False
    # CommonMiddleware has set Content-Length; reading `content` would copy the whole body.
    length = response.get("Content-Length", "")
    return (int(length) if length.isdigit() else len(response.content)) >= MIN_BYTES


def add_vary(response) -> None:
    """`Vary: Accept-Encoding`, kept with what is there (Django's patch_vary_headers parses and
    rebuilds the header: several times the cost, on every uncached response)."""
    vary = response.get("Vary")
    if not vary:
        response["Vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        response["Vary"] = f"{vary}, Accept-Encoding"


class CompressionMiddleware:
    """First in MIDDLEWARE, so it compresses the final response after the page cache stored
    the identity bytes and attached their variants (`response.compressed_variants`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not compressible(response):
            return response
        add_vary(response)
        accept = request.META.get("HTTP_ACCEPT_ENCODING")
        if not accept:
            return response
        stored = getattr(response, "compressed_variants", None) or {}
        coding = negotiate(accept, tuple(c for c in PREFERRED if c in stored) or ("gzip",))
        if coding is None:
            return response
        body = stored.get(coding) or gzip_bytes(response.content, LIVE_GZIP_LEVEL)
        response.content = body
        response["Content-Encoding"] = coding
        response["Content-Length"] = str(len(body))
        if response.has_header("ETag") and not response["ETag"].startswith("W/"):
            # Another representation, same meaning: a weak validator, as nginx and Django's
            # GZipMiddleware do (RFC 9110 §8.8.3.3); conditional GETs compare weakly.
            response["ETag"] = "W/" + response["ETag"]
        return response
