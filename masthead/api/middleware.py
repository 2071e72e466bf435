"""The edges of /api/v1/ that no single view owns: body size, CORS, and problem details for
the errors that happen outside the API's views (405s, oversize bodies).

- Bodies over MASTHEAD_API_MAX_BODY_BYTES (image uploads: the media limit plus room for the
  form) are refused with 413 before anything reads them.
- HEAD is answered as GET without a body.
- CORS: Content API answers (GET and HEAD without an Admin key) allow any origin; preflights
  offer only GET and HEAD, so a browser page elsewhere can never drive the Admin API.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from masthead.media.services import limits

from .problems import CONTENT_TYPE, problem

PREFIX = "/api/v1/"


def _max_body(path: str) -> int:
    if path.startswith(PREFIX + "media/"):
        return limits()["max_bytes"] + 64 * 1024
    return settings.MASTHEAD_API_MAX_BODY_BYTES


def _cors(response) -> None:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Retry-After"


class ApiEdges:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            _cors(response)
            response["Access-Control-Allow-Methods"] = "GET, HEAD"
            response["Access-Control-Allow-Headers"] = "Authorization"
            response["Access-Control-Max-Age"] = "86400"
            return response
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem(400, "Content-Length is not a number.")
        limit = _max_body(request.path)
        if length > limit:
            return problem(413, f"The body is {length} bytes; the limit is {limit}.", "too_large")
        head = request.method == "HEAD"
        if head:  # HEAD is GET without the body (RFC 9110 §9.3.2); ninja routes only GET
            request.method = "GET"
        response = self.get_response(request)
        if head and not response.streaming:
            response.content = b""
        if response.status_code >= 400 and response.get("Content-Type") != CONTENT_TYPE:
            allow = response.get("Allow")
            response = problem(response.status_code,
                               "This method is not allowed here." if response.status_code == 405
                               else "The request could not be handled.",
                               headers={"Allow": allow} if allow else None)
        if request.method in ("GET", "HEAD") and not getattr(request, "api_admin", False):
            _cors(response)
        return response
