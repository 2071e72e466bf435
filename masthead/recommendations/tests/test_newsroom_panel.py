"""The newsroom panel: the related list with its reasons, Pin / Exclude / Unpin for editors,
and publishing through the newsroom keeping the lists fresh.

The panel's POST targets live in `masthead/recommendations/urls.py`; until the root URLconf
mounts them at /newsroom/related/, these tests mount them themselves (`urlpatterns` below).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path
from lxml import html as lxml_html

import masthead.urls as root
from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.newsroom.services import author_for
from masthead.newsroom.staff import create_staff_user
from masthead.newsroom.tests.conftest import editor_post
from masthead.recommendations import services
from masthead.recommendations.models import RelatedArticle, RelatedOverride

from .test_services import story_text

_mounted = any(getattr(p, "namespace", None) == "recommendations" for p in root.urlpatterns)
urlpatterns = root.urlpatterns if _mounted else [
    path("newsroom/related/", include("masthead.recommendations.urls")), *root.urlpatterns,
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)
    return run


def chess_story(make_article, n: int, **fields):
    headline, body = story_text("chess", n)
    return make_article(headline, body=body, section="Sport", **fields)


@pytest.fixture
def chess(make_article, live):
    """Four articles of one story and an unrelated one, lists built."""
    made = [live(chess_story, make_article, n) for n in range(1, 5)]
    made.append(live(make_article, "Lavender honey harvest", section="Sport",
                     body="Apiarists tend hives while bumblebees forage thyme meadows."))
    return made


def login(role: str, name: str) -> Client:
    user, _ = create_staff_user(name, role, password="a long enough test password 42")
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def editor(db):
    return login("editor", "ed")


def shown(article) -> list[int]:
    return [a.pk for a in services.related_for(article).articles]


def panel(client, article):
    page = client.get(f"/newsroom/articles/{article.pk}/")
    assert page.status_code == 200
    found = lxml_html.fromstring(page.content).xpath("//section[@id='related-panel']")
    assert found, "the editor shows the related panel"
    return found[0]


def test_panel_lists_related_articles_with_score_and_shared_terms(editor, chess):
    box = panel(editor, chess[0])
    items = box.xpath(".//ol[@class='related-panel']/li")
    assert [li.xpath("./a/text()")[0] for li in items] == [
        a.headline for a in services.related_for(chess[0]).articles]
    best = RelatedArticle.objects.filter(article=chess[0]).order_by("rank").first()
    text = " ".join(items[0].text_content().split())
    assert f"score {best.score:.3f}" in text
    assert "shared terms: " + ", ".join(best.explanation["terms"]) in text
    # The publication-time evidence the score weighs (recency) is explained too (issue 19).
    days = abs((chess[0].published_at - best.related.published_at).days)
    assert best.explanation["days_apart"] in (days, days + 1)
    assert f"published {best.explanation['days_apart']} day" in text
    assert box.xpath(".//button[text()='Pin']") and box.xpath(".//button[text()='Exclude']")
    assert box.xpath(".//form[@id='related-pin-form']//input[@name='csrfmiddlewaretoken']")


def test_editor_pins_by_public_url_and_it_comes_first(editor, chess):
    loner = chess[4]
    answer = editor.post(f"/newsroom/related/{chess[0].pk}/pin/",
                         {"related": "http://testserver" + loner.get_absolute_url()})
    assert answer.status_code == 302
    assert answer["Location"] == f"/newsroom/articles/{chess[0].pk}/#related-panel"
    assert shown(chess[0])[0] == loner.pk
    box = panel(editor, chess[0])
    assert box.xpath(".//li[1]//span[text()='pinned']")
    assert box.xpath(".//button[text()='Unpin']")


def test_editor_excludes_then_allows_again(editor, chess):
    unwanted = shown(chess[0])[0]
    editor.post(f"/newsroom/related/{chess[0].pk}/exclude/", {"related": str(unwanted)})
    assert unwanted not in shown(chess[0])
    assert "Allow again" in panel(editor, chess[0]).text_content()
    editor.post(f"/newsroom/related/{chess[0].pk}/clear/", {"related": str(unwanted)})
    assert unwanted in shown(chess[0])
    assert not RelatedOverride.objects.exists()


def test_unknown_article_is_reported_and_nothing_changes(editor, chess):
    answer = editor.post(f"/newsroom/related/{chess[0].pk}/pin/", {"related": "/no/such/page/"},
                         follow=True)
    assert "No article found" in answer.content.decode()
    assert not RelatedOverride.objects.exists()


def test_pinning_needs_the_permission(chess):
    author = login("author", "writer")
    before = shown(chess[0])
    assert author.post(f"/newsroom/related/{chess[0].pk}/pin/",
                       {"related": str(chess[4].pk)}).status_code == 403
    assert author.post(f"/newsroom/related/{chess[0].pk}/exclude/",
                       {"related": str(before[0])}).status_code == 403
    assert shown(chess[0]) == before and not RelatedOverride.objects.exists()


def test_author_sees_the_list_without_buttons(make_article, live):
    client = login("author", "writer")
    mine = Article(headline="Reykjavik chess final, part 1", body=story_text("chess", 1)[1])
    articles.save_article(mine, user=client.user, authors=[author_for(client.user)])
    live(articles.publish_article, mine)
    box = panel(client, mine)
    assert not box.xpath(".//button")


def test_anonymous_posts_go_to_the_login_page(client, chess):
    answer = client.post(f"/newsroom/related/{chess[0].pk}/pin/", {"related": str(chess[4].pk)})
    assert answer.status_code == 302 and "/newsroom/login/" in answer["Location"]
    assert not RelatedOverride.objects.exists()


def test_pinning_needs_post_and_a_csrf_token(editor, chess):
    assert editor.get(f"/newsroom/related/{chess[0].pk}/pin/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor.user)
    assert strict.post(f"/newsroom/related/{chess[0].pk}/pin/",
                       {"related": str(chess[4].pk)}).status_code == 403


def test_publishing_through_the_newsroom_updates_the_lists(editor, chess, live):
    draft = Article(headline=story_text("chess", 9)[0], body=story_text("chess", 9)[1])
    articles.save_article(draft, user=editor.user, authors=[author_for(editor.user)])
    assert not RelatedArticle.objects.filter(related=draft).exists()
    answer = live(editor.post, f"/newsroom/articles/{draft.pk}/",
                  editor_post(draft, action="publish"))
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    holders = set(RelatedArticle.objects.filter(related=draft).values_list("article_id",
                                                                            flat=True))
    assert holders == {a.pk for a in chess[:4]}
    assert set(shown(draft)) == {a.pk for a in chess[:4]}
    live(editor.post, f"/newsroom/articles/{draft.pk}/unpublish/")
    assert not RelatedArticle.objects.filter(related=draft).exists()
