"""`/healthz`: 200 `ok` when the database answers, 503 otherwise; `/favicon.ico`."""

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .http import public
from .icons import favicon_ico

# Asked for at the root by browsers, feed readers and crawlers whatever the pages link; the
# icon changes with a release at most, so a day is a fair time to keep it.
FAVICON_MAX_AGE = 86400


@require_safe
def favicon(request):
    return public(HttpResponse(favicon_ico(), content_type="image/x-icon"),
                  max_age=FAVICON_MAX_AGE)


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
