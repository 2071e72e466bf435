"""RFC 9457 problem details: the one shape of every /api/v1/ error.

`{"type", "title", "status", "detail", "code"}` (plus `errors` for invalid input), served as
`application/problem+json` with `Cache-Control: no-cache` so a mistake is never remembered by
a proxy. `type` is a stable, non-dereferenceable `tag:` URI per kind of problem (RFC 9457 §3.1.1
allows any URI; docs/api.md lists them); `code` is the
same word for programs that prefer not to parse URIs.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Schema
from pydantic import ConfigDict

CONTENT_TYPE = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 412: "Precondition failed",
          413: "Content too large", 415: "Unsupported media type", 422: "Unprocessable content",
          428: "Precondition required", 429: "Too many requests", 500: "Server error"}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 412: "precondition_failed",
         413: "too_large", 415: "unsupported_media_type", 422: "unprocessable",
         428: "precondition_required", 429: "rate_limited", 500: "server_error"}


class FieldError(Schema):
    model_config = ConfigDict(extra="forbid")
    loc: list[str | int]
    msg: str


class Problem(Schema):
    """An error (RFC 9457)."""

    model_config = ConfigDict(extra="forbid")
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


def problem(status: int, detail: str, code: str | None = None, *, errors=None,
            headers: dict | None = None) -> HttpResponse:
    code = code or CODES.get(status, "error")
    body = {"type": f"tag:masthead,2026:problem:{code}",
            "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            "code": code}
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type=CONTENT_TYPE)
    patch_cache_control(response, no_cache=True)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
