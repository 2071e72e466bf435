"""The Admin API for sections, tags and authors: read with a version, change, delete, create.

Each view finds the row by its slug (404), checks `If-Match` against its version (428
without, 412 when stale: the row is locked first, so of two updates with one version exactly
one wins), then calls the newsroom's own functions (`newsroom.staff`, `newsroom.taxonomy`) as
the integration's account, which apply the newsroom's permissions and tell the caches. A
version is a digest of the fields an integration can change, since these rows keep no
modification time.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from ninja import Header
from ninja.errors import HttpError

from masthead.articles.models import Author, Section, Tag
from masthead.core.http import private
from masthead.newsroom import staff, taxonomy

from . import content, serializers
from .admin_schemas import (
    AuthorAdmin,
    AuthorIn,
    AuthorPatch,
    SectionAdmin,
    SectionPatch,
    TagAdmin,
    TagPatch,
)
from .auth import AdminAuth
from .problems import Problem

router = content.router  # one router with the Content API (see admin_articles.py)
ADMIN = AdminAuth()
TAGS = ["Admin: media, taxonomy, comments"]
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 429: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem, 412: Problem, 428: Problem}
IfMatch = Header(None, alias="If-Match", description="the current version (428 without it)")

VIEWS = {
    Section: serializers.section,
    Tag: serializers.tag,
    Author: serializers.author,
}


def version(obj) -> str:
    fields = {"name": obj.name, "slug": obj.slug,
              "extra": getattr(obj, "description", getattr(obj, "bio", ""))}
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:20]
    return f'"{type(obj).__name__.lower()}-{obj.pk}-{digest}"'


def _answer(obj, status: int = 200) -> JsonResponse:
    body = {**VIEWS[type(obj)](obj), "version": version(obj)}
    response = private(JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}))
    response["ETag"] = body["version"]
    if status == 201:
        response["Location"] = f"/api/v1/{type(obj).__name__.lower()}s/{obj.slug}/source/"
    return response


def _find(model, slug: str, *, lock: bool = False):
    queryset = model.objects.select_for_update() if lock else model.objects.all()
    found = queryset.filter(slug=slug).first()
    if found is None:
        raise Http404(f"No {model.__name__.lower()} with the slug {slug!r}.")
    return found


def _locked(model, slug: str, if_match: str | None):
    """The row, locked for this transaction, if `if_match` names its current version."""
    obj = _find(model, slug, lock=True)
    if if_match is None:
        raise HttpError(428, "Send If-Match with the current version (its ETag).")
    wanted = [v.strip() for v in if_match.split(",")]
    if "*" not in wanted and version(obj) not in wanted:
        raise HttpError(412, "It changed since that version; fetch it and retry.")
    return obj


def _source(model, schema):
    name = model.__name__.lower()

    def view(request, slug: str):
        return _answer(_find(model, slug))

    view.__name__ = f"{name}_source"
    router.get(f"/{name}s/{{slug}}/source/", auth=ADMIN, tags=TAGS,
               response={200: schema, **ERRORS},
               summary=f"One {name} with its version (ETag)")(view)


_source(Section, SectionAdmin)
_source(Tag, TagAdmin)
_source(Author, AuthorAdmin)


def _user(request):
    return request.auth.integration.user


def _deleted() -> HttpResponse:
    return private(HttpResponse(status=204))


@router.patch("/sections/{slug}/", auth=ADMIN, tags=TAGS,
              response={200: SectionAdmin, **WRITE_ERRORS},
              summary="Rename a section, change its URL name or description (admins)")
def update_section(request, slug: str, payload: SectionPatch, if_match: str | None = IfMatch):
    data = payload.dict(exclude_unset=True)
    with transaction.atomic():
        section = _locked(Section, slug, if_match)
        staff.rename_section(_user(request), section, data.get("name") or section.name,
                             data.get("slug") or "", data.get("description"))
    return _answer(section)


@router.delete("/sections/{slug}/", auth=ADMIN, tags=TAGS,
               response={204: None, **WRITE_ERRORS},
               summary="Delete an empty section (admins); 409 while it holds articles")
def delete_section(request, slug: str, if_match: str | None = IfMatch):
    with transaction.atomic():
        taxonomy.delete_section(_user(request), _locked(Section, slug, if_match))
    return _deleted()


@router.patch("/tags/{slug}/", auth=ADMIN, tags=TAGS, response={200: TagAdmin, **WRITE_ERRORS},
              summary="Rename a tag or change its URL name (editors)")
def update_tag(request, slug: str, payload: TagPatch, if_match: str | None = IfMatch):
    data = payload.dict(exclude_unset=True)
    with transaction.atomic():
        tag = _locked(Tag, slug, if_match)
        taxonomy.rename_tag(_user(request), tag, data.get("name"), data.get("slug"))
    return _answer(tag)


@router.delete("/tags/{slug}/", auth=ADMIN, tags=TAGS, response={204: None, **WRITE_ERRORS},
               summary="Delete a tag, taking it off its articles (admins)")
def delete_tag(request, slug: str, if_match: str | None = IfMatch):
    with transaction.atomic():
        taxonomy.delete_tag(_user(request), _locked(Tag, slug, if_match))
    return _deleted()


@router.post("/authors/", auth=ADMIN, tags=TAGS, response={201: AuthorAdmin, **WRITE_ERRORS},
             summary="Create an author (a byline without an account; admins)")
def create_author(request, payload: AuthorIn):
    author = taxonomy.create_author(_user(request), payload.name, payload.slug, payload.bio)
    return _answer(author, 201)


@router.patch("/authors/{slug}/", auth=ADMIN, tags=TAGS,
              response={200: AuthorAdmin, **WRITE_ERRORS},
              summary="Change an author's name, URL name or biography (admins)")
def update_author(request, slug: str, payload: AuthorPatch, if_match: str | None = IfMatch):
    data = payload.dict(exclude_unset=True)
    with transaction.atomic():
        author = _locked(Author, slug, if_match)
        taxonomy.update_author(_user(request), author, data.get("name"), data.get("slug"),
                               data.get("bio"))
    return _answer(author)
