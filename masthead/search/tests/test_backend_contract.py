"""The contract every search backend keeps, run against each engine (Wagtail's practice).

Articles are stored without running their signals, then indexed directly through the backend
under test, so these tests see the engine alone.
"""

from __future__ import annotations

from masthead.articles.models import Article
from masthead.search.documents import documents
from masthead.search.query import parse
from masthead.search.snippets import END, START

FILLER = "The council met on Tuesday to discuss the harbour budget and the new tram line."


def index(backend, *articles):
    ids = [a.pk for a in articles] or Article.objects.values_list("pk", flat=True)
    backend.index(documents(Article.objects.filter(pk__in=ids)))


def found(backend, raw, candidates=None, limit=10):
    candidates = candidates if candidates is not None else Article.objects.published()
    results = backend.search(parse(raw), candidates, offset=0, limit=limit, cap=100)
    return [h.article_id for h in results.hits]


def test_a_headline_match_ranks_above_a_body_match(backend, make_article):
    in_body = make_article("Weekend round-up of the harbour news",
                           body=f"{FILLER} A zeppelin was seen. Later the zeppelin left.")
    in_title = make_article("Zeppelin returns to the skies over Port Ellery", body=FILLER)
    make_article("Unrelated story", body=FILLER)
    index(backend)
    assert found(backend, "zeppelin") == [in_title.pk, in_body.pk]


def test_a_quoted_phrase_finds_only_the_words_side_by_side(backend, make_article):
    together = make_article("Talks", body=f"{FILLER} The interim deal was signed at noon.")
    apart = make_article("More talks", body=f"{FILLER} The deal, called interim, was signed.")
    index(backend)
    assert found(backend, '"interim deal"') == [together.pk]
    assert set(found(backend, "interim deal")) == {together.pk, apart.pk}


def test_an_excluded_word_or_phrase_leaves_its_articles_out(backend, make_article):
    strike = make_article("Port strike", body=f"{FILLER} Dockworkers strike over cranes.")
    quiet = make_article("Port quiet", body=f"{FILLER} Dockworkers back at work with cranes.")
    index(backend)
    assert found(backend, "dockworkers -strike") == [quiet.pk]
    assert found(backend, 'cranes -"back at work"') == [strike.pk]


def test_words_match_their_other_english_forms(backend, make_article):
    article = make_article("Polls", body=f"{FILLER} Elections were held and voters queued.")
    index(backend)
    assert found(backend, "election") == [article.pk]
    assert found(backend, "voter") == [article.pk]


def test_only_candidate_articles_are_returned_even_if_indexed(backend, make_article):
    visible = make_article("Seen", body=f"{FILLER} marmalade", section="World")
    draft = make_article("Draft", body=f"{FILLER} marmalade", status="draft")
    elsewhere = make_article("Other", body=f"{FILLER} marmalade", section="Science")
    index(backend, visible, draft, elsewhere)  # a stale entry for the draft, on purpose
    assert set(found(backend, "marmalade")) == {visible.pk, elsewhere.pk}
    world = Article.objects.published().filter(section__slug="world")
    assert found(backend, "marmalade", world) == [visible.pk]


def test_reindexing_an_article_replaces_its_words(backend, make_article):
    article = make_article("Before", body=f"{FILLER} aardvark")
    index(backend, article)
    article.body = f"{FILLER} okapi"
    article.save()
    article.body_html = "<p>okapi</p>"
    Article.objects.filter(pk=article.pk).update(body_html="<p>okapi</p>")
    index(backend, article)
    assert found(backend, "okapi") == [article.pk]
    assert found(backend, "aardvark") == []


def test_removed_articles_are_forgotten(backend, make_article):
    kept, gone = make_article("Kept", body="wombat"), make_article("Gone", body="wombat")
    index(backend)
    backend.remove([gone.pk, 999_999])
    assert found(backend, "wombat") == [kept.pk]
    assert backend.indexed_ids() == {kept.pk}


def test_the_count_stops_just_past_the_cap(backend, make_article):
    for n in range(5):
        make_article(f"Story {n}", body=f"{FILLER} quokka")
    index(backend)
    candidates = Article.objects.published()
    assert backend.count(parse("quokka"), candidates, cap=2) == 3
    assert backend.count(parse("quokka"), candidates, cap=10) == 5
    assert backend.count(parse("narwhal"), candidates, cap=10) == 0


def test_pages_follow_the_ranking_without_overlap(backend, make_article):
    for n in range(5):
        make_article(f"Story {n}" + " ibex" * n, body=f"{FILLER} ibex")
    index(backend)
    seen, total = [], None
    for offset in (0, 2, 4):
        page = backend.search(parse("ibex"), Article.objects.published(), offset=offset,
                              limit=2, cap=100)
        seen += [h.article_id for h in page.hits]
        total = page.total
        assert [h.score for h in page.hits] == sorted((h.score for h in page.hits),
                                                      reverse=True)
    assert total == 5
    assert sorted(seen) == sorted(Article.objects.values_list("pk", flat=True))


def test_hits_mark_the_matches_in_the_headline_and_the_snippet(backend, make_article):
    make_article("Zeppelin over the harbour", body=f"{FILLER} The zeppelin drifted east.")
    index(backend)
    (hit,) = backend.search(parse("zeppelin"), Article.objects.published(), offset=0,
                            limit=10, cap=100).hits
    assert f"{START}Zeppelin{END} over the harbour" in hit.title
    assert f"{START}zeppelin{END} drifted" in hit.snippet


def test_operator_characters_in_a_query_are_never_engine_syntax(backend, make_article):
    article = make_article("Near the title", body=f"{FILLER} near: title* (AND) OR ^")
    index(backend)
    for raw in ['NEAR(title)', 'title:"near', '"near" AND* ^title', 'near -"', '((("title']:
        assert found(backend, raw) in ([], [article.pk])
    assert found(backend, "near:title") == [article.pk]  # a phrase of the two words


def test_words_with_accents_match_as_written(backend, make_article):
    article = make_article("Zürich", body=f"{FILLER} A café in Zürich.")
    index(backend)
    assert found(backend, "zürich") == [article.pk]
    assert found(backend, "café") == [article.pk]


def test_without_candidates_the_whole_index_is_searched(backend, make_article):
    first, second = make_article("One", body="pangolin"), make_article("Two", body="pangolin")
    index(backend)
    page = backend.search(parse("pangolin"), None, offset=0, limit=10, cap=100)
    assert sorted(h.article_id for h in page.hits) == sorted([first.pk, second.pk])
    assert backend.count(parse("pangolin"), None, cap=100) == 2


def test_a_match_deep_in_a_long_body_is_still_marked_in_the_snippet(backend, make_article):
    # PostgreSQL looks for the snippet in the body's opening first (backends/postgres.py).
    make_article("Long read", body=f"{FILLER * 40} At last the okapi appeared.")
    index(backend)
    (hit,) = backend.search(parse("okapi"), None, offset=0, limit=10, cap=100).hits
    assert f"{START}okapi{END}" in hit.snippet
