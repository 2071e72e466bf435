"""The NinjaAPI instance behind /api/v1/: routers, error handling and the generated description.

Every error leaves as RFC 9457 problem details (`problems.py`): ninja's own (validation,
authentication, unparsable bodies), the newsroom services' (`PermissionDenied`,
`ValidationError`), and anything unexpected (500, logged). The OpenAPI 3.1 document is built
by ninja from the routers' type annotations, plus what ninja does not know: the server URL,
that a keyless read is allowed, and the problem responses every operation may give.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from masthead.newsroom.taxonomy import InUse

from . import admin_articles, admin_site, admin_taxonomy, content, writes
from .auth import RateLimited
from .problems import problem

log = logging.getLogger("masthead.api")


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["servers"] = [{"url": settings.SITE_URL + "/api/v1"}]
        schema["info"]["title"] = f"{settings.SITE_NAME} API"
        for item in schema["paths"].values():
            for operation in item.values():
                if any("ContentAuth" in s for s in operation.get("security", [])):
                    operation["security"] = [{"ContentAuth": []}, {}]  # the key is optional
                operation["responses"] = {str(k): v for k, v in
                                          operation.get("responses", {}).items()}
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")):
                        response["content"] = {"application/problem+json": response.pop(
                            "content", {}).get("application/json", {})}
        return schema


api = Api(
    title="Masthead API", version="1", urls_namespace="api", docs_url=None, openapi_url=None,
    description="The Content API serves published content (what readers can already see); "
                "the Admin API writes, acting with an integration's newsroom role. "
                "Errors are RFC 9457 problem details.",
)
# One router, see there.
assert admin_articles.router is admin_site.router is admin_taxonomy.router is content.router
api.add_router("", content.router)


DATE_FIELDS = {"published_at", "at"}


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
              for e in exc.errors]
    first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
    where = ".".join(first["loc"][1:] or first["loc"])
    detail = f"{where}: {first['msg']}" if where else first["msg"]
    if any(e["loc"][-1:] and e["loc"][-1] in DATE_FIELDS for e in errors):
        # A publication time that is not one: 422, like one that cannot be used (writes.when).
        return problem(422, detail, "bad_date", errors=errors)
    return problem(400, detail, "invalid", errors=errors)


@api.exception_handler(writes.BadDate)
def _bad_date(request, exc):
    return problem(422, str(exc), "bad_date")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    detail = exc.message if exc.message != "Unauthorized" else "A valid API key is needed."
    return problem(401, detail, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, str(exc.message))


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    return problem(429, str(exc), "rate_limited", headers={"Retry-After": str(exc.retry_after)})


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(403, str(exc) or "Your key's role may not do this.", "forbidden")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, str(exc) or "Not found.", "not_found")


@api.exception_handler(DjangoValidationError)
def _refused(request, exc):
    return problem(400, " ".join(exc.messages), "refused")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return problem(413, "The body is larger than this server accepts.", "too_large")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return problem(400, "The request could not be read.", "bad_request")


@api.exception_handler(MultiPartParserError)
def _bad_form(request, exc):
    return problem(400, f"The multipart body could not be read: {exc}", "bad_request")


@api.exception_handler(content.BadRequest)
def _bad_parameter(request, exc):
    return problem(400, str(exc), exc.code)


@api.exception_handler(InUse)
def _in_use(request, exc):
    return problem(409, str(exc), "conflict")


@api.exception_handler(IntegrityError)
def _collided(request, exc):
    # Two concurrent writes made the same new row (a tag, a slug); the loser's transaction was
    # rolled back whole, so retrying is safe and nothing half-done is left.
    log.warning("API write collided on %s: %s", request.path, exc)
    return problem(409, "A concurrent change made the same thing; retry the request.",
                   "conflict")


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error on %s %s", request.method, request.path)
    return problem(500, "Something went wrong on our side; it has been logged.", "server_error")
