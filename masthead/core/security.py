"""Security headers every response carries: the Content-Security-Policy (issue 15, item 2).

The policy is one constant string, the same for every reader, so a page stored by the page
cache replays a policy that still fits it: no per-request nonce that a stored copy would make
stale. That works because no page has an inline script or event handler (scripts are static
files: `comments/reply.js`, `newsroom/editor.js`) nor a `style` attribute (the comment list
uses classes). The one inline `<style>` left, in the 500 page that must render when static
files may not, is allowed by its hash, computed from the template itself so the two cannot
drift. JSON-LD `<script type="application/ld+json">` blocks are data, not scripts: CSP does
not apply to them.

Images may come from any HTTPS origin (imported articles keep their remote pictures; images
cannot run code); everything else is same-origin only. A response that sets its own policy
keeps it (media files: `default-src 'none'; sandbox`). The nginx front sends the same constant
with the pages it serves from the cache (pagecache/nginx.py).

HSTS is not here: Django's SecurityMiddleware sends it on HTTPS requests when
MASTHEAD_HSTS_SECONDS is set, and the TLS front should send it too (docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_ERROR_PAGE = Path(__file__).resolve().parent.parent / "templates" / "500.html"


def _style_hashes(template: Path) -> list[str]:
    styles = re.findall(r"<style>(.*?)</style>", template.read_text("utf-8"), re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
            for s in styles]


POLICY = "; ".join([
    "default-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "img-src 'self' https:",
    " ".join(["style-src 'self'", *_style_hashes(_ERROR_PAGE)]),
])
HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Adds POLICY to every response without one. Installed just inside the page cache's
    middleware, so the header is part of what the cache stores and replays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = POLICY
        return response
