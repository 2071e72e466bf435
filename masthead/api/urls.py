"""URLs of `masthead.api` (mounted at /api/v1/): the NinjaAPI's routes, then a problem-details
404 for every other path under /api/v1/."""

from django.urls import path, re_path

from .api import api
from .problems import problem


def not_found(request, rest=""):
    return problem(404, "No such API endpoint; see /api/v1/openapi.json", "not_found")


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
