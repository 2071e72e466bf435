"""The media library: every uploaded image, an upload form, "use as lead image", delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from masthead.core.text import is_row_id
from masthead.media import services as media
from masthead.media.forms import ImageUploadForm
from masthead.media.models import Image

from .common import article_or_404, newsroom_view

PER_PAGE = 48


def _can_upload(user) -> bool:
    return user.has_perm("media.add_image")


@newsroom_view(allowed=lambda user: user.has_perm("media.view_image"))
def library(request):
    pick = request.GET.get("pick", "")
    if is_row_id(pick):
        article_or_404(request.user, int(pick))  # picking for someone else's draft: 404
        pick_url = reverse("newsroom:article_edit", args=[int(pick)])
    elif pick == "new":
        pick_url = reverse("newsroom:article_new")
    else:
        pick, pick_url = "", ""
    status = 200
    if request.method == "POST" and _can_upload(request.user):
        form = ImageUploadForm(request.POST, request.FILES)
        if form.is_valid():
            image = form.save(request.user)
            messages.success(request, "Image added to the library.")
            if pick_url:
                return redirect(f"{pick_url}?lead_image={image.pk}")
            return redirect(request.get_full_path())
        status = 400
    elif request.method == "POST":
        raise PermissionDenied("You may not upload images.")
    else:
        form = ImageUploadForm() if _can_upload(request.user) else None
    images = Image.objects.select_related("uploaded_by")
    query = request.GET.get("q", "").strip()
    if query:
        images = images.filter(alt__icontains=query) | images.filter(caption__icontains=query)
    page = Paginator(images.order_by("-created_at", "-id"), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "newsroom/library.html", {
        "page": page, "form": form, "pick": pick, "pick_url": pick_url, "query": query,
    }, status=status)


@require_POST
@newsroom_view(allowed=lambda user: user.has_perm("media.delete_image"))
def image_delete(request, pk: int):
    image = get_object_or_404(Image, pk=pk)
    try:
        media.delete_image(image)
    except media.ImageInUse as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Image deleted, with all its sizes.")
    return redirect("newsroom:library")
