"""/api/v1/ Content API: allow-listed, described by its generated OpenAPI document, cached."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
from django.urls import URLPattern
from django.utils import timezone

from masthead.api.schema import openapi

from .conftest import SECRET_EMAIL

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def get(client, path, **params):
    response = client.get(BASE + path, params)
    return response, json.loads(response.content)


def check(body, schema_or_ref) -> None:
    """Validate against a schema of the OpenAPI document, its components resolvable."""
    spec = openapi()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "components": spec["components"], **schema_or_ref}
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)


def ok_schema(path: str) -> dict:
    return openapi()["paths"][path]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]


PROBLEM = {"$ref": "#/components/schemas/Problem"}


def content_paths() -> list[str]:
    """The Content API: every GET whose key is optional (the Admin API needs a key)."""
    return [p for p, item in openapi()["paths"].items()
            if "get" in item and {} in item["get"].get("security", [{}])]


def test_every_route_in_the_schema_answers_with_exactly_the_described_fields(client, site):
    for path in content_paths():
        concrete = path.replace("{id}", str(site["world"].pk))
        params = {"q": "dockworkers"} if path == "/search/" else {}
        response, body = get(client, concrete, **params)
        assert response.status_code == 200, path
        check(body, ok_schema(path))


def test_every_api_url_is_described_in_the_schema():
    from masthead.api.api import api

    patterns = api.urls[0]
    routes = {"/" + str(p.pattern).replace("<int:id>", "{id}").replace("<slug>", "{slug}")
              for p in patterns
              if isinstance(p, URLPattern) and p.name != "api-root"}  # root: a 404
    assert routes == set(openapi()["paths"])
    assert set(content_paths()) == {"/articles/", "/articles/{id}/", "/sections/", "/tags/",
                                    "/authors/", "/search/", "/newsletters/", "/openapi.json"}


def test_the_schema_is_openapi_3_1_with_valid_json_schemas(client):
    response, spec = get(client, "/openapi.json")
    assert spec["openapi"] == "3.1.0"
    assert response["Cache-Control"] == "public, max-age=3600"
    for schema in spec["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_schema_rejects_a_field_it_does_not_describe(client, site):
    _, body = get(client, f"/articles/{site['world'].pk}/")
    body["author_email"] = SECRET_EMAIL
    with pytest.raises(jsonschema.ValidationError):
        check(body, ok_schema("/articles/{id}/"))


def test_lists_show_only_published_stories_newest_first(client, site):
    _, body = get(client, "/articles/")
    assert [a["headline"] for a in body["results"]] == [site["science"].headline,
                                                        site["world"].headline]
    _, pages = get(client, "/articles/", type="page")
    assert [a["headline"] for a in pages["results"]] == ["About us"]


@pytest.mark.parametrize("which", ["draft", "scheduled"])
def test_unpublished_articles_are_not_found_by_id(client, site, which):
    response, body = get(client, f"/articles/{site[which].pk}/")
    assert response.status_code == 404
    check(body, PROBLEM)


def test_lists_filter_by_section_tag_and_author(client, site):
    for params, expected in [({"section": "world"}, site["world"]),
                             ({"tag": "space"}, site["science"]),
                             ({"author": "ingrid-solberg"}, site["world"])]:
        _, body = get(client, "/articles/", **params)
        assert [a["id"] for a in body["results"]] == [expected.pk], params


def test_a_tag_or_author_list_pages_through_exactly_their_visible_stories(client, site,
                                                                         make_article):
    """Read from the link tables' listing index, a tag's or an author's list holds what the
    articles table says is visible: stories only, never a draft, a scheduled story or a page,
    newest first, ties by id, every page of it and the total."""
    from masthead.articles.models import Article

    now = timezone.now()
    same_time = now - dt.timedelta(hours=1)
    for n in range(5):
        make_article(f"Port story {n}", tags=("Ports",), authors=("Ingrid Solberg",),
                     published_at=same_time if n < 2 else now - dt.timedelta(hours=n))
    make_article("Port draft", status="draft", tags=("Ports",), authors=("Ingrid Solberg",))
    make_article("Port tomorrow", status="scheduled", tags=("Ports",),
                 authors=("Ingrid Solberg",), published_at=now + dt.timedelta(days=1))
    make_article("Port page", kind="page", section=None, tags=("Ports",),
                 authors=("Ingrid Solberg",))
    for params, lookup in (({"tag": "ports"}, {"tags__slug": "ports"}),
                           ({"author": "ingrid-solberg"},
                            {"bylines__author__slug": "ingrid-solberg"})):
        expected = list(Article.objects.published().stories().filter(**lookup)
                        .order_by("-published_at", "-id").values_list("pk", flat=True))
        assert len(expected) == 6
        seen, page = [], 1
        while True:
            _, body = get(client, "/articles/", per_page=4, page=page, **params)
            assert body["pagination"]["total"] == len(expected)
            seen += [a["id"] for a in body["results"]]
            if not body["pagination"]["next"]:
                break
            page += 1
        assert seen == expected, params
    _, body = get(client, "/articles/", tag="no-such-tag")
    assert body["results"] == [] and body["pagination"]["total"] == 0


def test_pages_link_to_each_other_with_absolute_urls(client, site, settings):
    _, first = get(client, "/articles/", per_page=1, section="")
    assert first["pagination"] == {
        "page": 1, "per_page": 1, "pages": 2, "total": 2, "previous": None,
        "next": f"{settings.SITE_URL}/api/v1/articles/?per_page=1&section=&page=2"}
    _, second = get(client, "/articles/", per_page=1, page=2)
    assert second["results"][0]["id"] == site["world"].pk


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "101"},
                                    {"page": "9"}, {"type": "draft"}])
def test_bad_parameters_get_a_described_400_that_is_not_cached(client, site, params):
    response, body = get(client, "/articles/", **params)
    assert response.status_code == 400
    check(body, PROBLEM)
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Type"] == "application/problem+json"


def test_content_answers_are_public_for_a_minute(client, site):
    for path in ["/articles/", f"/articles/{site['world'].pk}/", "/sections/", "/tags/",
                 "/authors/"]:
        assert client.get(BASE + path)["Cache-Control"] == "public, max-age=60", path


def test_search_returns_ranked_marked_results_and_suggestions(client, site):
    response, body = get(client, "/search/", q="dockworkers")
    assert response.status_code == 200
    assert [r["article"]["id"] for r in body["results"]] == [site["world"].pk]
    assert "<mark>dockworkers</mark>" in body["results"][0]["snippet_html"]
    _, misspelt = get(client, "/search/", q="dockworkres")
    assert misspelt["results"] == [] and misspelt["suggestion"] == "dockworkers"
    response, error = get(client, "/search/", q="-")
    assert response.status_code == 400 and error["code"] == "no_terms"


def test_no_answer_contains_an_email_address(client, site):
    paths = [f"{p.replace('{id}', str(site['world'].pk))}" for p in content_paths()]
    for path in paths:
        text = client.get(BASE + path, {"q": "ships"}).content.decode()
        # `email_newsletters` (the Admin API's newsletter choice, in the description) holds
        # newsletter slugs, not an address.
        assert SECRET_EMAIL not in text and not re.search(r'"email(?!_newsletters")', text), path


def test_an_article_list_costs_a_fixed_number_of_queries(
        client, site, make_article, django_assert_num_queries):
    # count, the page's ids, their rows, bylines, tags; for a tag's or an author's list, the
    # tag or author first, then the count and the ids from the link table's listing index.
    costs = {"/articles/": 5, "/articles/?tag=ports": 6, "/articles/?author=ingrid-solberg": 6}
    for path, queries in costs.items():
        with django_assert_num_queries(queries):
            client.get(BASE + path)
    for n in range(5):
        make_article(f"Story {n}", tags=(f"t{n}", "ports"), authors=(f"A {n}", "Ingrid Solberg"))
    for path, queries in costs.items():
        with django_assert_num_queries(queries):
            client.get(BASE + path)


def test_unknown_api_paths_answer_json_404(client):
    response, body = get(client, "/nothing/here/")
    assert response.status_code == 404
    check(body, PROBLEM)


def test_no_search_parameters_give_a_server_error(client, site):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None)
    @given(q=st.text(max_size=520), tag=st.text(max_size=12), per_page=st.text(max_size=4))
    def check(q, tag, per_page):
        response = client.get(BASE + "/search/", {"q": q, "tag": tag, "per_page": per_page})
        assert response.status_code in (200, 400)
        body = json.loads(response.content)
        check_shape = ok_schema("/search/") if response.status_code == 200 else PROBLEM
        jsonschema.validate(body, {"components": openapi()["components"], **check_shape})

    check()
