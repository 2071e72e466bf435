"""Masthead's URLs plus a few test-only views for the storing rules (cookies, Vary, privacy)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from masthead.core import surrogate
from masthead.core.http import private, public


def _keyed(request, body="keyed page"):
    surrogate.add(request, "test:keyed")
    return public(HttpResponse(body))


def with_csrf_token(request):
    # What `{% csrf_token %}` in a reader template does: a per-reader cookie and Vary: Cookie.
    template = engines["django"].from_string("<form>{% csrf_token %}</form>")
    surrogate.add(request, "test:keyed")
    return public(HttpResponse(template.render({}, request)))


def sets_cookie(request):
    response = _keyed(request)
    response.set_cookie("flavour", "oat")
    return response


def private_page(request):
    surrogate.add(request, "test:keyed")
    return private(HttpResponse("mine"))


def without_keys(request):
    return public(HttpResponse("no keys"))


def varies_on_language(request):
    response = _keyed(request)
    response["Vary"] = "Accept-Language"
    return response


urlpatterns = [
    path("t/keyed/", _keyed),
    path("t/csrf/", with_csrf_token),
    path("t/cookie/", sets_cookie),
    path("t/private/", private_page),
    path("t/nokeys/", without_keys),
    path("t/vary/", varies_on_language),
    path("", include("masthead.urls")),
]
