"""The OpenAPI 3.1 description of /api/v1/, written by hand and served at `openapi.json`.

Objects are closed (`additionalProperties: false`), so the schema is also the allow-list: the
tests validate every answer against it, and a field the serialisers start returning without
being described here fails them.
"""

from __future__ import annotations

from django.conf import settings


def _obj(properties: dict, nullable: bool = False) -> dict:
    schema = {"type": ["object", "null"] if nullable else "object", "properties": properties,
              "required": sorted(properties), "additionalProperties": False}
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STR = {"type": "string"}
URL = {"type": "string", "format": "uri"}
TIME = {"type": ["string", "null"], "format": "date-time"}
INT = {"type": "integer", "minimum": 0}
NULLABLE_INT = {"type": ["integer", "null"], "minimum": 0}
NULLABLE_URL = {"type": ["string", "null"], "format": "uri"}


def _schemas() -> dict:
    ref = {"slug": STR, "name": STR, "url": URL}
    summary = {
        "id": {"type": "integer"},
        "type": {"enum": ["article", "page"]},
        "url": URL, "slug": STR, "headline": STR, "standfirst": STR,
        "published_at": TIME, "updated_at": TIME,
        "section": {"oneOf": [_ref("SectionRef"), {"type": "null"}]},
        "tags": {"type": "array", "items": _ref("Tag")},
        "authors": {"type": "array", "items": _ref("AuthorRef")},
        "word_count": INT, "reading_minutes": INT,
        "image": {"oneOf": [_ref("Image"), {"type": "null"}]},
    }
    return {
        "SectionRef": _obj(ref),
        "Section": _obj({**ref, "description": STR}),
        "Tag": _obj(ref),
        "AuthorRef": _obj(ref),
        "Author": _obj({**ref, "bio": STR}),
        "Image": _obj({"url": URL, "alt": STR, "caption": STR, "credit": STR,
                       "width": NULLABLE_INT, "height": NULLABLE_INT}),
        "ArticleSummary": _obj(summary),
        "Article": _obj({**summary, "body_html": {"type": "string",
                                                  "description": "sanitised HTML"}}),
        "Pagination": _obj({"page": {"type": "integer", "minimum": 1},
                            "per_page": {"type": "integer", "minimum": 1},
                            "pages": {"type": "integer", "minimum": 1}, "total": INT,
                            "next": NULLABLE_URL, "previous": NULLABLE_URL}),
        "SearchPagination": _obj({"page": {"type": "integer", "minimum": 1},
                                  "per_page": {"type": "integer", "minimum": 1},
                                  "pages": {"type": "integer", "minimum": 1}, "total": INT,
                                  "total_is_lower_bound": {"type": "boolean"},
                                  "next": NULLABLE_URL, "previous": NULLABLE_URL}),
        "SearchResult": _obj({
            "article": _ref("ArticleSummary"),
            "score": {"type": "number", "description": "higher is better; engine-specific"},
            "headline_html": {"type": ["string", "null"],
                              "description": "escaped headline, matches in <mark>"},
            "snippet_html": {"type": ["string", "null"],
                             "description": "escaped excerpt, matches in <mark>"},
        }),
        "Newsletter": _obj({"slug": STR, "name": STR, "description": STR,
                            "kind": {"enum": ["manual", "digest", "sections"]},
                            "cadence": {"enum": ["daily", "weekly", None]},
                            "archive_url": NULLABLE_URL, "subscribe_url": URL}),
        "Error": _obj({"error": _obj({"code": STR, "message": STR})}),
    }


def _list_of(name: str, paginated: bool = True) -> dict:
    properties = {"results": {"type": "array", "items": _ref(name)}}
    if paginated:
        properties["pagination"] = _ref("Pagination")
    return _obj(properties)


def _param(name: str, description: str, schema: dict | None = None, where: str = "query",
           required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path",
            "description": description, "schema": schema or STR}


PAGE = _param("page", "page number, from 1", {"type": "integer", "minimum": 1})
PER_PAGE = _param("per_page", "results per page (1-100)",
                  {"type": "integer", "minimum": 1, "maximum": 100})
FILTERS = [_param("section", "section slug"), _param("tag", "tag slug"),
           _param("author", "author slug")]


def _get(summary: str, body: dict, parameters=(), errors=(400,)) -> dict:
    responses = {"200": {"description": "OK",
                         "content": {"application/json": {"schema": body}}}}
    for status in errors:
        responses[str(status)] = {"description": "Error",
                                  "content": {"application/json": {"schema": _ref("Error")}}}
    return {"get": {"summary": summary, "parameters": list(parameters), "responses": responses}}


def openapi() -> dict:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": f"{settings.SITE_NAME} API", "version": "1",
                 "description": "Read-only access to published articles. Only what readers "
                                "can already see on the site is available."},
        "servers": [{"url": settings.SITE_URL + "/api/v1"}],
        "paths": {
            "/articles/": _get(
                "Published articles, newest first", _list_of("ArticleSummary"),
                [PAGE, PER_PAGE, *FILTERS,
                 _param("type", "article (default) or page", {"enum": ["article", "page"]})]),
            "/articles/{id}/": _get(
                "One published article with its body", _ref("Article"),
                [_param("id", "article id", {"type": "integer"}, where="path")], errors=(404,)),
            "/sections/": _get("Every section", _list_of("Section", paginated=False),
                               errors=()),
            "/tags/": _get("Tags, by name", _list_of("Tag"), [PAGE, PER_PAGE]),
            "/authors/": _get("Authors, by name", _list_of("Author"), [PAGE, PER_PAGE]),
            "/search/": _get(
                "Full-text search, best match first",
                _obj({"query": STR, "results": {"type": "array", "items": _ref("SearchResult")},
                      "suggestion": {"type": ["string", "null"],
                                     "description": "a spelling to try when nothing matched"},
                      "pagination": _ref("SearchPagination")}),
                [_param("q", 'words, "phrases" and -exclusions', required=True), PAGE,
                 _param("per_page", "results per page (1-50)",
                        {"type": "integer", "minimum": 1, "maximum": 50}), *FILTERS,
                 _param("from", "published on or after (YYYY-MM-DD)", {"format": "date",
                                                                       "type": "string"}),
                 _param("to", "published on or before (YYYY-MM-DD)", {"format": "date",
                                                                     "type": "string"})]),
            "/newsletters/": _get("The newsletters readers can subscribe to (sign-up is the "
                                  "form at /newsletters/)",
                                  _list_of("Newsletter", paginated=False), errors=()),
            "/openapi.json": _get("This description", {"type": "object"}, errors=()),
        },
        "components": {"schemas": _schemas()},
    }
