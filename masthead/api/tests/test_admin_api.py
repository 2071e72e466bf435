"""The Admin API: keys, the newsroom's policy through the API, versions, idempotency, errors.

Every write goes through the newsroom's services as the integration's account, so the role
table below expects exactly what the newsroom's own table (newsroom/tests/test_permissions.py)
expects of a person with that role; a refused write must leave everything as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from PIL import Image as PILImage

from masthead.articles import services as articles
from masthead.articles.models import Article, Revision, Section, Tag
from masthead.comments.models import Comment
from masthead.integrations.services import revoke_integration
from masthead.media.models import Image
from masthead.newsroom.services import author_for
from masthead.newsroom.staff import create_staff_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
ROLES = ("contributor", "author", "editor", "admin")


def send(client, method, path, body=None, headers=None, raw=None, **extra):
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"content_type": "application/json"} if data is not None else {}
    if data is not None:
        kwargs["data"] = data
    response = getattr(client, method)(BASE + path, **kwargs, **(headers or {}), **extra)
    content = response.content
    return response, (json.loads(content) if content else None)


def png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (900, 500), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


def _someone_elses(status="draft") -> Article:
    user, _ = create_staff_user(f"reporter{Article.objects.count()}", "author",
                                password="another long password 1")
    article = Article(headline="Someone else's story", body="Their words.")
    articles.save_article(article, user=user, authors=[author_for(user)], note="created")
    if status == "published":
        articles.publish_article(article, user=user)
    return article


def _own(client, admin_headers, **fields) -> dict:
    response, body = send(client, "post", "/articles/",
                          {"title": "Our story", "body": "Filed by a machine.", **fields},
                          admin_headers)
    assert response.status_code == 201, body
    return body


def test_create_answers_201_with_version_and_a_revision_naming_the_integration(
        client, integration):
    issued, _, admin = integration("author", name="Wire desk")
    response, body = send(client, "post", "/articles/",
                          {"title": "Harbour reopens", "body": "Ships move.", "tags": ["Ports"],
                           "id": "wire-1"}, admin)
    assert response.status_code == 201
    assert response["ETag"] == body["version"] and response["Location"].endswith("/source/")
    assert response["Cache-Control"].startswith("private")
    article = Article.objects.get(pk=body["id"])
    assert (article.status, article.external_key, body["tags"]) == ("draft", "wire-1", ["Ports"])
    revision = Revision.objects.get(article=article)
    assert revision.created_by.integration.name == "Wire desk"
    assert "Wire desk" in revision.note
    assert body["authors"] == [article.bylines.get().author.slug]
    assert article.bylines.get().author.name == "Wire desk"


def _comment(make_article) -> Comment:
    article = make_article("Commented story")
    return Comment.objects.create(article=article, author_name="Reader", body="Nice.",
                                  created_at=timezone.now())


# action → (call(client, headers, fixtures), {role: expected status})
TABLE = {
    "create a draft": (lambda c, h, f: send(c, "post", "/articles/",
                                            {"title": "T", "body": "B"}, h),
                       dict(contributor=201, author=201, editor=201, admin=201)),
    "create published": (lambda c, h, f: send(c, "post", "/articles/",
                                              {"title": "T", "body": "B",
                                               "status": "published"}, h),
                         dict(contributor=403, author=201, editor=201, admin=201)),
    "publish own draft": (lambda c, h, f: send(c, "post", f"/articles/{_own(c, h)['id']}/publish/",
                                               None, h),
                          dict(contributor=403, author=200, editor=200, admin=200)),
    "schedule own draft": (
        lambda c, h, f: send(c, "post", f"/articles/{_own(c, h)['id']}/schedule/",
                             {"at": (timezone.now() + dt.timedelta(hours=2)).isoformat()}, h),
        dict(contributor=403, author=200, editor=200, admin=200)),
    "submit own draft": (lambda c, h, f: send(c, "post", f"/articles/{_own(c, h)['id']}/submit/",
                                              None, h),
                         dict(contributor=200, author=200, editor=200, admin=200)),
    "read another's draft": (lambda c, h, f: send(c, "get", f"/articles/{f['other'].pk}/source/",
                                                  None, h),
                             dict(contributor=404, author=404, editor=200, admin=200)),
    "edit another's draft": (
        lambda c, h, f: send(c, "patch", f"/articles/{f['other'].pk}/", {"title": "Changed"},
                             {**h, "HTTP_IF_MATCH": "*"}),
        dict(contributor=404, author=404, editor=200, admin=200)),
    "publish another's draft": (
        lambda c, h, f: send(c, "post", f"/articles/{f['other'].pk}/publish/", None, h),
        dict(contributor=404, author=404, editor=200, admin=200)),
    "unpublish another's article": (
        lambda c, h, f: send(c, "post", f"/articles/{f['live'].pk}/unpublish/", None, h),
        dict(contributor=404, author=404, editor=200, admin=200)),
    "delete another's article": (
        lambda c, h, f: send(c, "delete", f"/articles/{f['live'].pk}/", None,
                             {**h, "HTTP_IF_MATCH": "*"}),
        dict(contributor=404, author=404, editor=204, admin=204)),
    "delete own draft": (lambda c, h, f: send(c, "delete", f"/articles/{_own(c, h)['id']}/",
                                              None, {**h, "HTTP_IF_MATCH": "*"}),
                         dict(contributor=403, author=403, editor=204, admin=204)),
    "feature an article": (lambda c, h, f: send(c, "post", "/articles/",
                                                {"title": "T", "body": "B", "type": "page"}, h),
                           dict(contributor=403, author=403, editor=201, admin=201)),
    "upload an image": (lambda c, h, f: (lambda r: (r, json.loads(r.content)))(c.post(
        BASE + "/media/", {"file": io.BytesIO(png()), "alt": "A ship", "caption": "At dawn"},
        **h)), dict(contributor=201, author=201, editor=201, admin=201)),
    "create a tag": (lambda c, h, f: send(c, "post", "/tags/", {"name": "Fresh tag"}, h),
                     dict(contributor=403, author=403, editor=201, admin=201)),
    "create a section": (lambda c, h, f: send(c, "post", "/sections/", {"name": "Opinion"}, h),
                         dict(contributor=403, author=403, editor=403, admin=201)),
    "list comments": (lambda c, h, f: send(c, "get", "/comments/?status=pending", None, h),
                      dict(contributor=403, author=403, editor=200, admin=200)),
    "approve a comment": (lambda c, h, f: send(c, "post", f"/comments/{f['comment'].pk}/approve/",
                                               None, h),
                          dict(contributor=403, author=403, editor=200, admin=200)),
    "reply to a comment": (lambda c, h, f: send(c, "post", f"/comments/{f['comment'].pk}/reply/",
                                                {"body": "Thanks!"}, h),
                           dict(contributor=403, author=403, editor=201, admin=201)),
}


def _state():
    return (sorted(Article.objects.values_list("pk", "headline", "status")),
            Tag.objects.count(), Section.objects.count(), Image.objects.count(),
            sorted(Comment.objects.values_list("pk", "status")))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TABLE))
def test_each_role_may_do_through_the_api_exactly_what_the_newsroom_allows(
        client, integration, make_article, django_capture_on_commit_callbacks, role, action):
    call, expected = TABLE[action]
    with django_capture_on_commit_callbacks(execute=True):
        fixtures = {"other": _someone_elses(), "live": _someone_elses("published"),
                    "comment": _comment(make_article)}
    _, _, admin = integration(role)
    before = _state()
    with django_capture_on_commit_callbacks(execute=True):
        response, body = call(client, admin, fixtures)
    assert response.status_code == expected[role], (action, role, body)
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert body["status"] == response.status_code
        after = _state()
        if action.startswith(("publish own", "schedule own", "delete own")):
            after[0].pop()  # the draft the test itself filed first
            before_articles = before[0]
            assert [a for a in after[0] if a in before_articles] == before_articles
        else:
            assert after == before, (action, role)


def test_a_stale_version_gets_412_and_overwrites_nothing(client, integration):
    _, _, admin = integration("editor")
    created = _own(client, admin)
    path = f"/articles/{created['id']}/"
    ok, first = send(client, "patch", path, {"title": "First change"},
                     {**admin, "HTTP_IF_MATCH": created["version"]})
    assert ok.status_code == 200 and first["version"] != created["version"]
    stale, problem = send(client, "patch", path, {"title": "Second change"},
                          {**admin, "HTTP_IF_MATCH": created["version"]})
    assert stale.status_code == 412 and problem["code"] == "precondition_failed"
    assert Article.objects.get(pk=created["id"]).headline == "First change"
    missing, problem = send(client, "patch", path, {"title": "Third"}, admin)
    assert missing.status_code == 428


def test_a_retried_create_with_one_idempotency_key_makes_one_article(client, integration):
    _, _, admin = integration("author")
    headers = {**admin, "HTTP_IDEMPOTENCY_KEY": "file-7f3a"}
    answers = [send(client, "post", "/articles/", {"title": "Once", "body": "Only once."},
                    headers) for _ in range(3)]
    assert {r.status_code for r, _ in answers} == {201}
    assert len({b["id"] for _, b in answers}) == 1
    assert answers[1][0]["Idempotent-Replayed"] == "true"
    assert Article.objects.filter(headline="Once").count() == 1
    other, problem = send(client, "post", "/articles/", {"title": "Different", "body": "x"},
                          headers)
    assert other.status_code == 422 and Article.objects.count() == 1


@pytest.mark.parametrize("raw, status, code", [
    ("{not json", 400, "bad_request"),
    (json.dumps({"title": 5, "body": ["x"]}), 400, "invalid"),
    (json.dumps({"title": "T", "body": "B", "colour": "red"}), 400, "invalid"),
    (json.dumps({"body": "no title"}), 400, "invalid"),
    (json.dumps({"title": "T", "body": "B", "status": "scheduled",
                 "published_at": "next tuesday"}), 422, "bad_date"),
    (json.dumps({"title": "T", "body": "B", "status": "scheduled",
                 "published_at": "2020-01-01T10:00:00+00:00"}), 422, "bad_date"),
    (json.dumps({"title": "T", "body": "B", "status": "scheduled"}), 422, "bad_date"),
    (json.dumps({"title": "T", "body": "B", "status": "draft",
                 "published_at": "2020-01-01T10:00:00Z"}), 422, "bad_date"),
    (json.dumps({"title": "T", "body": "B", "status": "published",
                 "published_at": "1066-10-14T09:00:00Z"}), 422, "bad_date"),
    (json.dumps({"title": "T", "body": "B", "status": "published",
                 "published_at": "2026-02-30T09:00:00Z"}), 422, "bad_date"),
    (json.dumps({"title": "T", "body": "B", "section": "nowhere"}), 400, "refused"),
    (json.dumps({"title": "T", "body": "x" * (1024 * 1024)}), 413, "too_large"),
])
def test_bad_input_gets_a_problem_and_stores_nothing(client, integration, raw, status, code):
    _, _, admin = integration("editor")
    response, body = send(client, "post", "/articles/", raw=raw, headers=admin)
    assert (response.status_code, body["code"]) == (status, code), body
    assert response["Content-Type"] == "application/problem+json"
    assert set(body) >= {"type", "title", "status", "detail"}
    assert Article.objects.count() == 0


def test_wrong_revoked_and_content_keys_cannot_write(client, integration):
    issued, content, admin = integration("editor")
    payload = {"title": "T", "body": "B"}
    assert send(client, "post", "/articles/", payload)[0].status_code == 401
    assert send(client, "post", "/articles/", payload,
                {"HTTP_AUTHORIZATION": "Bearer mha_wrong"})[0].status_code == 401
    response, body = send(client, "post", "/articles/", payload, content)
    assert response.status_code == 403 and body["code"] == "forbidden"
    revoke_integration(issued.integration)
    response, body = send(client, "post", "/articles/", payload, admin)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert send(client, "get", "/articles/", None, content)[0].status_code == 401
    assert Article.objects.count() == 0


def test_keys_are_stored_hashed_and_their_last_use_recorded(client, integration):
    issued, content, _ = integration("editor")
    keys = {k.kind: k for k in issued.integration.keys.all()}
    assert issued.content_key not in {k.digest for k in keys.values()}
    assert keys["content"].last_used_at is None
    send(client, "get", "/sections/", None, content)
    keys["content"].refresh_from_db()
    assert keys["content"].last_used_at is not None


def test_rate_limits_are_per_key_with_retry_after(client, integration, settings):
    settings.MASTHEAD_API_RATE_CONTENT = 3
    _, content, _ = integration("editor")
    _, other, _ = integration("editor")
    codes = [send(client, "get", "/sections/", None, content)[0] for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert 1 <= int(codes[-1]["Retry-After"]) <= 60
    assert send(client, "get", "/sections/", None, other)[0].status_code == 200


def test_cors_on_content_answers_only(client, integration, make_article):
    _, content, admin = integration("editor")
    assert client.get(BASE + "/articles/", **content)["Access-Control-Allow-Origin"] == "*"
    assert client.get(BASE + "/articles/")["Access-Control-Allow-Origin"] == "*"
    created = _own(client, admin)
    answer = client.get(BASE + f"/articles/{created['id']}/source/", **admin)
    assert answer.status_code == 200 and not answer.has_header("Access-Control-Allow-Origin")
    refused = client.get(BASE + f"/articles/{created['id']}/source/")
    assert refused.status_code == 401 and not refused.has_header("Access-Control-Allow-Origin")
    head = client.head(BASE + "/sections/")
    assert head.status_code == 200 and head.content == b""
    assert head["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(BASE + "/articles/", HTTP_ORIGIN="https://elsewhere.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD"


def test_an_uploaded_image_becomes_the_lead_image_and_bad_files_are_refused(
        client, integration):
    _, _, admin = integration("author")
    bad = client.post(BASE + "/media/", {"file": io.BytesIO(b"not an image"), "alt": "a",
                                         "caption": "c"}, **admin)
    assert bad.status_code == 400 and Image.objects.count() == 0
    good = json.loads(client.post(BASE + "/media/", {"file": io.BytesIO(png()), "alt": "Ship",
                                                     "caption": "Dawn"}, **admin).content)
    refused, _ = send(client, "post", "/articles/", {"title": "T", "body": "B",
                                                      "lead_image": good["id"]}, admin)
    assert refused.status_code == 400
    created = _own(client, admin, lead_image=good["id"], lead_image_alt="Ship",
                   lead_image_caption="Dawn")
    assert Article.objects.get(pk=created["id"]).lead_image_id == good["id"]


def test_the_description_covers_every_operation_with_problems_and_both_schemes(client):
    spec = json.loads(client.get(BASE + "/openapi.json").content)
    assert spec["openapi"].startswith("3.1")
    assert set(spec["components"]["securitySchemes"]) == {"ContentAuth", "AdminAuth"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path == "/openapi.json":
                continue
            errors = [s for s in operation["responses"] if s.startswith("4")]
            assert errors, (method, path)
            for status in errors:
                assert "application/problem+json" in operation["responses"][status]["content"]


def test_keyed_requests_are_never_answered_from_the_page_cache_before_the_key_is_checked():
    """Keyed Content API reads are candidates, served only after `authoriser()` (the key
    check: test_fastpath.py; over HTTP: tests/e2e/test_api_cache_live.py); elsewhere a key
    keeps a request away from the cache, and nginx hands every keyed request to the app."""
    from masthead.api.fastpath import authorise
    from masthead.pagecache.nginx import site_config
    from masthead.pagecache.policy import authoriser, cache_path

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/articles/"}
    keyed = {**environ, "HTTP_AUTHORIZATION": "Bearer mhc_revoked"}
    assert cache_path(environ) == cache_path(keyed) == "/api/v1/articles/"
    assert authoriser() is authorise and not authoriser()(keyed)
    assert cache_path({**keyed, "PATH_INFO": "/"}) is None
    assert '"GET:1:1" pages;' in site_config(data_dir="/srv/masthead")
