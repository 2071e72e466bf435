"""The listing key on the link tables (`listed_at`, migration 0007, decision 0007).

Two properties: after every kind of write, each tag and byline row's `listed_at` is its
article's published_at exactly when `published().stories()` may show the article, else NULL;
and tag and author pages read from the link tables are, page for page, what the former
article queries (`published().stories().filter(tags=…)`) gave.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.articles import pagination, services
from masthead.articles.models import Article, ArticleTag, Author, Byline, Tag
from masthead.articles.pagination import ARTICLE_KEY, LINK_KEY, listing_page
from masthead.importers.records import ArticleRecord
from masthead.importers.services import store_records

LISTABLE = {Article.Status.PUBLISHED, Article.Status.SCHEDULED}


def expected_key(article: Article) -> dt.datetime | None:
    """The rule, from the model's own definitions rather than the trigger's SQL."""
    if article.status in LISTABLE and article.kind == Article.Kind.ARTICLE:
        return article.published_at
    return None


def assert_keys_consistent() -> int:
    """Every link row's listed_at equals the rule; returns how many rows were checked."""
    articles = {a.pk: a for a in Article.objects.all()}
    checked = 0
    for model in (ArticleTag, Byline):
        for article_id, listed_at in model.objects.values_list("article_id", "listed_at"):
            assert listed_at == expected_key(articles[article_id]), (model, article_id)
            checked += 1
    return checked


def _published_story(make_article, **fields):
    return make_article(tags=["Harbour", "Council"], authors=["Ada Reporter", "Bo Writer"],
                        **fields)


@pytest.mark.django_db
def test_the_key_follows_every_service_write(make_article):
    now = timezone.now()
    story = _published_story(make_article)
    draft = make_article(status="draft", tags=["Harbour"], authors=["Ada Reporter"])
    page = make_article(kind=Article.Kind.PAGE, tags=["Harbour"])
    assert assert_keys_consistent() == 8
    assert ArticleTag.objects.filter(article=story).exclude(listed_at=None).count() == 2
    assert not ArticleTag.objects.filter(article__in=[draft, page]).exclude(listed_at=None)

    services.publish_article(draft)                                     # publish
    assert Byline.objects.get(article=draft).listed_at == draft.published_at
    services.unpublish_article(story)                                   # unpublish
    assert not Byline.objects.filter(article=story).exclude(listed_at=None)
    assert_keys_consistent()
    services.schedule_article(story, now + dt.timedelta(hours=2))       # schedule (not due)
    assert set(Byline.objects.filter(article=story).values_list("listed_at", flat=True)) == {
        now + dt.timedelta(hours=2)}
    assert_keys_consistent()
    story.published_at = now - dt.timedelta(days=3)                     # re-date, by save
    services.save_article(story)
    assert_keys_consistent()
    page.kind = Article.Kind.ARTICLE                                    # kind change
    page.status = Article.Status.PUBLISHED
    services.save_article(page)
    assert ArticleTag.objects.get(article=page).listed_at == page.published_at
    draft.kind = Article.Kind.PAGE
    services.save_article(draft)
    assert Byline.objects.get(article=draft).listed_at is None
    assert_keys_consistent()
    services.save_article(story, tags=["Harbour", "Storm"])             # tags set
    services.save_article(story, authors=[services.get_or_create_author("Cy Editor")])
    assert_keys_consistent()
    story.headline = "A new headline"                                   # a save that keeps it
    services.save_article(story)
    assert_keys_consistent()

    services.delete_article(page)                                       # delete
    assert not ArticleTag.objects.filter(article_id=page.pk).exists()
    assert_keys_consistent()


@pytest.mark.django_db
def test_the_key_follows_m2m_queryset_bulk_and_raw_writes(make_article):
    now = timezone.now()
    story = _published_story(make_article)
    other = make_article(status="draft", tags=["Storm"])
    storm, river = Tag.objects.get(slug="storm"), Tag.objects.create(name="River", slug="river")

    story.tags.add(storm, river)                                        # tags add
    story.tags.remove(Tag.objects.get(slug="harbour"))                  # tags remove
    storm.articles.add(other)                                           # from the tag's side
    ArticleTag.objects.bulk_create([ArticleTag(article=other, tag=river)])
    assert ArticleTag.objects.get(article=story, tag=river).listed_at == story.published_at
    assert_keys_consistent()
    other.tags.clear()
    lead = Byline.objects.create(article=story, author=services.get_or_create_author("Cy"),
                                 position=5)                            # byline add
    assert Byline.objects.get(pk=lead.pk).listed_at == story.published_at
    Byline.objects.filter(article=story, author__name="Bo Writer").delete()  # byline remove
    assert_keys_consistent()

    # The scheduled-publish path: a queryset .update() (no save(), no signals).
    story.status, story.published_at = Article.Status.SCHEDULED, now - dt.timedelta(seconds=5)
    services.save_article(story)
    assert services.publish_due_articles() == [story.pk]
    assert_keys_consistent()
    Article.objects.filter(pk=story.pk).update(published_at=now - dt.timedelta(days=9))
    Article.objects.filter(pk=story.pk).update(kind=Article.Kind.PAGE)
    assert_keys_consistent()
    Article.objects.filter(pk=story.pk).update(kind=Article.Kind.ARTICLE)

    # A stale instance saved after the article changed cannot write an old key back.
    stale = Byline.objects.get(pk=lead.pk)
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT)
    stale.position = 0
    stale.save()
    assert Byline.objects.get(pk=lead.pk).listed_at is None
    Byline.objects.filter(pk=lead.pk).update(listed_at=now)
    assert Byline.objects.get(pk=lead.pk).listed_at is None

    with connection.cursor() as cursor:                                 # raw SQL
        cursor.execute("UPDATE articles_article SET status = 'published' WHERE id = %s",
                       [story.pk])
        cursor.execute("INSERT INTO articles_byline (article_id, author_id, position) "
                       "VALUES (%s, %s, 9)", [story.pk, Author.objects.create(
                           name="Di", slug="di").pk])
    assert_keys_consistent()


@pytest.mark.django_db
def test_the_key_is_set_by_an_import(make_article):
    now = timezone.now()
    store_records([ArticleRecord(
        key=f"imp-{i}", title=f"Imported {i}", body="Text.", status=status, kind=kind,
        published_at=now + dt.timedelta(hours=h), section="World",
        tags=["Harbour", f"T{i % 2}"], authors=["Ada Reporter", "Bo Writer"])
        for i, (status, kind, h) in enumerate([
            ("published", "article", -1), ("draft", "article", -2), ("published", "page", -3),
            ("scheduled", "article", 4), ("scheduled", "article", -5)])])
    assert assert_keys_consistent() == 20
    assert ArticleTag.objects.exclude(listed_at=None).count() == 6


@pytest.mark.django_db
def test_the_triggers_exist():
    # SQLite drops a table's triggers when a migration remakes the table: this names them.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE '%%listed_at%%'")
            assert cursor.fetchone()[0] == 6
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%%listed_at%%'")
            assert cursor.fetchone()[0] == 4


# Migrations run outside a test transaction. Every app available: the flush afterwards then
# truncates with CASCADE (on PostgreSQL search_document references articles_article outside
# Django's knowledge).
@pytest.mark.django_db(transaction=True, available_apps=list(django_settings.INSTALLED_APPS))
def test_the_migration_backfills_and_reverses(make_article):
    from django.db.migrations.executor import MigrationExecutor

    _published_story(make_article)
    make_article(status="draft", tags=["Harbour"])
    make_article(status="scheduled", tags=["Storm"], authors=["Bo Writer"],
                 published_at=timezone.now() + dt.timedelta(days=1))
    MigrationExecutor(connection).migrate([("articles", "0006_author_photo")])
    with connection.cursor() as cursor:
        for table in ("articles_article_tags", "articles_byline"):
            columns = {c.name for c in connection.introspection.get_table_description(
                cursor, table)}
            assert "listed_at" not in columns
    Article.objects.filter(status="draft").update(  # no trigger at 0006
        status="published", published_at=timezone.now())
    MigrationExecutor(connection).migrate([("articles", "0007_listing_keys")])
    assert assert_keys_consistent() == 8
    assert ArticleTag.objects.exclude(listed_at=None).count() == 4


# --- Tag and author pages read from the link tables = the former article queries ---------

class Rollback(Exception):
    pass


MINUTES = st.integers(-8, 3)  # few distinct times (ties), some in the future (not yet due)
article_spec = st.tuples(
    MINUTES,
    st.sampled_from(["published", "published", "published", "scheduled", "draft", "review"]),
    st.sampled_from(["article", "article", "article", "page"]),
    st.sets(st.sampled_from(["t0", "t1", "t2"])),
    st.lists(st.sampled_from(["a0", "a1", "a2"]), unique=True, max_size=2),
)
change = st.tuples(st.integers(0, 40), st.sampled_from(
    ["redate", "retag", "unpublish", "republish", "kind", "reauthor"]), MINUTES,
    st.sets(st.sampled_from(["t0", "t1", "t2"])))


def _site(specs, changes, now):
    tags = {n: Tag.objects.create(name=n, slug=n) for n in ("t0", "t1", "t2")}
    authors = {n: Author.objects.create(name=n, slug=n) for n in ("a0", "a1", "a2")}
    articles = Article.objects.bulk_create([
        Article(headline=f"Story {i}", slug=f"story-{i}", status=status, kind=kind,
                published_at=now + dt.timedelta(minutes=minute), pub_date=now.date())
        for i, (minute, status, kind, _, _) in enumerate(specs)])
    for article, (_, _, _, tag_names, author_names) in zip(articles, specs):
        article.tags.set([tags[n] for n in tag_names])
        Byline.objects.bulk_create([Byline(article=article, author=authors[n], position=p)
                                    for p, n in enumerate(author_names)])
    for index, what, minute, tag_names in changes:
        if not articles:
            break
        article = articles[index % len(articles)]
        rows = Article.objects.filter(pk=article.pk)
        if what == "redate":
            rows.update(published_at=now + dt.timedelta(minutes=minute))
        elif what == "retag":
            article.tags.set([tags[n] for n in tag_names])
        elif what == "unpublish":
            rows.update(status=Article.Status.DRAFT)
        elif what == "republish":
            rows.update(status=Article.Status.PUBLISHED)
        elif what == "kind":
            rows.update(kind=Article.Kind.PAGE if article.kind == "article" else "article")
        else:
            services.set_authors(article, [authors["a" + n[1]] for n in sorted(tag_names)])
    return tags, authors


def _same_page(old_qs, new_qs, params, size, name):
    def page(queryset, fields, prefix):
        try:
            return listing_page(queryset, params, size, anchor_id=f"{prefix}:{name}",
                                fields=fields)
        except Http404:
            return "404"
    old, new = page(old_qs, ARTICLE_KEY, "old"), page(new_qs, LINK_KEY, "new")
    assert old == new, params
    return new


def _compare_listing(old_qs, new_qs, size, name):
    old_ids = list(old_qs.order_by("-published_at", "-id").values_list("pk", flat=True))
    pages = max(1, -(-len(old_ids) // size))
    # Bare ?page=N (anchored every other page: cold, then warm) and one past the end.
    for number in [*range(1, pages + 2), *range(1, pages + 1)]:
        _same_page(old_qs, new_qs, {"page": str(number)}, size, name)
    # Older links from page 1, then Newer links back.
    current = _same_page(old_qs, new_qs, {}, size, name)
    walked = list(current.object_list)
    while current.has_next:
        query = dict(p.split("=") for p in current.next_query[1:].split("&"))
        current = _same_page(old_qs, new_qs, query, size, name)
        walked += current.object_list
    assert walked == old_ids
    while current.has_previous:
        query = dict(p.split("=") for p in current.previous_query[1:].split("&"))
        current = _same_page(old_qs, new_qs, query, size, name)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(article_spec, max_size=25), changes=st.lists(change, max_size=8),
       size=st.integers(1, 4))
def test_tag_and_author_pages_are_the_former_article_queries(monkeypatch, specs, changes,
                                                             size):
    monkeypatch.setattr(pagination, "ANCHOR_EVERY", 2)
    cache.clear()
    now = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(seconds=30)
    try:
        with transaction.atomic():
            tags, authors = _site(specs, changes, now)
            assert_keys_consistent()
            stories = Article.objects.published().stories()
            for tag in tags.values():
                _compare_listing(stories.filter(tags=tag),
                                 ArticleTag.objects.listed().filter(tag=tag), size,
                                 f"tag:{tag.pk}")
            for author in authors.values():
                _compare_listing(stories.filter(bylines__author=author),
                                 Byline.objects.listed().filter(author=author), size,
                                 f"author:{author.pk}")
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_the_tag_page_lists_the_tags_stories_newest_first(client, make_article, settings):
    settings.MASTHEAD_PAGE_SIZE = 2
    now = timezone.now()
    shown = [make_article(f"Shown {i}", tags=["Harbour"], authors=["Ada Reporter", "Bo"],
                          published_at=now - dt.timedelta(hours=i)) for i in range(1, 4)]
    make_article("Draft", status="draft", tags=["Harbour"], authors=["Bo"])
    make_article("Later", status="scheduled", tags=["Harbour"], authors=["Bo"],
                 published_at=now + dt.timedelta(hours=1))
    for path in ("/tag/harbour/", "/author/bo/"):
        first = client.get(path).content.decode()
        assert [a.headline in first for a in shown] == [True, True, False]
        assert "Draft" not in first and "Later" not in first
        assert client.get(path + "?page=2").content.decode().count("Shown 3") >= 1
        assert client.get(path + "?page=3").status_code == 404
