"""Serve stored media files (MEDIA_URL) from the app server, whatever the storage backend.

Only files the upload service writes are served: image extensions under `images/`. Their
names carry a random part and never change content, so they are cached for a year. With an
S3 bucket the app streams the object (storage.open_stored): readers and any CDN see the same
URL, validators and headers as from a disk (docs/decisions/0006-media-storage.md says why the
app proxies rather than redirecting to the bucket).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from .storage import CACHE_CONTROL, StorageUnavailable, open_stored

SERVED_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                ".webp": "image/webp", ".gif": "image/gif"}


def _servable(path: str) -> str | None:
    """The content type if `path` names a file the upload service could have written."""
    segments = path.split("/")
    if segments[0] != "images" or len(segments) < 2 or "\\" in path or any(
        s in {"", ".", ".."} for s in segments
    ):
        return None
    name = segments[-1]
    return SERVED_TYPES.get(name[name.rfind("."):].lower()) if "." in name else None


@require_safe
def serve(request, path: str):
    kind = _servable(path)
    if kind is None:
        raise Http404("No such file")
    try:
        stored = open_stored(path)
    except FileNotFoundError:
        raise Http404("No such file") from None
    except StorageUnavailable:
        # Never cached: the file is probably there and the next try may reach the store.
        response = HttpResponse("Media storage is unavailable; try again shortly.\n",
                                status=503, content_type="text/plain")
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(stored.stream, content_type=kind)
    if stored.size is not None:
        response["Content-Length"] = str(stored.size)
    if stored.etag:
        response["ETag"] = stored.etag
    if stored.modified is not None:
        response["Last-Modified"] = http_date(stored.modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    # An image is never a document: no scripts, no framing, even if opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
