"""Scoring comments without scikit-learn (issue 7): the pure-Python path equals the trained one.

Training hashes n-grams with scikit-learn's `HashingVectorizer` and weighs them with SciPy; the
comment form scores with `spam/hashing.py` and `spam/scoring.py` alone. These tests hold the two
to the same buckets and, for whole models, to the same scores within 1e-9 — on generated text
(any Unicode, emoji, runs of white space, empty and very long bodies) and on the shared YouTube
corpus when it is present — and check that loading and scoring import no NumPy, SciPy or
scikit-learn in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.utils import murmurhash3_32 as sklearn_murmurhash3_32

from masthead.comments.spam import (
    CommentText,
    SpamModel,
    SpamModelError,
    dump_model,
    load_filter,
    load_model,
    train,
)
from masthead.comments.spam.corpus import load_youtube_spam, youtube_spam_path
from masthead.comments.spam.features import CHAR_HASHER, WORD_HASHER
from masthead.comments.spam.hashing import (
    CHAR,
    N_FEATURES,
    WORD,
    bucket_of_hash,
    murmurhash3_32,
)
from masthead.comments.spam.model import reference_scores
from masthead.comments.spam.scoring import TfidfColumns
from masthead.comments.spam.text import prepare

from .test_spam_filter import HAND_MADE, HOSTILE

DATA = Path(__file__).parent / "data"
TOLERANCE = 1e-9
needs_corpus = pytest.mark.skipif(
    not youtube_spam_path().exists(),
    reason=f"shared YouTube spam corpus not found at {youtube_spam_path()}",
)

# Text that stresses the analyzers: words, digits, punctuation, emoji (some outside the BMP and
# joined by ZWJ), accented and case-changing letters ("İ" lowercases to two characters), and
# runs of every kind of white space, including the Unicode ones str.split() knows.
_PIECES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.sampled_from(["the", "Subscribe", "my", "channel", "http://x.co/a?b=1", "zzlink",
                     "İstanbul", "STRASSE", "straße", "ﬁne", "naïve", "Ω", "don't", "a_b", "42"]),
    st.sampled_from(["😀", "🔥🔥", "👩‍👩‍👧", "🇬🇧", "❤️", "!!!", "…", "¡", "订阅", "قناتي"]),
    st.text(st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u3000"),
            min_size=1, max_size=6),
)
TEXTS = st.lists(_PIECES, max_size=40).map("".join)
EDGE_TEXTS = ["", " ", "  \n\t ", "a", "ab", "a b", "I", "x" * 9_000,
              "word " * 2_000, "🔥" * 3_000, "İ" * 50, "Ǆ ǅ ǆ"]  # fmt: skip


def _sklearn_counts(hasher, text: str) -> dict[int, int]:
    row = hasher.transform([text]).tocsr()
    return {int(i): int(v) for i, v in zip(row.indices, row.data, strict=True)}


def _assert_hashing_equal(text: str) -> None:
    for ours, theirs in ((WORD, WORD_HASHER), (CHAR, CHAR_HASHER)):
        assert ours.ngrams(text) == theirs.build_analyzer()(text)
        assert ours.counts(text) == _sklearn_counts(theirs, text)


# --- hashing ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=40), seed=st.integers(0, 2**32 - 1))
@example(data=b"", seed=0)
def test_murmurhash3_equals_scikit_learns_for_any_bytes(data, seed):
    assert murmurhash3_32(data, seed) == sklearn_murmurhash3_32(data, seed=seed, positive=False)


def test_the_most_negative_hash_goes_to_scikit_learns_bucket():
    # scikit-learn writes this case out because C's abs(-2**31) overflows (_hashing_fast.pyx).
    for n in (N_FEATURES, 2**18, 1000, 7):
        assert bucket_of_hash(-(2**31), n) == (2147483647 - (n - 1)) % n
        assert bucket_of_hash(-5, n) == 5 % n


@settings(max_examples=200, deadline=None)
@given(text=TEXTS)
def test_pure_hashing_gives_scikit_learns_buckets_for_any_text(text):
    _assert_hashing_equal(text)


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=range(len(EDGE_TEXTS)))
def test_pure_hashing_gives_scikit_learns_buckets_for_edge_cases(text):
    _assert_hashing_equal(text)


@needs_corpus
def test_pure_hashing_gives_scikit_learns_buckets_on_the_youtube_corpus():
    texts = [row["text"] for row in load_youtube_spam()]
    texts += [prepare(CommentText(t)).text for t in texts]  # what scoring actually hashes
    for ours, theirs in ((WORD, WORD_HASHER), (CHAR, CHAR_HASHER)):
        matrix = theirs.transform(texts).tocsr()
        for i, text in enumerate(texts):
            start, end = matrix.indptr[i], matrix.indptr[i + 1]
            expected = dict(zip(matrix.indices[start:end].tolist(),
                                matrix.data[start:end].astype(int).tolist(), strict=True))
            assert ours.counts(text) == expected, text


# --- scores -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> SpamModel:
    return train(HAND_MADE)


@pytest.fixture(scope="module")
def loaded(model) -> SpamModel:
    return load_model(dump_model(model))


def _assert_scores_equal(engine: SpamModel, comments: list[CommentText]) -> None:
    ours = engine.score_many(comments)
    assert ours == pytest.approx(reference_scores(engine, comments), abs=TOLERANCE, rel=0)


@settings(max_examples=100, deadline=None)
@given(body=TEXTS, author=TEXTS, url=st.text(max_size=60))
def test_pure_scores_equal_scikit_learn_scores_for_any_text(model, loaded, body, author, url):
    comments = [CommentText(body, author=author, url=url)]
    _assert_scores_equal(model, comments)
    _assert_scores_equal(loaded, comments)


def test_pure_scores_equal_scikit_learn_scores_on_hostile_and_edge_cases(model, loaded):
    comments = [c for c, _ in HAND_MADE] + HOSTILE + [CommentText(t) for t in EDGE_TEXTS]
    _assert_scores_equal(model, comments)
    _assert_scores_equal(loaded, comments)


@pytest.mark.slow
@needs_corpus
def test_pure_scores_equal_scikit_learn_scores_on_the_youtube_corpus():
    rows = load_youtube_spam()
    comments = [CommentText(r["text"], author=r["author"]) for r in rows]
    # Untuned: the same arithmetic, a tenth of the training time.
    trained = train(zip(comments, [r["label"] == "spam" for r in rows], strict=True), tune=False)
    _assert_scores_equal(trained, comments)
    _assert_scores_equal(load_model(dump_model(trained)), comments)


def _fixture_comment(fields: dict) -> CommentText:
    def value(v):
        return bytes.fromhex(v["bytes"]) if isinstance(v, dict) else v

    return CommentText(**{k: value(v) for k, v in fields.items()})


def test_a_model_stored_before_issue_7_loads_and_scores_as_it_did():
    # Written, and scored, by the scikit-learn scoring path this module replaced.
    stored = json.loads((DATA / "spam_model_format1_scores.json").read_text())
    comments = [_fixture_comment(c) for c in stored["comments"]]
    engine = load_filter((DATA / "spam_model_format1.bin").read_bytes())
    assert isinstance(engine, SpamModel)
    assert engine.score_many(comments) == pytest.approx(stored["scores"], abs=TOLERANCE, rel=0)


def test_a_loaded_model_writes_back_the_same_model(loaded):
    again = load_model(dump_model(loaded))
    comments = [c for c, _ in HAND_MADE] + HOSTILE
    assert again.score_many(comments) == loaded.score_many(comments)
    assert list(again.words.columns) == list(loaded.words.columns)


def test_a_model_with_unsorted_columns_is_refused(model):
    columns = list(model.words.columns)
    columns[0], columns[1] = columns[1], columns[0]
    shuffled = SpamModel(
        words=TfidfColumns(columns, model.words.idf), chars=model.chars, hand=model.hand,
        coef_words=model.coef_words, coef_chars=model.coef_chars, coef_hand=model.coef_hand,
        intercept=model.intercept,
    )
    with pytest.raises(SpamModelError):
        load_model(dump_model(shuffled))


# --- what scoring imports -------------------------------------------------------------------

PROBE = """
import json, sys
import masthead.comments.spam as s
engine = s.load_filter(open(sys.argv[1], "rb").read())
comment = s.CommentText("Check out my channel http://youtube.com/c/x, subscribe!!", author="v4u")
result = engine.classify(comment)
rules = s.load_filter(None).classify(comment)
heavy = sorted(m for m in ("numpy", "scipy", "sklearn") if m in sys.modules)
print(json.dumps({"engine": type(engine).__name__, "score": result.score,
                  "rules": rules.score, "heavy": heavy}))
"""


def test_loading_and_scoring_a_model_imports_no_numpy_scipy_or_sklearn(model, tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(dump_model(model))
    result = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                            text=True, timeout=120, check=True)
    out = json.loads(result.stdout)
    assert out["heavy"] == []
    assert out["engine"] == "SpamModel"
    comment = CommentText("Check out my channel http://youtube.com/c/x, subscribe!!", author="v4u")
    assert out["score"] == model.score(comment)
    assert out["score"] == pytest.approx(reference_scores(model, [comment])[0], abs=TOLERANCE)
