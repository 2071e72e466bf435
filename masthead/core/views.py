"""`/healthz`: 200 when the database (and Redis, when configured) answers, 503 otherwise; and
`/favicon.ico`.

Plain text `ok` by default (the contract; what a load balancer's probe matches), JSON with
each check's status and timing for `?format=json` or `Accept: application/json`.
"""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health
from .http import public
from .icons import favicon_ico

# Asked for at the root by browsers, feed readers and crawlers whatever the pages link; the
# icon changes with a release at most, so a day is a fair time to keep it.
FAVICON_MAX_AGE = 86400


@require_safe
def favicon(request):
    return public(HttpResponse(favicon_ico(), content_type="image/x-icon"),
                  max_age=FAVICON_MAX_AGE)


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/plain" not in accept


@never_cache
def healthz(request):
    checks = health.run()
    healthy = all(c.ok for c in checks)
    status = 200 if healthy else 503
    if _wants_json(request):
        return JsonResponse({
            "status": "ok" if healthy else "fail",
            "checks": {c.name: {"status": "ok" if c.ok else "fail", **c.extra,
                                **({"error": c.detail} if c.detail else {})} for c in checks},
        }, status=status)
    if healthy:
        return HttpResponse("ok", content_type="text/plain")
    text = "\n".join(f"{c.name} unavailable" for c in checks if not c.ok)
    return HttpResponse(text, status=status, content_type="text/plain")
