"""The contract every related-articles engine honours, run against each implementation.

Pure tests: no database. A new engine joins by adding its factory to ``ENGINES``.
"""

from __future__ import annotations

import dataclasses

import pytest

from masthead.recommendations.engines import Doc, LexicalEngine, LexicalSettings, RelatedEngine

from .test_engine_corpora import LONERS, small_corpus, story_doc


def _with_every_evidence() -> LexicalEngine:
    # The lexical engine with the issue-19 evidence switched on (facts, figures that disagree,
    # publication-time distance): off by default, but every path must keep the contract.
    return LexicalEngine(LexicalSettings(facts_weight=0.05, conflict_weight=0.05,
                                         distance_weight=0.1, section_rank_weight=0.05,
                                         conflict_lead_words=50))


ENGINES = {"lexical": LexicalEngine, "lexical+evidence": _with_every_evidence}


@pytest.fixture(params=sorted(ENGINES))
def make_engine(request):
    return ENGINES[request.param]


@pytest.fixture
def engine(make_engine) -> RelatedEngine:
    e = make_engine()
    e.fit(small_corpus())
    return e


def keys(items) -> list[str]:
    return [r.key for r in items]


def test_engine_is_a_related_engine(engine):
    assert isinstance(engine, RelatedEngine)
    assert len(engine) == len(small_corpus())
    assert "bridge-1" in engine


def test_a_story_cluster_comes_back_together(engine):
    assert set(keys(engine.related("bridge-1", 2))) == {"bridge-2", "bridge-3"}
    assert set(keys(engine.related("chess-3", 2))) == {"chess-1", "chess-2"}


def test_unrelated_article_is_not_recommended_above_the_floor(engine):
    # Nothing shares a word with the beekeeping piece: it gets no list and is in no list.
    assert engine.related("loner-bees") == []
    for key in engine.keys():
        assert "loner-bees" not in keys(engine.related(key))


def test_lists_are_short_rather_than_padded_with_unrelated_articles(engine):
    # Two other bridge articles exist; the other stories share no words with them.
    assert keys(engine.related("bridge-1", 4)) == keys(engine.related("bridge-1", 2))


def test_scores_are_best_first_and_explained(engine):
    items = engine.related("balloon-1")
    assert [r.score for r in items] == sorted((r.score for r in items), reverse=True)
    assert all(r.explanation.terms for r in items)
    assert "balloon-1" not in keys(items)


def test_near_duplicate_is_removed_and_lists_name_distinct_stories(make_engine):
    # The same article republished under a new headline (as in bbc-duplicates-dropped.json).
    short = story_doc("bridge", 1)
    extra = " ".join(f"paragraph{i}" for i in range(120))
    original = dataclasses.replace(short, body=short.body + "\n\n" + extra)
    copy = dataclasses.replace(original, key="bridge-copy", title="Viaduct falls: the full story")
    corpus = [d for d in small_corpus() if d.key != "bridge-1"]
    e = make_engine()
    e.fit([*corpus, original, copy])
    assert "bridge-copy" not in keys(e.related("bridge-1"))
    assert "bridge-1" not in keys(e.related("bridge-copy"))
    # A third article sees one of the two copies, not both.
    assert len({"bridge-1", "bridge-copy"} & set(keys(e.related("bridge-2")))) == 1


def test_exclude_drops_keys_and_keeps_the_rest(engine):
    assert keys(engine.related("chess-1", 2, exclude={"chess-2"})) == ["chess-3"]
    assert engine.related("chess-1", 2, exclude=["chess-2", "chess-3", "unknown"]) == []


def test_explanation_names_shared_tags_section_and_authors(make_engine):
    a = story_doc("balloon", 1, section="Travel", tags=("Umbria", "Festivals"), authors=("Rosa",))
    b = story_doc("balloon", 2, section="Travel", tags=("festivals",), authors=("Rosa", "Ivo"))
    e = make_engine()
    e.fit([a, b, story_doc("chess", 1), *LONERS])
    (item,) = e.related(a.key, 1)
    assert item.key == b.key
    assert item.explanation.section == "Travel"
    assert item.explanation.tags == ("Festivals",)
    assert item.explanation.authors == ("Rosa",)
    assert "shared terms" in str(item.explanation)
    assert item.explanation.as_dict()["section"] == "Travel"


def test_unknown_keys(engine):
    with pytest.raises(KeyError):
        engine.related("nope")
    assert engine.remove("nope") == set()


def test_duplicate_keys_are_refused(make_engine):
    doc = story_doc("chess", 1)
    with pytest.raises(ValueError):
        make_engine().fit([doc, doc])


def test_an_empty_engine_accepts_articles_one_by_one(make_engine):
    e = make_engine()
    assert len(e) == 0
    for doc in small_corpus():
        e.upsert(doc)
    assert set(keys(e.related("bridge-2", 2))) == {"bridge-1", "bridge-3"}


def test_upsert_of_a_new_story_member_reaches_its_story(engine):
    changed = engine.upsert(story_doc("chess", 4))
    assert changed == {"chess-1", "chess-2", "chess-3"}
    assert set(keys(engine.related("chess-4", 3))) == {"chess-1", "chess-2", "chess-3"}
    assert "chess-4" in keys(engine.related("chess-1"))


def test_remove_updates_the_lists_that_showed_it(engine):
    changed = engine.remove("balloon-2")
    assert changed == {"balloon-1", "balloon-3"}
    assert "balloon-2" not in engine
    assert keys(engine.related("balloon-1")) == ["balloon-3"]


def test_upsert_of_an_edit_that_changes_nothing_visible_reports_nothing(engine):
    doc = story_doc("bridge", 2)
    assert engine.upsert(Doc(doc.key, doc.title, doc.body + " ")) == set()
    assert set(keys(engine.related("bridge-1", 2))) == {"bridge-2", "bridge-3"}


def test_all_related_covers_every_article(engine):
    lists = dict(engine.all_related())
    assert set(lists) == set(engine.keys())
    assert lists["loner-volcano"] == []
