"""Exact invalidation: after each kind of change, exactly the pages that show it are purged.

A small site (related lists of one article, two listing pages for World) is rendered into the
cache through the WSGI stack; then one change goes through the real service and its signal,
and every stored page is requested again. Pages that come back as a HIT were kept; the test
asserts that set exactly, and that the purged pages show the new state. Other apps purge
too (the recommendations app purges `page:<id>` of articles whose "Articles You May Like"
list it recomputed, by its own rules): the pages those calls reached are recorded and
counted in, so that the sets asserted here are exactly the page cache's own rules.

    w1, w2: World, tag Navy, by Ada      related: w1 <-> w2
    w3:     World (page 2), by Ben       related: w1 (same section; no tags)
    b1, b2: Business, tag Trade, by Ben  related: b1 <-> b2
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.articles import services
from masthead.articles.models import Author, Section, Tag
from masthead.comments.models import Comment

pytestmark = pytest.mark.django_db

LISTINGS = ["/", "/section/world/", "/section/world/?page=2", "/section/business/",
            "/tag/navy/", "/tag/trade/", "/author/ada/", "/author/ben/"]


@pytest.fixture
def site(make_article, settings, wsgi, primed):
    settings.MASTHEAD_PAGE_SIZE = 2
    settings.MASTHEAD_RELATED_COUNT = 1
    now = timezone.now()

    def story(headline, hours, section, tags, author):
        return make_article(headline, section=section, tags=tags, authors=(author,),
                            published_at=now - dt.timedelta(hours=hours))

    articles = {
        "w1": story("World one", 1, "World", ("Navy",), "Ada"),
        "w2": story("World two", 2, "World", ("Navy",), "Ada"),
        "w3": story("World three", 3, "World", (), "Ben"),
        "b1": story("Business one", 4, "Business", ("Trade",), "Ben"),
        "b2": story("Business two", 5, "Business", ("Trade",), "Ben"),
    }
    pages = {name: a.get_absolute_url() for name, a in articles.items()}
    primed(*LISTINGS, *pages.values())
    return articles, pages


def kept_and_purged(wsgi, paths):
    replies = {p: wsgi.get(p) for p in paths}
    kept = {p for p, r in replies.items() if r.cache == "HIT"}
    return kept, set(paths) - kept, replies


def all_paths(pages):
    return [*LISTINGS, *pages.values()]


@pytest.fixture
def purged_by_others(site, monkeypatch):
    """After a change, `purged_by_others()` is the set of pages other apps purged through
    `services.purge_keys` (the page cache's own receivers call it under another name)."""
    from masthead.pagecache import services
    from masthead.pagecache.stores import get_store

    reached: set[str] = set()
    original = services.purge_keys
    # Where each article's page was stored before the change: purges run as jobs after the
    # commit, in the order they were enqueued, so the page cache's own purge may already have
    # removed a page that another app purges too by the time its call is recorded.
    articles, _ = site
    stored = {f"page:{a.pk}": set(get_store().paths_for(f"page:{a.pk}"))
              for a in articles.values()}

    def recording(keys, paths=()):
        for key in keys:
            reached.update(get_store().paths_for(key))
            reached.update(stored.get(key, ()))
        reached.update(paths)
        original(keys, paths)

    monkeypatch.setattr(services, "purge_keys", recording)
    return lambda: set(reached)


def test_editing_a_headline_purges_its_page_listings_showing_it_and_related_lists(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    articles, pages = site
    w1 = articles["w1"]
    with django_capture_on_commit_callbacks(execute=True):
        w1.headline = "World one, corrected"
        services.save_article(w1)
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {pages["w1"], pages["w2"], pages["w3"], "/", "/section/world/",
                      "/tag/navy/", "/author/ada/"} | purged_by_others()
    for path in purged:
        assert "World one, corrected" in replies[path].text, path


def test_publishing_purges_front_and_the_listings_it_joins_only(
        site, wsgi, make_article, purged_by_others, django_capture_on_commit_callbacks):
    _, pages = site
    with django_capture_on_commit_callbacks(execute=True):
        # Published now: make_article's default date depends on how many articles the whole
        # run has made, and a fresh story must lead the front page whatever ran before.
        make_article("Fresh business story", section="Business", tags=("Markets",),
                     authors=("Cy",), published_at=timezone.now())
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {"/", "/section/business/"} | purged_by_others()
    for path in purged:
        assert "Fresh business story" in replies[path].text


def test_unpublishing_purges_its_page_and_every_page_of_its_listings(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    articles, pages = site
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_article(articles["w2"])
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {pages["w2"], pages["w1"], "/", "/section/world/",
                      "/section/world/?page=2", "/tag/navy/", "/author/ada/"} | purged_by_others()
    assert replies[pages["w2"]].status == 404
    for path in purged - {pages["w2"]}:
        assert "World two" not in replies[path].text, path


def test_moving_an_article_to_another_section_purges_both_listings(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    articles, pages = site
    w3 = articles["w3"]
    with django_capture_on_commit_callbacks(execute=True):
        w3.section = Section.objects.get(name="Business")
        services.save_article(w3)
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    # Business stories' pages too: their related lists (drawn from the section here, as no
    # engine lists are built) may now include World three.
    assert purged == {pages["w3"], "/", "/section/world/", "/section/world/?page=2",
                      "/section/business/", "/author/ben/", pages["b1"], pages["b2"]
                      } | purged_by_others()
    assert "World three" in replies["/section/business/"].text
    assert "World three" not in replies["/section/world/?page=2"].text


def test_changing_the_url_purges_the_old_path_which_then_redirects(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    articles, pages = site
    w1 = articles["w1"]
    with django_capture_on_commit_callbacks(execute=True):
        w1.slug = "world-one-renamed"
        services.save_article(w1)
    old = wsgi.get(pages["w1"])
    assert old.status == 301
    assert old.headers["location"].endswith("/world-one-renamed/")


def test_approving_a_comment_purges_the_article_and_teasers_with_its_comment_count(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    from masthead.comments import moderation

    articles, pages = site
    comment = Comment.objects.create(article=articles["b1"], author_name="Reader",
                                     body="A held comment.", status="pending")
    kept, purged, _ = kept_and_purged(wsgi, all_paths(pages))
    assert purged == set()  # a pending comment is shown to nobody but its author
    showing_b1 = {pages["b1"], pages["b2"], "/", "/section/business/", "/tag/trade/",
                  "/author/ben/"}
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve_comments([comment.pk])
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == showing_b1 | purged_by_others()
    assert "A held comment." in replies[pages["b1"]].text
    assert "1 comment" in replies["/section/business/"].text
    with django_capture_on_commit_callbacks(execute=True):
        moderation.trash_comments([comment.pk])
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == showing_b1 | purged_by_others()
    assert "A held comment." not in replies[pages["b1"]].text
    assert "1 comment" not in replies["/section/business/"].text


def test_renaming_a_tag_purges_its_listing_and_pages_showing_its_articles(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    _, pages = site
    with django_capture_on_commit_callbacks(execute=True):
        services.change_taxonomy(Tag.objects.get(name="Navy"), name="Fleet")
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {"/tag/navy/", pages["w1"], pages["w2"], pages["w3"], "/",
                      "/section/world/", "/author/ada/"} | purged_by_others()
    assert "Fleet" in replies[pages["w1"]].text


def test_renaming_an_author_purges_pages_with_their_bylines(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    _, pages = site
    with django_capture_on_commit_callbacks(execute=True):
        services.change_taxonomy(Author.objects.get(name="Ben"), name="Benedict Marr")
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {"/author/ben/", pages["w3"], pages["b1"], pages["b2"], "/",
                      "/section/world/?page=2", "/section/business/", "/tag/trade/"} | purged_by_others()
    assert "Benedict Marr" in replies["/section/business/"].text


def test_renaming_a_section_purges_every_page_because_the_navigation_shows_it(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    _, pages = site
    with django_capture_on_commit_callbacks(execute=True):
        services.change_taxonomy(Section.objects.get(name="Business"), name="Economy")
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert kept == set()
    assert ">Economy</a>" in replies[pages["w1"]].text


def test_scheduled_article_appears_on_the_front_page_when_the_scheduler_publishes_it(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    _, pages = site
    article = services.get_or_create_section("Science")
    from masthead.articles.models import Article

    due = timezone.now() + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = services.schedule_article(
            Article(headline="Comet due tonight", body="Text.", section=article), due)
    kept, purged, _ = kept_and_purged(wsgi, all_paths(pages))
    assert purged == set()  # scheduling shows nothing yet
    while timezone.now() < due:
        pass
    with django_capture_on_commit_callbacks(execute=True):
        assert services.publish_due_articles() == [scheduled.pk]
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {"/"} | purged_by_others()
    assert "Comet due tonight" in replies["/"].text


def test_deleting_an_article_purges_it_and_the_pages_that_listed_it(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    articles, pages = site
    with django_capture_on_commit_callbacks(execute=True):
        articles["b2"].delete()
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {pages["b2"], pages["b1"], "/", "/section/business/", "/tag/trade/",
                      "/author/ben/"} | purged_by_others()
    assert replies[pages["b2"]].status == 404


def test_bulk_import_purges_front_and_the_listings_of_the_imported_articles(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    from masthead.importers.records import ArticleRecord
    from masthead.importers.services import store_records

    _, pages = site
    record = ArticleRecord(title="Imported trade story", body="Text.", key="imp-1",
                           section="Business", tags=["Trade"], authors=["Ben"],
                           published_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        store_records([record])
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert {"/", "/section/business/", "/tag/trade/", "/author/ben/"} <= purged
    assert {pages["w1"], pages["w2"], "/section/world/", "/tag/navy/"} <= kept
    assert "Imported trade story" in replies["/tag/trade/"].text


def test_a_very_large_import_purges_every_page(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks, monkeypatch):
    from masthead.importers.records import ArticleRecord
    from masthead.importers.services import store_records
    from masthead.pagecache import dependencies

    monkeypatch.setattr(dependencies, "BULK_SITE_PURGE", 1)
    _, pages = site
    records = [ArticleRecord(title=f"Imported story {i}", body="Text.", key=f"imp-{i}",
                             section="Business", published_at=timezone.now()) for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        store_records(records)
    kept, purged, _ = kept_and_purged(wsgi, all_paths(pages))
    assert not kept
    assert {"/", pages["w1"], "/section/world/", "/tag/navy/"} <= purged


def test_page_cache_purges_before_other_apps_do_slow_work_on_the_same_signal():
    """Receivers run in connection order: the page cache's must come first, or a process's
    first publication waits for the related-articles engine to load (seconds) before readers
    see it (tests/e2e/test_page_cache_live.py, scheduled article)."""
    from masthead.articles import signals

    for signal in (signals.article_published, signals.article_changed,
                   signals.article_unpublished):
        modules = [getattr(entry[1](), "__module__", "") for entry in signal.receivers]
        ours = modules.index("masthead.pagecache.signal_handlers")
        assert ours < modules.index("masthead.recommendations.signal_handlers"), modules
        assert ours < modules.index("masthead.search.signal_handlers"), modules


def test_curating_the_front_page_purges_the_front_page_only(
        site, wsgi, purged_by_others, django_capture_on_commit_callbacks):
    from masthead.articles import curation
    from masthead.newsroom.staff import create_staff_user

    articles, pages = site
    editor, _ = create_staff_user("front-editor", "editor", password="a long test password 42")
    with django_capture_on_commit_callbacks(execute=True):
        curation.set_front_page(editor, articles["b2"].pk, [articles["w3"].pk], {})
    kept, purged, replies = kept_and_purged(wsgi, all_paths(pages))
    assert purged == {"/"} | purged_by_others()
    text = replies["/"].text
    assert text.index("Business two") < text.index("World three") < text.index("World one")
