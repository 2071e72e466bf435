"""The newsroom's "Front page": editors choose the lead, the top stories' order and section
pins; others cannot; bad choices are refused whole; readers see the choice at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from lxml import html as lxml_html

from masthead.articles import curation, services
from masthead.articles.front_page import front_page_stories
from masthead.articles.models import Article, FrontPageChange, FrontPageSlot, Section

pytestmark = pytest.mark.django_db
URL = "/newsroom/front-page/"


@pytest.fixture
def stories(make_article):
    now = timezone.now()
    return [make_article(f"Story {n:02d}", section=["World", "Sport"][n % 2],
                         published_at=now - dt.timedelta(hours=n + 1)) for n in range(12)]


def form_data(lead=None, top=(), pins=None, **extra) -> dict:
    data = {"lead": str(lead.pk) if lead else "", "save": "1"}
    for n in range(1, 5):
        data[f"top_{n}"] = str(top[n - 1].pk) if n <= len(top) else ""
    for section in Section.objects.all():
        data[f"pin_{section.pk}"] = ""
    for section, article in (pins or {}).items():
        data[f"pin_{section.pk}"] = str(article.pk)
    data.update(extra)
    return data


def reader_front(client):
    """What the front page view hands its template, and the page's text."""
    response = client.get("/")
    assert response.status_code == 200
    return front_page_stories(), lxml_html.fromstring(response.content).text_content()


def test_an_editor_chooses_the_lead_order_and_a_pin_and_readers_see_it(
        stories, make_user, client_for, client):
    editor = make_user("editor")
    sport = Section.objects.get(name="Sport")
    lead, first, second, pinned = stories[9], stories[7], stories[5], stories[11]
    response = client_for(editor).post(URL, form_data(lead, [first, second], {sport: pinned}))
    assert response.status_code == 302
    assert curation.current() == curation.Curation(lead.pk, [first.pk, second.pk],
                                                   {sport.pk: pinned.pk})
    change = FrontPageChange.objects.get()
    assert change.created_by == editor and change.data["lead"] == lead.pk
    page, text = reader_front(client)
    assert page.lead == lead and page.top[:2] == [first, second] and page.featured[0] == lead
    assert dict(page.section_blocks)[sport][0] == pinned
    shown = [a.pk for a in page.shown]
    assert len(shown) == len(set(shown))
    assert text.index(lead.headline) < text.index(first.headline) < text.index(second.headline)


def test_the_page_shows_the_current_choice_and_what_readers_see(stories, make_user, client_for):
    editor = make_user("editor")
    curation.set_front_page(editor, stories[3].pk, [stories[4].pk], {})
    response = client_for(editor).get(URL)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    assert tree.xpath("//select[@name='lead']/option[@selected]/@value") == [str(stories[3].pk)]
    assert tree.xpath("//select[@name='top_1']/option[@selected]/@value") == [str(stories[4].pk)]
    assert tree.xpath("//label[@for='id_lead']"), "every select has a label"
    preview = tree.get_element_by_id("preview-h").getparent().text_content()
    assert "Story 03" in preview and "chosen" in preview


@pytest.mark.parametrize("role, allowed", [("contributor", False), ("author", False),
                                           ("editor", True), ("admin", True)])
def test_only_editors_and_admins_curate(stories, make_user, client_for, role, allowed):
    client = client_for(make_user(role))
    assert client.get(URL).status_code == (200 if allowed else 403)
    response = client.post(URL, form_data(stories[4]))
    assert response.status_code == (302 if allowed else 403)
    assert FrontPageSlot.objects.exists() == allowed
    assert ("Front page</a>" in client.get("/newsroom/").content.decode()) == allowed


def test_the_service_refuses_someone_who_may_not_curate(stories, make_user):
    with pytest.raises(PermissionDenied):
        curation.set_front_page(make_user("author"), stories[0].pk, [], {})
    assert not FrontPageSlot.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("case", ["unknown id", "duplicate", "draft", "other section",
                                  "not a number", "unknown move"])
def test_a_bad_choice_is_refused_with_a_message_and_nothing_is_stored(
        stories, make_user, client_for, make_article, case):
    editor = make_user("editor")
    curation.set_front_page(editor, stories[0].pk, [stories[1].pk], {})
    before = (curation.current(), FrontPageChange.objects.count())
    world = Section.objects.get(name="World")
    draft = make_article("A draft", status="draft")
    data = {
        "unknown id": form_data(lead=stories[2], top_1="999999"),
        "duplicate": form_data(stories[2], [stories[2]]),
        "draft": form_data(draft),
        "other section": form_data(pins={world: stories[1]}),
        "not a number": form_data(lead=None, lead_x="1", top_2="ten"),
        "unknown move": form_data(stories[2], move="9:sideways"),
    }[case]
    response = client_for(editor).post(URL, data)
    assert response.status_code == 400
    text = lxml_html.fromstring(response.content).text_content()
    assert {"unknown id": "valid choice", "duplicate": "only one place",
            "draft": "valid choice", "other section": "valid choice",
            "not a number": "valid choice", "unknown move": "Unknown move"}[case] in text
    assert (curation.current(), FrontPageChange.objects.count()) == before


@pytest.mark.parametrize("case", ["unknown", "duplicate", "draft", "other section",
                                  "too many"])
def test_the_service_checks_the_whole_choice(stories, make_user, make_article, case):
    editor = make_user("editor")
    world = Section.objects.get(name="World")
    draft = make_article("A draft", status="draft")
    lead, top, pins = {
        "unknown": (999999, [], {}),
        "duplicate": (stories[0].pk, [stories[1].pk, stories[0].pk], {}),
        "draft": (draft.pk, [], {}),
        "other section": (None, [], {world.pk: stories[1].pk}),
        "too many": (None, [s.pk for s in stories[:5]], {}),
    }[case]
    with pytest.raises(Exception) as raised:
        curation.set_front_page(editor, lead, top, pins)
    assert raised.type.__name__ == "ValidationError"
    assert not FrontPageSlot.objects.exists() and not FrontPageChange.objects.exists()


def test_move_buttons_reorder_the_top_stories_without_javascript(stories, make_user,
                                                                 client_for):
    editor = make_user("editor")
    client = client_for(editor)
    data = form_data(None, [stories[1], stories[2], stories[3]], move="2:up")
    assert client.post(URL, data).status_code == 302
    assert curation.current().top == [stories[2].pk, stories[1].pk, stories[3].pk]
    assert client.post(URL, form_data(None, [stories[2], stories[1]], move="1:down")
                       ).status_code == 302
    assert curation.current().top == [stories[1].pk, stories[2].pk]
    tree = lxml_html.fromstring(client.get(URL).content)
    # Enter in a field submits the form's first button: it must be Save, not a move.
    assert tree.xpath("//form[@id='front-page-form']//button")[0].get("name") == "save"
    assert tree.xpath("//button[@value='2:up']/@aria-label") == ["Move top story 2 up"]


def test_an_unpublished_or_future_curated_story_drops_out_and_comes_back(
        stories, make_user, client):
    editor = make_user("editor")
    curation.set_front_page(editor, stories[6].pk, [stories[8].pk], {})
    services.unpublish_article(Article.objects.get(pk=stories[6].pk))
    later = Article.objects.get(pk=stories[8].pk)
    later.status, later.published_at = "scheduled", timezone.now() + dt.timedelta(hours=2)
    services.save_article(later)
    page, text = reader_front(client)
    assert stories[6].headline not in text and stories[8].headline not in text
    assert page.lead == stories[0]  # the newest story fills the place
    services.publish_article(Article.objects.get(pk=stories[6].pk))
    assert reader_front(client)[0].lead.pk == stories[6].pk


def test_a_deleted_curated_story_takes_its_slot_with_it(stories, make_user, client):
    editor = make_user("editor")
    curation.set_front_page(editor, stories[6].pk, [], {})
    Article.objects.get(pk=stories[6].pk).delete()
    assert not FrontPageSlot.objects.exists()
    assert client.get("/").status_code == 200
