"""Serve stored media files (MEDIA_URL) from the app server, like WhiteNoise does for static.

Only files the upload service writes are served: image extensions under `images/`. Their
names carry a random part and never change content, so they are cached for a year.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

SERVED_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                ".webp": "image/webp", ".gif": "image/gif"}
ONE_YEAR = 365 * 24 * 3600


@require_safe
def serve(request, path: str):
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    suffix = target.suffix.lower()
    if (
        not target.is_relative_to(root / "images")
        or suffix not in SERVED_TYPES
        or not target.is_file()
    ):
        raise Http404("No such file")
    kind = SERVED_TYPES[suffix]
    response = FileResponse(target.open("rb"), content_type=kind)
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    # An image is never a document: no scripts, no framing, even if opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
