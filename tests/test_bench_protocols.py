"""bench/related_protocol.py and bench/spam_protocol.py: the splits mirror the unseen checks
(issue 19). The figures themselves come from running the scripts, not from the test suite."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import related_protocol  # noqa: E402
import spam_protocol  # noqa: E402


def test_spam_parts_are_drawn_as_the_unseen_set_was():
    # Per (video, label), 20 % of the ids held out: every group keeps its share, and another
    # seed draws another part.
    rows = [{"id": f"{v}-{lab}-{i}", "video": v, "label": lab}
            for v in ("Psy", "Eminem") for lab in ("spam", "ham") for i in range(10 + len(v))]
    held = spam_protocol.as_held_out(rows, seed=1)
    for v in ("Psy", "Eminem"):
        for lab in ("spam", "ham"):
            group = [r["id"] for r in rows if r["video"] == v and r["label"] == lab]
            assert sum(i in held for i in group) == round(0.2 * len(group))
    assert held != spam_protocol.as_held_out(rows, seed=2)
    assert held == spam_protocol.as_held_out(rows, seed=1)


@pytest.fixture
def sections_mode():
    saved = related_protocol.WITH_SECTIONS, related_protocol.CROSS_FILED
    yield
    related_protocol.WITH_SECTIONS, related_protocol.CROSS_FILED = saved


def test_related_engine_gets_sections_as_import_jsonl_reads_them(sections_mode):
    bbc = {"id": "bbc-tech-001", "category": "tech"}
    ecb = {"id": "ecbplus-1_1ecb", "category": "topic-01", "story": "01-a"}
    wiki = {"id": "wikinews-00", "category": None}
    related_protocol.WITH_SECTIONS, related_protocol.CROSS_FILED = True, False
    assert [related_protocol.section_as_imported(r) for r in (bbc, ecb, wiki)] == \
        ["tech", "topic-01", ""]
    related_protocol.CROSS_FILED = True
    assert related_protocol.section_as_imported(ecb) in related_protocol.CROSS_SECTIONS
    assert related_protocol.section_as_imported(bbc) == "tech"
    related_protocol.WITH_SECTIONS = False
    assert related_protocol.section_as_imported(bbc) == ""


def test_spam_periods_are_whole_stretches_of_time_per_video():
    rows = [{"id": f"{v}-{i}", "video": v, "date": f"2014-01-{i + 1:02d}T10:00:00"}
            for v in ("Psy", "Shakira") for i in range(10)]
    parts = [spam_protocol.period_part(rows, i) for i in range(5)]
    assert set().union(*parts) == {r["id"] for r in rows}  # every comment held out once
    assert sum(len(p) for p in parts) == len(rows)
    assert parts[4] == {"Psy-8", "Psy-9", "Shakira-8", "Shakira-9"}  # the latest fifth


@pytest.fixture
def feature_set():
    import spam_features

    yield spam_features
    spam_features.use("shipped")


@pytest.mark.parametrize("name", ["extra cues", "hand weight 1.0", "extra cues, hand weight 1.0",
                                  "no word n-grams"])
def test_spam_feature_variants_train_and_score_the_same_features(feature_set, name):
    from masthead.comments.spam import model as spam_model
    from masthead.comments.spam.corpus import load_youtube_spam
    from masthead.comments.spam.text import CommentText

    try:
        rows = load_youtube_spam()[:300]
    except FileNotFoundError as exc:
        pytest.skip(f"shared spam corpus absent: {exc}")
    comments = [CommentText(body=r["text"], author=r["author"]) for r in rows]
    feature_set.use(name)
    m = spam_model.train(list(zip(comments, [r["label"] == "spam" for r in rows])), tune=False)
    extra = name.startswith("extra cues")
    assert len(m.coef_hand) == 19 + 9 * extra
    assert (len(m.coef_words) == 0) == (name == "no word n-grams")
    # The pure-Python scorer the site serves with reads the variant exactly as training did.
    served = m.score_many(comments[:50])
    reference = spam_model.reference_scores(m, comments[:50])
    assert max(abs(a - b) for a, b in zip(served, reference, strict=True)) < 1e-9
    feature_set.use("shipped")  # restored: served scores change back (or the model refuses)
    fields = ("words", "chars", "hand", "coef_words", "coef_chars", "coef_hand", "intercept")
    if extra:
        with pytest.raises(ValueError, match="hand-feature weights"):
            type(m)(**{k: getattr(m, k) for k in fields})
    elif "hand weight" in name:
        assert m.score_many(comments[:50]) != served

def test_spam_extra_cues_read_links_contacts_and_shape(feature_set):
    from masthead.comments.spam.text import CommentText, prepare

    cues = dict(zip(feature_set.EXTRA, feature_set.extra_cues(prepare(CommentText(
        body="CHECK OUT my channel http://bit.ly/x?y=1 www.foo.com/a/b me@x.com "
             "+1 555 123 4567 go go go go 😀")))))
    assert cues["hosts"] > 0 and cues["shortener"] == 1 and cues["link_path"] == 1
    assert cues["email"] == 1 and cues["phone"] == 1
    assert cues["emoji_ratio"] > 0 and cues["repeated_words"] > 0 and cues["caps_words"] > 0
    plain = dict(zip(feature_set.EXTRA, feature_set.extra_cues(prepare(CommentText(
        body="I love this song so much")))))
    assert all(v == 0 for v in plain.values())


def test_spam_runs_made_in_parallel_are_joined_by_split_and_periods_can_veto(tmp_path):
    def fig(recall):
        return {k: 0.0 for k in spam_protocol.KEYS} | {"precision": 0.99, "recall": recall,
                                                          "flagged_recall": recall}
    base, new = spam_protocol.CURRENT, "extra cues: " + spam_protocol.CURRENT
    files = []
    for tag, name, gain in (("a", base, 0.0), ("b", new, 0.01)):
        per = [{"kind": kind, "held_out": [str(i)], "n_test": 1, "plain tf-idf + LR": fig(0.9),
                name: fig(0.95 + gain - (0.05 if kind == "periods" else 0.0) * (tag == "b"))}
               for kind in ("leave-one-out", "leave-two-out", "as-held-out", "periods")
               for i in range(3)]
        (tmp_path / f"{tag}.json").write_text(spam_protocol.json.dumps({"per_split": per}))
        files.append(str(tmp_path / f"{tag}.json"))
    per = spam_protocol.merged(files)
    assert len(per) == 12 and all(base in r and new in r for r in per)
    keep = spam_protocol.report(per, base)["keep_rule"][new]
    assert keep["select"]["mean_gain"] > 0 and keep["confirm"]["mean_gain"] > 0
    assert keep["periods"]["mean_gain"] < 0 and not keep["kept"]  # a loss on late comments vetoes
