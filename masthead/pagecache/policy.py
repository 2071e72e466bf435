"""Who may be served a stored page, and which responses may be stored (issue 7, point 1).

Both halves are plain functions of the WSGI environ and the response, so the thin WSGI fast
path, the storing middleware and the nginx configuration in docs/deploy.md apply one rule:

- a request is a *candidate* when it is a GET or HEAD for a plain path (letters, digits and
  `._~/-`, no dot-segments), without an `Authorization` header (API keys are checked by
  Django) except under `keyed_prefixes()` (the Content API: the fast path checks the key with
  `authoriser()` before it serves a stored answer), with no query string other than `page=N`,
  from a reader without the session cookie, the pending-comment cookie (`masthead_commenter`)
  or a flash-message cookie; its *cache path* is the path, plus `?page=N` when given. "Without
  the cookie" means what Django will read: the header is decoded and parsed by Django's own
  functions (`get_str_from_wsgi`, `parse_cookie`), so `sessionid =x`, `\tsessionid=x` and
  every other spelling Django accepts bypass the cache (issue 15, item 8: a hand-written
  pattern missed the space before `=`, and a staff page could have been stored);
- a response is *storable* when it is a 200 to a GET, public, carries surrogate keys, sets no
  cookie, does not vary (a single stored copy cannot honour `Vary: Cookie`), is of a type a
  static web server can label from a file extension, and the view paginates when `?page=` was
  asked for (elsewhere Django ignores `page`, and storing it would let anyone fill the disk).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.core.handlers.wsgi import get_str_from_wsgi
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string

SAFE_PATH = re.compile(r"/[A-Za-z0-9._~/-]{0,400}")
PAGE_QUERY = re.compile(r"page=([1-9][0-9]{0,5})")
MAX_BYTES = 4 * 1024 * 1024

# Content type → file extension: nginx labels a stored file by its extension (mime.types).
EXTENSIONS = {
    "text/html": "html",
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "txt",
}
ALL_EXTENSIONS = tuple(dict.fromkeys(EXTENSIONS.values()))


def bypass_cookies() -> tuple[str, ...]:
    extra = getattr(settings, "MASTHEAD_PAGE_CACHE_BYPASS_COOKIES", ["masthead_commenter"])
    return (settings.SESSION_COOKIE_NAME, *extra)


def has_bypass_cookie(environ) -> bool:
    """True when Django would see one of `bypass_cookies()` in this request's cookies."""
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return False
    names = bypass_cookies()
    # Cheap first: Django's cookie names are the header's own ASCII characters, stripped, so
    # a name absent from the raw header cannot be read (most readers carry no such cookie).
    if not any(name in raw for name in names):
        return False
    try:
        cookies = parse_cookie(get_str_from_wsgi(environ, "HTTP_COOKIE", ""))
    except UnicodeError:  # Django could not read this header either: let it answer
        return True
    return any(name in cookies for name in names)


def keyed_prefixes() -> tuple[str, ...]:
    """Paths whose answers do not depend on the key sent (the Content API): a request with
    `Authorization` is a candidate there, served once `authoriser()` has checked the key."""
    return tuple(getattr(settings, "MASTHEAD_PAGE_CACHE_KEYED_PREFIXES", ()))


@lru_cache(maxsize=4)
def _import(path: str):
    return import_string(path)


def authoriser():
    """`fn(environ) -> bool`: may this keyed request be served a stored page (the key is live
    and within its rate limit)? False sends it to Django, which answers 401 or 429."""
    path = getattr(settings, "MASTHEAD_PAGE_CACHE_AUTHORISER", "")
    return _import(path) if path else (lambda environ: False)


def cache_path(environ) -> str | None:
    """The stored page's name for this request, or None when it must reach Django."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    path = environ.get("PATH_INFO") or "/"
    if environ.get("HTTP_AUTHORIZATION") and not path.startswith(keyed_prefixes()):
        return None
    if not SAFE_PATH.fullmatch(path) or "/." in path or "//" in path:
        return None
    if has_bypass_cookie(environ):
        return None
    query = environ.get("QUERY_STRING")
    if query:
        page = PAGE_QUERY.fullmatch(query)
        if page is None:
            return None
        return f"{path}?page={page[1]}"
    return path


@lru_cache(maxsize=8)
def _host_rules(allowed: tuple[str, ...]) -> tuple[frozenset, tuple[str, ...], bool]:
    exact = frozenset(h.lower() for h in allowed if not h.startswith("."))
    suffixes = tuple(h.lower() for h in allowed if h.startswith("."))
    return exact, suffixes, "*" in allowed


def host_allowed(environ) -> bool:
    """ALLOWED_HOSTS, checked before a stored page is served (Django checks it on a miss)."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    host = host.lower()
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    exact, suffixes, anything = _host_rules(tuple(settings.ALLOWED_HOSTS))
    return anything or host in exact or any(
        host.endswith(s) or host == s[1:] for s in suffixes
    )


def cache_control(response) -> set[str]:
    value = response.get("Cache-Control", "")
    return {part.strip().split("=", 1)[0].lower() for part in value.split(",") if part.strip()}


def is_public(response) -> bool:
    directives = cache_control(response)
    return "public" in directives and not directives & {"private", "no-store", "no-cache"}


def extension(response) -> str | None:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return EXTENSIONS.get(content_type)


def refusal(request, response, path: str, keys) -> str | None:
    """Why this response must not be stored (None: store it). Reasons show in `X-Cache`."""
    if request.method != "GET" or response.status_code != 200:
        return "status"
    if response.streaming:
        return "streaming"
    if not keys:
        return "no surrogate keys"
    if not is_public(response):
        return "not public"
    if response.cookies:
        return "sets a cookie"
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - {"accept-encoding"} or response.has_header("Content-Encoding"):
        return "varies"
    if extension(response) is None:
        return "content type"
    if len(response.content) > MAX_BYTES:
        return "too large"
    if "?" in path:
        match = getattr(request, "resolver_match", None)
        paginated = getattr(settings, "MASTHEAD_PAGE_CACHE_PAGINATED_VIEWS", [])
        if match is None or match.view_name not in paginated:
            return "query"
    return None
