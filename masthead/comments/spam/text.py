"""The filter's input (`CommentText`) and the one place untrusted comment text is made safe.

Everything downstream (hand features, word and character n-grams, rules) reads a `Prepared`
comment built here, so a hostile body (null bytes, lone surrogates, bidi overrides, 10,000
characters of one letter, half-open HTML) is dealt with once and cannot crash a later step.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

# Longer bodies are cut before any n-gram work: spam is decided in the first few thousand
# characters, and the cap bounds scoring time for a hostile 1 MB POST.
MAX_CHARS = 8000
# A whitespace-free "word" longer than this is not a link we want to read (bounds regex work).
MAX_TOKEN = 400

_ENTITY = re.compile(r"&#?\w{1,10};")
_TAG = re.compile(r"<[^<>]{0,1000}>")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]{1,400})""", re.IGNORECASE)
_SCHEME = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
# A bare domain such as "zonepa.com" or "bit.ly/x": spammers often drop the scheme. Applied to
# single whitespace-free tokens only (see `_find_urls`), so it cannot backtrack across a body.
_BARE_DOMAIN = re.compile(
    r"^[(\[\"']*((?:[a-z0-9-]{1,63}\.){1,4}"
    r"(?:com|net|org|info|biz|ly|co|me|tk|ru|us|uk|de|io|tv|gl|be|cc|ws|xyz|site|online|club)"
    r")(?:[/?#][^\s]*)?[)\]\"'.,!?:;]*$",
    re.IGNORECASE,
)
# C0 controls and DEL except tab and newline (which become spaces without being counted).
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_TAB_NEWLINE = str.maketrans("\t\n", "  ")
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/?#:\s]{1,253})", re.IGNORECASE)
# Links written to dodge filters: "you[tube]", "dot com", "bit . ly".
_OBFUSCATED_LINK = re.compile(
    r"\[\s*(?:tube|dot)\s*\]|\bdot\s*com\b|\s\.\s?(?:com|net|org|ly)\b|\(\s*dot\s*\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CommentText:
    """What the filter sees of a comment: its text and the two other free-text form fields.

    Deliberately no email or IP: the verdict must come from content alone (CONTRACT,
    `comments classify`), and the filter's model may be exported without personal data.
    """

    body: str
    author: str = ""
    url: str = ""


@dataclass
class Prepared:
    """A comment after cleaning, plus the raw measurements cleaning would otherwise erase."""

    text: str  # cleaned body, links replaced by marker tokens, original case kept
    author: str
    url_field: str
    urls: list[str] = field(default_factory=list)  # links in the body, incl. <a href>
    raw_length: int = 0  # characters before the MAX_CHARS cut
    tag_count: int = 0
    entity_count: int = 0
    obfuscated_links: int = 0
    invisible_count: int = 0  # format/control characters removed (bidi overrides, NUL, ZWSP)


def as_str(value: object) -> str:
    """Any field value as text: None → "", bytes decoded leniently, other objects via str()."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if not isinstance(value, str):
        try:
            return str(value)
        except Exception:  # noqa: BLE001 — a hostile __str__ must not take the comment form down
            return ""
    return value


def clean(value: object, limit: int = MAX_CHARS) -> tuple[str, int]:
    """Untrusted text → (printable NFKC text, number of invisible characters removed).

    Lone surrogates (which `str` allows but UTF-8 does not) become U+FFFD; control and format
    characters (NUL, bidi overrides, zero-width joiners, byte-order marks) are dropped, because
    they only hide words from the tokenizer. NFKC folds the "𝐟𝐚𝐧𝐜𝐲" and fullwidth letters spammers
    use back to plain ones.
    """
    text = as_str(value)[:limit]
    if text.isascii():
        # Most comments: NFKC leaves ASCII as it is, and ASCII's only characters of the
        # categories below are the C0 controls and DEL (Cc). Same result as the loop, in C.
        removed = len(_ASCII_CONTROL.findall(text))
        text = text.translate(_TAB_NEWLINE)
        return (_ASCII_CONTROL.sub(" ", text) if removed else text), removed
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = unicodedata.normalize("NFKC", text)
    out = []
    removed = 0
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # The byte-order mark ends most comments of one collection period in the YouTube
            # corpus regardless of label; not counting it keeps that artefact out of the model.
            removed += ch != "\ufeff"
            out.append(" " if cat == "Cc" else "")
        else:
            out.append(ch)
    return "".join(out), removed


def host_of(url: str) -> str:
    match = _HOST.match(url.strip())
    return match.group(1).lower().rstrip(".") if match else ""


def looks_like_link(token: str) -> bool:
    """True for one whitespace-free token that is a URL or a bare domain ("zonepa.com")."""
    return len(token) <= MAX_TOKEN and bool(_SCHEME.match(token) or _BARE_DOMAIN.match(token))


def _is_link_token(token: str) -> bool:
    # A scheme prefix is cheap to test at any length; the bare-domain pattern only on short tokens.
    return bool(_SCHEME.match(token)) or looks_like_link(token)


def _find_urls(text: str) -> list[str]:
    # Both link patterns need a "." or "://": testing that first skips the regexes for the
    # ordinary words (~70 a comment).
    return [token[:MAX_TOKEN] for token in text.split()
            if ("." in token or ":" in token) and _is_link_token(token)]


def _link_marker(url: str) -> str:
    # One opaque word per link: the word model learns "a link to facebook.com" without seeing
    # tracking ids, and the char n-grams still see the host.
    host = re.sub(r"[^a-z0-9]", "", host_of(url))[:40]
    return f" zzlink zzhost{host} "


def prepare(comment: CommentText) -> Prepared:
    """Clean a comment for the features; never raises for any field values."""
    body_raw = as_str(getattr(comment, "body", ""))
    raw_length = len(body_raw)
    body = body_raw[:MAX_CHARS]
    entity_count = len(_ENTITY.findall(body))
    # Comments arrive from feeds and the API double-escaped ("&amp;#39;"); two passes suffice.
    body = html.unescape(html.unescape(body))
    hrefs = _HREF.findall(body)
    tag_count = len(_TAG.findall(body))
    body = _TAG.sub(" ", body)
    body, invisible = clean(body)
    in_text = _find_urls(body)
    # <a href="X">X</a> is one link, not two.
    hrefs = [h for h in hrefs if _SCHEME.match(h) and h not in body]
    urls = hrefs + in_text
    if in_text:
        words = []
        for token in body.split():
            words.append(_link_marker(token[:MAX_TOKEN]) if _is_link_token(token) else token)
        body = " ".join(words)
    for href in hrefs:
        body += _link_marker(href)
    author, _ = clean(getattr(comment, "author", ""), limit=200)
    url_field, _ = clean(getattr(comment, "url", ""), limit=400)
    return Prepared(
        text=" ".join(body.split()),
        author=author.strip(),
        url_field=url_field.strip(),
        urls=urls,
        raw_length=raw_length,
        tag_count=tag_count,
        entity_count=entity_count,
        obfuscated_links=len(_OBFUSCATED_LINK.findall(body)),
        invisible_count=invisible,
    )
