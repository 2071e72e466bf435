"""Stored related lists through the database path: publication, pins, exclusions, unpublishing,
several processes, and what the article page reads.

Articles are created through `save_article` (the `make_article` fixture); the article signals
run on commit, so tests that need the lists updated run the callbacks (`live`).
"""

from __future__ import annotations

import random

import pytest
from django.core.files.storage import default_storage

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.recommendations import services, state
from masthead.recommendations.models import (
    EngineState,
    RelatedArticle,
    RelatedOverride,
)

# Three stories, each with its own names and vocabulary (helpers also used by the other
# test modules of this app).
STORIES = {
    "bridge": ("Kestrel Bay viaduct", "Marlow viaduct collapse Kestrel Bay engineer Pemberton "
               "cables girders inspection traffic diverted ferry crossing inquiry rust steel"),
    "balloon": ("Orvieto balloon festival", "Orvieto balloon festival Ferrante hot air balloons "
                "dawn launch pilots burners vineyards spectators envelope basket altitude"),
    "chess": ("Reykjavik chess final", "Reykjavik chess championship grandmaster Kovalenko "
              "opening gambit endgame tiebreak rapid blitz challenger queen rook sacrifice"),
}
FILLER = ["Apiarists tend hives while bumblebees forage thyme meadows and wax combs drip.",
          "Seismographs register tremors beneath the caldera as sulphur vents hiss.",
          "The orchestra rehearsed a forgotten cantata in the draughty town hall."]


def story_text(story: str, n: int) -> tuple[str, str]:
    headline, vocab = STORIES[story]
    rng = random.Random(f"{story}-{n}")
    words = vocab.split()
    own = [f"{story}{n}word{i}" for i in range(10)]
    body = " ".join(rng.sample(words + own, len(words) // 2 + len(own)))
    return f"{headline}, part {n}", body + ". " + " ".join(rng.sample(words, len(words) // 2))


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    """Run a block with the after-commit signal handlers executed, as in production."""
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)
    return run


@pytest.fixture
def newsroom(make_article, live):
    """Three stories of four articles plus unrelated ones, all in one section, lists built."""
    made = {}
    for story in STORIES:
        for n in range(1, 5):
            headline, body = story_text(story, n)
            made[f"{story}-{n}"] = live(make_article, headline, body=body, section="News")
    for n, text in enumerate(FILLER):
        made[f"filler-{n}"] = live(make_article, f"Unrelated {n}", body=text, section="News")
    return made


def shown(article) -> list[int]:
    return [a.pk for a in services.related_for(article).articles]


def stored(article) -> list[int]:
    return list(RelatedArticle.objects.filter(article=article).order_by("rank")
                .values_list("related_id", flat=True))


def story_of(made: dict, pk: int) -> str:
    return next(name for name, a in made.items() if a.pk == pk).split("-")[0]


def test_story_clusters_come_back_together_through_the_database(newsroom):
    for name, article in newsroom.items():
        if name.startswith("filler"):
            continue
        mates = shown(article)
        assert len(mates) == 3, name  # its three story mates; nothing else clears the floor
        assert {story_of(newsroom, pk) for pk in mates} == {name.split("-")[0]}


def test_the_first_publication_builds_the_lists(make_article, live):
    first = live(make_article, "Kestrel Bay viaduct closes")
    built = EngineState.objects.get()
    assert built.generation == 1 and built.articles == 1
    assert default_storage.exists(state.snapshot_name(built.snapshot))
    assert str(first.pk) in state._copy.engine


def test_small_sites_refit_as_they_grow(newsroom):
    built = EngineState.objects.get()
    assert built.articles == len(newsroom) and built.generation > 1 and not built.refit_due


def test_a_full_list_is_read_in_one_query(newsroom, django_assert_num_queries):
    article = Article.objects.select_related("section").get(pk=newsroom["chess-1"].pk)
    with django_assert_num_queries(1):
        related = services.related_for(article, n=3)
    assert len(related.articles) == 3 and not related.latest


def test_article_page_with_stored_lists_stays_within_its_query_budget(
        client, newsroom, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = client.get(newsroom["bridge-1"].get_absolute_url())
    assert page.status_code == 200
    assert newsroom["bridge-2"].headline in page.content.decode()


def test_short_list_is_completed_by_a_labelled_latest_from_section(newsroom):
    related = services.related_for(newsroom["balloon-1"])  # 3 related, 4 asked
    assert len(related.articles) == 3
    assert related.latest_label == "Latest from News"
    assert len(related.latest) == 1
    assert related.latest[0].pk not in shown(newsroom["balloon-1"]) + [newsroom["balloon-1"].pk]


def test_without_any_stored_list_the_tag_or_section_fallback_is_shown(make_article):
    tagged = make_article("Harbour dredging", tags=("Harbour",))
    other = make_article("Harbour pilots", tags=("Harbour",))
    # Signals were not run: nothing has been built yet, as on a fresh install.
    assert not EngineState.objects.exists()
    related = services.related_for(tagged)
    assert [a.pk for a in related.articles] == [other.pk] and not related.latest_label


def test_publishing_an_article_enters_the_lists_of_its_story(newsroom, make_article, live,
                                                              monkeypatch):
    purged = []
    monkeypatch.setattr("masthead.pagecache.services.purge_keys",
                        lambda keys, paths=(): purged.extend(keys))
    headline, body = story_text("chess", 9)
    new = live(make_article, headline, body=body, section="News")
    holders = set(RelatedArticle.objects.filter(related=new).values_list("article_id", flat=True))
    chess = {newsroom[f"chess-{n}"].pk for n in range(1, 5)}
    assert holders == chess
    assert {story_of(newsroom, pk) for pk in shown(new)} == {"chess"}
    assert {f"page:{pk}" for pk in chess} <= set(purged)  # their pages show a new list
    assert not {f"page:{newsroom['bridge-1'].pk}"} & set(purged)


def test_unpublished_article_disappears_at_once_and_from_stored_rows_after_the_handler(
        newsroom, live):
    gone, holder = newsroom["bridge-2"], newsroom["bridge-1"]
    assert gone.pk in shown(holder)
    articles.unpublish_article(gone)  # committed, handlers not run yet
    assert gone.pk not in shown(holder)
    assert gone.pk in stored(holder)
    gone.refresh_from_db()
    live(articles.publish_article, gone)
    live(articles.unpublish_article, gone)
    assert not RelatedArticle.objects.filter(related=gone).exists()
    assert not RelatedArticle.objects.filter(article=gone).exists()
    assert gone.pk not in shown(holder)


def test_deleted_article_leaves_every_list(newsroom, live):
    gone_pk = newsroom["chess-3"].pk
    live(lambda: newsroom["chess-3"].delete())
    assert gone_pk not in shown(newsroom["chess-1"])
    assert str(gone_pk) not in state._copy.engine


def test_pinned_article_comes_first_and_stays_after_a_rebuild(newsroom):
    article, filler = newsroom["bridge-1"], newsroom["filler-2"]
    services.pin(article, filler)
    assert shown(article)[0] == filler.pk
    services.rebuild()
    assert shown(article)[0] == filler.pk
    assert RelatedArticle.objects.get(article=article, related=filler).pinned


def test_pins_keep_their_order_and_unpinning_restores_the_engine_list(newsroom):
    article = newsroom["bridge-1"]
    before = shown(article)
    services.pin(article, newsroom["filler-1"])
    services.pin(article, newsroom["filler-0"])
    assert shown(article)[:2] == [newsroom["filler-1"].pk, newsroom["filler-0"].pk]
    services.clear_override(article, newsroom["filler-1"].pk)
    services.clear_override(article, newsroom["filler-0"].pk)
    assert shown(article) == before


def test_excluded_article_never_shows_even_after_a_rebuild_or_republication(newsroom, live):
    article, unwanted = newsroom["chess-1"], newsroom["chess-2"]
    services.exclude(article, unwanted)
    assert unwanted.pk not in shown(article)
    services.rebuild()
    unwanted.refresh_from_db()
    live(articles.save_article, unwanted)  # an edit re-enters it into lists it belongs to
    assert unwanted.pk not in shown(article)
    assert unwanted.pk not in [a.pk for a in services.related_for(article).latest]
    assert RelatedOverride.objects.filter(article=article, kind="exclude").count() == 1


def test_pinned_article_that_is_unpublished_returns_when_republished(newsroom, live):
    article, pinned = newsroom["balloon-1"], newsroom["filler-0"]
    services.pin(article, pinned)
    live(articles.unpublish_article, pinned)
    assert pinned.pk not in stored(article)
    pinned.refresh_from_db()
    live(articles.publish_article, pinned)
    assert shown(article)[0] == pinned.pk


def test_pin_refuses_the_article_itself(newsroom):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.pin(newsroom["chess-1"], newsroom["chess-1"])


def test_another_process_replays_changes_it_did_not_make(newsroom, make_article, live,
                                                         monkeypatch):
    """Two server processes, simulated by swapping the process's copy of the engine."""
    monkeypatch.setattr(services, "SMALL_CORPUS", 0)  # no refit: replay, not a reload
    first = state._copy.engine, state._copy.token, state._copy.applied
    state.discard()  # "process B" starts: loads the snapshot, then publishes
    b_headline, b_body = story_text("balloon", 7)
    b_article = live(make_article, b_headline, body=b_body, section="News")
    state.install(*first)  # back to "process A", whose copy has not seen B's article
    assert str(b_article.pk) not in state._copy.engine
    a_headline, a_body = story_text("balloon", 8)
    a_article = live(make_article, a_headline, body=a_body, section="News")
    engine = state._copy.engine
    assert state._copy.token == first[1]  # same snapshot: A caught up by replaying the log
    assert str(b_article.pk) in engine and str(a_article.pk) in engine
    assert b_article.pk in stored(a_article)


def test_a_missing_snapshot_is_replaced_by_a_fit_from_the_database(newsroom, make_article, live,
                                                                   monkeypatch):
    monkeypatch.setattr(services, "SMALL_CORPUS", 0)
    token = EngineState.objects.get().snapshot
    state.discard()
    default_storage.delete(state.snapshot_name(token))
    headline, body = story_text("bridge", 8)
    new = live(make_article, headline, body=body, section="News")
    assert {story_of(newsroom, pk) for pk in shown(new)} == {"bridge"}
    assert new.pk in stored(newsroom["bridge-1"])
    assert EngineState.objects.get().snapshot == token
    assert default_storage.exists(state.snapshot_name(token))  # left for neighbours


def test_a_failed_update_keeps_the_event_for_the_background_job(newsroom, make_article, live,
                                                                 monkeypatch):
    from masthead.recommendations import jobs, lists

    real_write = lists.write

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lists, "write", broken)
    headline, body = story_text("chess", 8)
    new = live(make_article, headline, body=body, section="News")  # no exception escapes
    assert not RelatedArticle.objects.filter(article=new).exists()
    monkeypatch.setattr(lists, "write", real_write)
    jobs.keep_lists_fresh()
    assert {story_of(newsroom, pk) for pk in shown(new)} == {"chess"}


def test_bulk_import_builds_the_lists(db, django_capture_on_commit_callbacks):
    from masthead.importers.records import ArticleRecord
    from masthead.importers.services import store_records

    records = [ArticleRecord(*story_text(story, n), key=f"{story}-{n}")
               for story in ("bridge", "chess") for n in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=True):
        store_records(records)
    lists = services.export_lists()
    assert sorted(lists["bridge-1"]) == ["bridge-2", "bridge-3"]
    assert sorted(lists["chess-3"]) == ["chess-1", "chess-2"]


def test_the_background_job_refits_once_a_fifth_of_the_corpus_changed(newsroom, make_article,
                                                                        live, monkeypatch):
    from masthead.recommendations import jobs

    monkeypatch.setattr(services, "SMALL_CORPUS", 0)  # as on a large site: not in the request
    before = EngineState.objects.get()
    for n in range(5, 5 + int(before.articles * services.REFIT_SHARE) + 1):
        live(make_article, *story_text("chess", n)[:1], body=story_text("chess", n)[1])
    due = EngineState.objects.get()
    assert due.refit_due and due.generation == before.generation
    jobs.keep_lists_fresh()
    after = EngineState.objects.get()
    assert after.generation == before.generation + 1 and not after.refit_due
    assert after.changes == 0 and after.articles == before.articles + due.changes


def test_a_first_build_writes_without_reading_or_deleting_and_a_rebuild_after_it_agrees(
        newsroom):
    """A rebuild over an empty lists table (a first build, as after an import) skips the
    per-chunk read and delete of old rows (on PostgreSQL planned as a scan of the growing
    table); it stores what a rebuild over existing lists stores, and a rebuild after it
    rewrites the same rows and reports no list changed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows():
        return list(RelatedArticle.objects.order_by("article_id", "rank").values_list(
            "article_id", "related_id", "rank", "pinned"))

    over_existing = services.rebuild()
    kept = rows()
    assert kept and over_existing.lists_changed == 0
    RelatedArticle.objects.all().delete()
    table = RelatedArticle._meta.db_table
    with CaptureQueriesContext(connection) as seen:
        first = services.rebuild()
    statements = [q["sql"] for q in seen.captured_queries if table in q["sql"]]
    assert not [s for s in statements if s.lstrip().upper().startswith("DELETE")
                and "NOT" not in s.upper()]  # only drop_invisible's anti-join
    assert rows() == kept
    assert first.lists_changed == len({a for a, *_ in kept})
    again = services.rebuild()
    assert rows() == kept and again.lists_changed == 0
