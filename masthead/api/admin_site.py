"""The Admin API beyond articles: media uploads, sections and tags, comment moderation.

Each view hands the request to the same code the newsroom uses: the media library's upload
form (its validation and re-encoding), `newsroom.staff.create_section`, and
`comments.moderation` (`moderate`, `reply_as_staff`), all as the integration's account.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from ninja import File, Form, Query, UploadedFile

from masthead.articles import services as articles
from masthead.articles.models import Tag
from masthead.comments import moderation
from masthead.comments.models import Comment
from masthead.core.http import private
from masthead.media.forms import ImageUploadForm
from masthead.newsroom import staff

from . import content, serializers
from .admin_schemas import CommentList, CommentOut, ImageOut, ReplyIn, SectionIn, TagIn
from .auth import AdminAuth
from .problems import Problem, problem
from .schemas import Section
from .schemas import Tag as TagOut

# One router with the Content API: ninja routes a path to one router, and reads and writes
# share paths (/articles/). Each operation names its own auth.
router = content.router
ADMIN = AdminAuth()
TAGS = ["Admin: media, taxonomy, comments"]


def _op(method: str):
    def declare(path: str, **kwargs):
        return getattr(router, method)(path, auth=ADMIN, tags=TAGS, **kwargs)
    return declare


get, post, patch, delete = _op("get"), _op("post"), _op("patch"), _op("delete")
ERRORS = {400: Problem, 401: Problem, 403: Problem, 413: Problem, 429: Problem}
MAX_COMMENTS = 100


def _json(body, status: int = 200) -> JsonResponse:
    return private(JsonResponse(body, status=status, safe=False,
                                json_dumps_params={"ensure_ascii": False}))


@post("/media/", response={201: ImageOut, **ERRORS},
             summary="Upload an image (JPEG, PNG, WebP, GIF): validated and re-encoded")
def upload_image(request, file: UploadedFile = File(...), alt: str = Form(...),
                 caption: str = Form(...), credit: str = Form("")):
    user = request.auth.integration.user
    if not user.has_perm("media.add_image"):
        raise PermissionDenied("Your key's role may not upload images.")
    form = ImageUploadForm({"alt": alt, "caption": caption, "credit": credit}, {"file": file})
    if not form.is_valid():
        raise ValidationError([f"{name}: {' '.join(errors)}" for name, errors in
                               form.errors.items()])
    image = form.save(user)
    return _json({"id": image.pk, "url": serializers.absolute(image.url), "width": image.width,
                  "height": image.height, "alt": image.alt, "caption": image.caption,
                  "credit": image.credit}, 201)


@post("/sections/", response={201: Section, **ERRORS}, summary="Create a section (admins)")
def create_section(request, payload: SectionIn):
    section = staff.create_section(request.auth.integration.user, payload.name,
                                   payload.description)
    return _json(serializers.section(section), 201)


@post("/tags/", response={201: TagOut, 409: Problem, **ERRORS},
             summary="Create a tag (editors)")
def create_tag(request, payload: TagIn):
    user = request.auth.integration.user
    if not user.has_perm("articles.add_tag"):
        raise PermissionDenied("Your key's role may not create tags.")
    name = payload.name.strip()
    if not name:
        raise ValidationError("A tag name needs a character other than a space.")
    with transaction.atomic():
        if Tag.objects.filter(name__iexact=name).exists():
            return _conflict(f"There is already a tag called {name!r}.")
        tag = articles.get_or_create_tags([name])[0]
    return _json(serializers.tag(tag), 201)


def _conflict(detail: str):
    return problem(409, detail, "conflict")


def _comment(comment: Comment) -> dict:
    return {"id": comment.pk, "article": comment.article_id, "parent": comment.parent_id,
            "author": comment.author_name, "status": comment.status,
            "created_at": comment.created_at.isoformat(), "body": comment.body}


@get("/comments/", response={200: CommentList, **ERRORS},
            summary="Comments for moderators, newest first (at most 100)")
def list_comments(request, status: Comment.Status | None = Query(None),
                  article: int | None = Query(None, ge=1)):
    user = request.auth.integration.user
    if not moderation.can_moderate(user):
        raise PermissionDenied("Your key's role may not moderate comments.")
    comments = Comment.objects.order_by("-created_at", "-id")
    if status:
        comments = comments.filter(status=status)
    if article:
        comments = comments.filter(article_id=article)
    return _json({"results": [_comment(c) for c in comments[:MAX_COMMENTS]]})


def _moderate(request, id: int, action: str):  # noqa: A002
    user = request.auth.integration.user
    if not moderation.can_moderate(user):
        raise PermissionDenied("Your key's role may not moderate comments.")
    if not Comment.objects.filter(pk=id).exists():
        raise Http404("No comment with this id.")
    moderation.moderate([id], action, user=user)
    return _json(_comment(Comment.objects.get(pk=id)))


def _moderation_view(action: str):
    def view(request, id: int):  # noqa: A002
        return _moderate(request, id, action)

    view.__name__ = f"{action}_comment"
    post(f"/comments/{{int:id}}/{action}/",
                response={200: CommentOut, 404: Problem, **ERRORS},
                summary=f"{action.capitalize()} a comment (moderators)")(view)


for _action in ("approve", "spam", "trash"):
    _moderation_view(_action)


@post("/comments/{int:id}/reply/", response={201: CommentOut, 404: Problem, **ERRORS},
             summary="Reply as staff (published at once; approves a held comment)")
def reply_to_comment(request, id: int, payload: ReplyIn):  # noqa: A002
    user = request.auth.integration.user
    if not moderation.can_moderate(user):
        raise PermissionDenied("Your key's role may not moderate comments.")
    parent = Comment.objects.select_related("article").filter(pk=id).first()
    if parent is None:
        raise Http404("No comment with this id.")
    try:
        reply = moderation.reply_as_staff(parent, payload.body, user=user)
    except moderation.ModerationError as exc:
        raise ValidationError(str(exc)) from None
    return _json(_comment(reply), 201)
