"""Text → weighted term rows: stop words, word pairs, headline and lead weights, pruning, growth."""

from __future__ import annotations

import numpy as np

from masthead.recommendations.engines.text import TextSettings, Vectoriser


def names_of(v: Vectoriser, row) -> dict[str, float]:
    cols, vals = row
    return {v.vocab.name(int(c)): float(x) for c, x in zip(cols, vals)}


def fitted(texts, **settings):
    v = Vectoriser(TextSettings(**settings))
    x = v.fit_transform(texts)
    rows = [
        (x.indices[x.indptr[i] : x.indptr[i + 1]], x.data[x.indptr[i] : x.indptr[i + 1]])
        for i in range(x.shape[0])
    ]
    return v, x, rows


TEXTS = [
    ("Red Sox offer", "The Red Sox made an offer to Teixeira."),
    ("Angels wait", "The Angels wait while the Red Sox talk to Teixeira."),
    ("Rain in Leeds", "Heavy rain fell on Leeds and the rivers rose."),
]


def test_rows_are_unit_length_and_skip_stop_words():
    v, x, rows = fitted(TEXTS)
    assert np.allclose(np.sqrt(x.multiply(x).sum(axis=1)), 1.0)
    terms = names_of(v, rows[0])
    assert "the" not in terms and "an" not in terms and "to" not in terms
    assert "teixeira" in terms


def test_word_pairs_seen_in_two_articles_become_features():
    v, _, rows = fitted(TEXTS)
    assert "red sox" in names_of(v, rows[0]) and "red sox" in names_of(v, rows[1])
    # A pair seen once carries no similarity and is not kept (min_pair_df=2).
    assert "heavy rain" not in names_of(v, rows[2])


def test_the_headline_counts_on_top_of_the_body():
    texts = [("Glacier", "glacier moraine"), ("Moraine", "glacier moraine"), ("x", "glacier")]
    # The lead ramp is switched off so that only the headline tells the two words apart.
    v, _, rows = fitted(texts, pairs=False, max_df=1.0, lead_weight=1.0)
    first, second = names_of(v, rows[0]), names_of(v, rows[1])
    assert first["glacier"] > first["moraine"]
    assert second["moraine"] > second["glacier"]


def test_headline_words_can_be_boosted_further():
    texts = [("Glacier", "moraine"), ("moraine", "Glacier"), ("Glacier moraine", "")]
    v, _, rows = fitted(texts, pairs=False, max_df=1.0, title_weight=2.0, lead_weight=1.0)
    assert names_of(v, rows[0])["glacier"] > names_of(v, rows[0])["moraine"]


def test_each_article_keeps_only_its_strongest_terms():
    body = " ".join(f"w{i}" for i in range(50))
    v, x, _ = fitted([("a", body), ("b", body[: len(body) // 2])], keep_terms=10, pairs=False)
    assert np.diff(x.indptr).max() == 10


def test_vocabulary_grows_after_the_fit_and_new_words_get_high_idf():
    v, _, _ = fitted(TEXTS)
    tok = v.tokenise("Zyxolandia", "Zyxolandia votes", grow=True)
    v.add_df(tok, +1)
    terms = names_of(v, v.weigh_one(tok))
    assert max(terms, key=terms.get) == "zyxolandia"


def test_unknown_words_are_ignored_when_not_growing():
    v, _, _ = fitted(TEXTS)
    tok = v.tokenise("Zyxolandia", "Teixeira", grow=False)
    assert {v.vocab.name(int(c)) for c in tok.cols} == {"teixeira"}


def test_the_lead_weighs_more_than_the_rest_of_the_body():
    filler = " ".join(f"filler{i}" for i in range(150))
    texts = [("x", f"glacier {filler} moraine scree"), ("y", "glacier moraine scree")]
    v, _, rows = fitted(texts, pairs=False, max_df=1.0)
    terms = names_of(v, rows[0])
    assert terms["glacier"] > 2 * terms["moraine"]  # 1 + log 4 against 1
    # Past the ramp (``lead_terms`` content words) every word counts the same again.
    assert terms["moraine"] == terms["scree"]
    _, _, flat = fitted(texts, pairs=False, max_df=1.0, lead_weight=1.0)
    assert names_of(v, flat[0])["glacier"] == names_of(v, flat[0])["moraine"]


def test_a_story_whose_lead_matches_beats_one_matching_the_background():
    # The query's lead is about a heist; its later paragraphs recall an older fire. Without
    # lead weighting the fire story, which shares more words, wins.
    lead = "jewellers robbed avenue montaigne gang"
    background = "warehouse fire docks blaze firefighters smoke"
    query = ("Heist", f"{lead} {' '.join(f'w{i}' for i in range(120))} {background}")
    heist = ("Robbery", lead)
    fire = ("Fire", f"{background} {background}")
    rest = [(f"other{i}", f"unrelated{i} words{i}") for i in range(3)]
    for lead_weight, winner in ((4.0, 1), (1.0, 2)):
        _, x, _ = fitted([query, heist, fire, *rest], pairs=False, lead_weight=lead_weight)
        sims = (x @ x[0].T).toarray().ravel()
        assert int(np.argmax(sims[1:3])) + 1 == winner


def test_forked_tokenising_numbers_and_weighs_as_one_process(monkeypatch):
    # After the pair sample, articles are tokenised in forked workers that give unseen words
    # stand-in columns; this process numbers them in reading order. Everything must be as one
    # process made it: vocabulary, column numbers, df, the tf-idf rows, and the lists.
    import dataclasses

    from masthead.recommendations.engines import LexicalEngine, LexicalSettings
    from masthead.recommendations.engines import text as text_module

    from .test_engine_corpora import generated

    monkeypatch.setattr(text_module, "_BATCH", 16)  # several tasks
    docs = generated(n_stories=30, per_story=5)
    docs += [dataclasses.replace(d, key=f"{d.key}-new", title=f"{d.title} zyzzyva{i}",
                                 body=f"quokka{i} {d.body} zyzzyva{i} brandnewword{i % 3}")
             for i, d in enumerate(docs[:40])]  # words first seen after the sample
    settings = LexicalSettings(text=TextSettings(pair_sample=25), min_docs_for_topics=20,
                               topic_dims=8)
    engines = []
    for processes in (1, 2):
        engine = LexicalEngine(settings)
        engine.processes = processes
        engine.fit(docs)
        engines.append(engine)
    one, two = (e.features for e in engines)
    v1, v2 = one.vectoriser.vocab, two.vectoriser.vocab
    assert v1.names == v2.names and v1.word_col == v2.word_col
    assert "brandnewword1" in v1.word_col and v1.word_col["zyzzyva39"] > v1.pair_cols[0]
    np.testing.assert_array_equal(v1.df, v2.df)
    a, b = one.text.blocks[0].matrix, two.text.blocks[0].matrix
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert one.vectoriser.avg_len == two.vectoriser.avg_len
    lists = [{d.key: [(r.key, r.score) for r in e.related(d.key, 8)] for d in docs}
             for e in engines]
    assert lists[0] == lists[1]
