"""`masthead import html`: one article out of a saved or fetched web page.

Owns turning a page into an `ArticleRecord` (`parse_html_page`) and fetching a page over
http(s) with a size limit and a timeout (`fetch_page`). The main text comes from trafilatura
(a maintained extractor, measured in docs/extraction.md), rendered to Markdown by
`html_markdown`, then cleared of the furniture news pages wrap around a story by
`html_furniture`; headline, byline, dates and lead image come from the page's structured
metadata (`html_metadata`). When the page's JSON-LD carries an `articleBody` that the extracted
text misses most of, the JSON-LD text is used instead: it is what the publisher declared as
the article, while a low overlap means the extractor settled on the wrong part of the page.
"""

from __future__ import annotations

import html as html_lib
import re
import time
import urllib.error
import urllib.request
import zlib
from copy import deepcopy
from urllib.parse import urlsplit

from trafilatura import bare_extraction, load_html

from ..records import ArticleRecord, RecordError
from .html_furniture import clean_blocks, shingle_overlap, split_standfirst, words
from .html_markdown import Block, paragraph_block, to_blocks
from .html_metadata import read_metadata

MAX_PAGE_BYTES = 10 * 1024 * 1024  # far above any article page; stops runaway downloads
USER_AGENT = "Masthead-importer/1.0 (+https://github.com/masthead; one article page)"
# JSON-LD articleBody replaces the extracted text only when it is a real article (not a
# teaser) and the extracted text covers less than this share of its word 4-grams.
JSONLD_MIN_WORDS = 80
JSONLD_MIN_COVERAGE = 0.5
PAGE_PARAGRAPH_COVERAGE = 0.8
# Less than this is a menu or a "Home" link, not an article (even a brief has more); the
# character count stands in for words in scripts written without spaces (Chinese, Japanese).
MIN_ARTICLE_WORDS = 10
MIN_ARTICLE_CHARS = 60  # share of the JSON-LD text the page's own paragraphs must hold

EXTRACTION_OPTIONS = {
    "include_comments": False,  # reader comments are imported as comments, never as body
    "include_formatting": True,
    "include_links": True,
    "include_tables": True,
    # with images on, trafilatura keeps more caption and teaser lines (measured: extraction.md)
    "include_images": False,
}
# Blocks the precision-mode pass leaves out are furniture when they sit before or after all
# the blocks it keeps; in the middle they are mostly the article (extraction.md). The trim
# applies only when the two passes agree on where the article is (this share of its text).
SPAN_AGREEMENT = 0.5
PROSE_MIN_WORDS = 30

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"RIFF", b"\x7fELF")
_MARKUP_RE = re.compile(
    r"<(?:!doctype|html|head|body|article|main|div|p|h[1-6]|section|span|title)\b", re.I
)
_TAG_RE = re.compile(r"<[^>]+>")


def parse_html_page(data: bytes | str, url: str = "") -> ArticleRecord:
    """The article in `data` (a whole HTML page) as a record; RecordError when there is none.

    `url` is where the page came from, when known: it resolves relative links and is the
    record's key when the page names no canonical URL of its own.
    """
    text = _page_text(data)
    tree = load_html(text)
    if tree is None:
        raise RecordError("not an HTML page: it could not be parsed as HTML")
    meta = read_metadata(tree, url)
    base = url or meta.canonical_url

    blocks = clean_blocks(_extracted_blocks(tree, base), title=meta.title)
    blocks = _prefer_declared_body(blocks, meta.article_body, tree)
    blocks, standfirst = split_standfirst(blocks, meta.description)
    text = " ".join(block.text for block in blocks)
    if len(text.split()) < MIN_ARTICLE_WORDS and len(text) < MIN_ARTICLE_CHARS:
        raise RecordError("no article text found in the page")
    title = meta.title or next((b.text for b in blocks if b.kind == "heading"), "")
    if not title:
        raise RecordError("no headline found in the page (no <title>, <h1> or og:title)")
    return ArticleRecord(
        title=title,
        body="\n\n".join(block.markdown for block in blocks),
        key=meta.canonical_url or (url if urlsplit(url).scheme in {"http", "https"} else ""),
        standfirst=standfirst,
        published_at=meta.published_at,
        updated_at=meta.updated_at,
        tags=meta.tags,
        authors=meta.authors,
        lead_image_url=meta.image_url,
        lead_image_alt=meta.image_alt,
        lead_image_caption=meta.image_caption,
    )


def _page_text(data: bytes | str) -> str:
    """The page as text, refusing what is plainly not an HTML page."""
    if len(data) > MAX_PAGE_BYTES:
        raise RecordError(f"the page is larger than {MAX_PAGE_BYTES} bytes")
    if isinstance(data, bytes):
        data = _decompressed(data)
        if not data.strip():
            raise RecordError("the page is empty")
        head = data[:4096]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark
            data = data.decode("utf-16", errors="replace").encode("utf-8")
        elif head.startswith(_BINARY_MAGIC) or b"\x00" in head:
            raise RecordError("not an HTML page: the file is binary data")
        text = _decode(data)
    else:
        text = data
    if not text.strip():
        raise RecordError("the page is empty")
    if not _MARKUP_RE.search(text[:200_000]):
        raise RecordError("not an HTML page: no HTML markup found")
    if not re.search(r"<html\b", text[:20_000], re.I):
        # a bare fragment: trafilatura expects a whole document
        text = f"<html><body>{text}</body></html>"
    return text


def _decompressed(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:  # a saved .html.gz; the cap guards against decompression bombs
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = decoder.decompress(data, MAX_PAGE_BYTES + 1)
    except zlib.error:
        raise RecordError("not an HTML page: a damaged gzip file") from None
    if len(out) > MAX_PAGE_BYTES:
        raise RecordError(f"the page is larger than {MAX_PAGE_BYTES} bytes once decompressed")
    return out


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.I)
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    # cp1252 decodes every byte and is what undeclared legacy pages nearly always are
    return data.decode("cp1252", errors="replace")


def _extracted_blocks(tree, base_url: str) -> list[Block]:
    balanced = _extraction_pass(tree, base_url, precision=False)
    precise = _extraction_pass(tree, base_url, precision=True)
    return _trim_to_span(balanced, precise)


def _extraction_pass(tree, base_url: str, precision: bool) -> list[Block]:
    document = bare_extraction(
        deepcopy(tree), url=base_url or None, favor_precision=precision, **EXTRACTION_OPTIONS
    )
    if document is None or document.body is None:
        return []
    return to_blocks(document.body, base_url)


def _trim_to_span(balanced: list[Block], precise: list[Block]) -> list[Block]:
    kept = {block.text for block in precise}
    inside = [i for i, block in enumerate(balanced) if block.text in kept]
    if not inside:
        return balanced
    first, last = inside[0], inside[-1]
    agreed = sum(len(balanced[i].text) for i in inside)
    if agreed < SPAN_AGREEMENT * sum(len(block.text) for block in balanced):
        return balanced
    # a long paragraph next to the span is prose the precision pass was too strict about
    while first > 0 and _is_prose(balanced[first - 1]):
        first -= 1
    while last + 1 < len(balanced) and _is_prose(balanced[last + 1]):
        last += 1
    return balanced[first : last + 1]


def _is_prose(block: Block) -> bool:
    return (
        block.kind in {"paragraph", "quote"}
        and len(block.text.split()) >= PROSE_MIN_WORDS
        and block.linked < 0.5 * len(block.text)
    )


def _prefer_declared_body(blocks: list[Block], article_body: str, tree) -> list[Block]:
    declared = " ".join(_TAG_RE.sub(" ", html_lib.unescape(article_body or "")).split())
    if len(declared.split()) < JSONLD_MIN_WORDS:
        return blocks
    extracted = " ".join(block.text for block in blocks)
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", article_body) if p.strip()]
    if blocks and shingle_overlap(declared, extracted) >= JSONLD_MIN_COVERAGE:
        # trafilatura's last resort returns the JSON-LD text itself as one block: then the
        # declared paragraphs are the same text with its breaks kept
        flattened = len(blocks) == 1 and len(paragraphs) > 1
        if not (flattened and shingle_overlap(extracted, declared) >= 0.9):
            return blocks
    return _page_paragraphs(tree, article_body) or [paragraph_block(p) for p in paragraphs]


def _page_paragraphs(tree, article_body: str) -> list[Block]:
    """The page's own paragraphs and sub-headings that make up the JSON-LD text, in order.

    JSON-LD bodies often lose their paragraph breaks; the page's markup still has them.
    """
    target = " ".join(words(_TAG_RE.sub(" ", html_lib.unescape(article_body))))
    found: list[Block] = []
    seen: set[str] = set()
    for node in tree.iter("p", "h2", "h3"):
        text = " ".join(node.text_content().split())
        key = " ".join(words(text))
        if not key or key in seen or key not in target or (node.tag == "p" and len(key) < 20):
            continue
        seen.add(key)
        block = paragraph_block(text)
        if node.tag != "p":
            block = Block("heading", f"## {block.markdown}", text, 2)
        found.append(block)
    covered = sum(len(" ".join(words(b.text))) for b in found)
    return found if covered >= PAGE_PARAGRAPH_COVERAGE * len(target) else []


# --- fetching ----------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): urllib would otherwise follow one to ftp://."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in {"http", "https"}:
            raise RecordError(f"refusing to follow a redirect to a non-http(s) URL: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_page(url: str, timeout: float = 10, max_bytes: int = MAX_PAGE_BYTES) -> bytes:
    """GET an http(s) page; RecordError on any other scheme, HTTP error, timeout or size."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise RecordError(f"only http:// and https:// URLs can be fetched, not {url!r}")
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,*/*;q=0.5",
            "Accept-Encoding": "identity",
        },
    )
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if not (kind.startswith("text/") or "html" in kind or "xml" in kind):
                raise RecordError(f"not an HTML page: {url} is {kind}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdecimal() and int(declared) > max_bytes:
                raise RecordError(f"the page is larger than {max_bytes} bytes: {url}")
            chunks, size = [], 0
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise RecordError(f"the page is larger than {max_bytes} bytes: {url}")
                # the socket timeout is per read; this bounds a server that trickles bytes
                if time.monotonic() > deadline:
                    raise RecordError(f"timed out after {timeout:g} s fetching {url}")
                chunks.append(chunk)
    except urllib.error.HTTPError as err:
        raise RecordError(f"could not fetch {url}: HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise RecordError(f"timed out after {timeout:g} s fetching {url}") from None
        raise RecordError(f"could not fetch {url}: {err.reason}") from None
    except TimeoutError:  # socket.timeout is an alias of it since Python 3.10
        raise RecordError(f"timed out after {timeout:g} s fetching {url}") from None
    except OSError as err:
        raise RecordError(f"could not fetch {url}: {err}") from None
    return b"".join(chunks)  # a gzipped body (despite "identity") is unpacked when parsed
