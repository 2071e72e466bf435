"""The Admin API for articles: create, read (drafts too), update, delete, and state changes.

Each view: look the article up as the integration's account sees it (404 when it may not),
check the version, call `writes` (→ the newsroom's services), answer the admin view with its
`ETag`. Answers are `private, no-store`: they can hold drafts.
"""

from __future__ import annotations

import pydantic
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from ninja import Header
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from masthead.core.http import private
from masthead.newsroom import services as newsroom

from . import content, writes
from .admin_schemas import ArticleAdmin, ArticleIn, ArticlePatch, PublishIn, ScheduleIn
from .auth import AdminAuth
from .problems import Problem

# One router with the Content API: ninja routes a path to one router, and reads and writes
# share paths (/articles/). Each operation names its own auth.
router = content.router
ADMIN = AdminAuth()
TAGS = ["Admin: articles"]


def _op(method: str):
    def declare(path: str, **kwargs):
        return getattr(router, method)(path, auth=ADMIN, tags=TAGS, **kwargs)
    return declare


get, post, patch, delete = _op("get"), _op("post"), _op("patch"), _op("delete")
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 429: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem, 412: Problem, 428: Problem}
IfMatch = Header(None, alias="If-Match", description="the article's current ETag")
# Required for PATCH and DELETE, but declared optional so that leaving it out is answered with
# the precise 428 (RFC 6585) rather than a generic validation error.
IfMatchRequired = Header(None, alias="If-Match",
                         description="the article's current ETag (428 without it)")


def _answer(article, status: int = 200, *, body: dict | None = None) -> JsonResponse:
    body = body or writes.admin_view(article)
    response = private(JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}))
    response["ETag"] = body["version"]
    if status == 201:
        response["Location"] = f"/api/v1/articles/{body['id']}/source/"
    return response


@post("/articles/", response={201: ArticleAdmin, **WRITE_ERRORS, 422: Problem},
             summary="Create an article (Idempotency-Key makes retries safe)")
def create_article(request, payload: ArticleIn,
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    key = request.auth

    def make():
        article = writes.create(key, payload.dict(exclude_unset=True))
        return 201, writes.admin_view(article)

    status, body, replayed = writes.idempotent(key, idempotency_key,
                                               writes.fingerprint(request), make)
    response = _answer(None, status, body=body)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@get("/articles/{int:id}/source/", response={200: ArticleAdmin, **ERRORS},
            summary="An article as its editors see it (drafts too), with its ETag")
def article_source(request, id: int):  # noqa: A002
    return _answer(writes.find(request.auth.integration.user, id))


@patch("/articles/{int:id}/", response={200: ArticleAdmin, **WRITE_ERRORS},
              summary="Change an article (only the fields sent); If-Match required")
def update_article(request, id: int, payload: ArticlePatch,  # noqa: A002
                   if_match: str | None = IfMatchRequired):
    key = request.auth
    user = key.integration.user
    with transaction.atomic():
        article = writes.find(user, id, lock=True)
        writes.check_version(article, if_match, required=True)
        fields = writes.fields_from(payload.dict(exclude_unset=True), article)
        article = newsroom.save(user, article, fields, note=writes.note(key, "edited"))
    return _answer(article)


@delete("/articles/{int:id}/", response={204: None, **WRITE_ERRORS},
               summary="Delete an article for good (editors); If-Match required")
def delete_article(request, id: int, if_match: str | None = IfMatchRequired):  # noqa: A002
    user = request.auth.integration.user
    with transaction.atomic():
        article = writes.find(user, id, lock=True)
        writes.check_version(article, if_match, required=True)
        newsroom.delete(user, article)
    return private(HttpResponse(status=204))


def _transition(request, id: int, if_match: str | None, action):  # noqa: A002
    user = request.auth.integration.user
    with transaction.atomic():
        article = writes.find(user, id, lock=True)
        writes.check_version(article, if_match, required=False)
        article = action(user, article)
    return _answer(article)


@post("/articles/{int:id}/submit/", response={200: ArticleAdmin, **WRITE_ERRORS},
             summary="Send a draft for review")
def submit_article(request, id: int, if_match: str | None = IfMatch):  # noqa: A002
    return _transition(request, id, if_match,
                       lambda user, article: newsroom.submit_for_review(user, article, {}))


def _optional_body(request, schema):
    """The body as `schema`, or None when there is none (ninja requires a declared body)."""
    if not request.body.strip():
        return None
    if request.content_type != "application/json":
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded") \
                and not request.POST and not request.FILES:
            return None  # an empty form, as clients send for a POST without a body
        raise HttpError(400, "Send the body as application/json.")
    try:
        return schema.model_validate_json(request.body)
    except pydantic.ValidationError as exc:
        raise NinjaValidationError([{"loc": ("body", "payload", *e["loc"]), "msg": e["msg"]}
                                    for e in exc.errors()]) from None


@post("/articles/{int:id}/publish/", response={200: ArticleAdmin, **WRITE_ERRORS, 422: Problem},
             summary="Publish now, or backdated, or scheduled (authors: their own; editors: "
                     "anyone's)",
             openapi_extra={"requestBody": {"required": False, "content": {
                 "application/json": {"schema": PublishIn.model_json_schema()}}}})
def publish_article(request, id: int, if_match: str | None = IfMatch):  # noqa: A002
    payload = _optional_body(request, PublishIn)
    at = writes.when(payload.published_at if payload else None)

    def publish(user, article):
        writes.check_backdate(user, at)
        return newsroom.publish(user, article, at=at, backdate=True)
    return _transition(request, id, if_match, publish)


@post("/articles/{int:id}/schedule/", response={200: ArticleAdmin, **WRITE_ERRORS, 422: Problem},
             summary="Publish at a future time")
def schedule_article(request, id: int, payload: ScheduleIn,  # noqa: A002
                     if_match: str | None = IfMatch):
    at = writes.when(payload.at, future=True)
    return _transition(request, id, if_match,
                       lambda user, article: newsroom.publish(user, article, at=at))


@post("/articles/{int:id}/unpublish/", response={200: ArticleAdmin, **WRITE_ERRORS},
             summary="Withdraw a published or scheduled article (back to draft)")
def unpublish_article(request, id: int, if_match: str | None = IfMatch):  # noqa: A002
    return _transition(request, id, if_match,
                       lambda user, article: newsroom.unpublish(user, article))
