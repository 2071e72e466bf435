"""The spam cues' fast paths (ASCII cleaning, C-level counting, link pre-filter) give exactly
what the plain per-character definitions give, for any text (issue 20: importing 5M comments
scores each one, so these run ~5 times per imported article)."""

from __future__ import annotations

import math
import unicodedata
from itertools import groupby

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.comments.spam import cues, text
from masthead.comments.spam.text import CommentText, prepare

# ASCII (with controls), the characters spam likes (fullwidth, bold maths, bidi, BOM), links.
_ALPHABET = st.one_of(
    st.characters(max_codepoint=127),
    st.sampled_from(list("ＡＢｃ𝐟𝐚\u202e\u200b\ufeffé²Ⓐß\u00a0\u2028!.:/")),
    st.characters(),
)
_TEXT = st.one_of(
    st.text(_ALPHABET, max_size=200),
    st.lists(st.sampled_from(["visit", "www.spam.com", "http://x", "bit.ly/q", "aaaa", "!!!",
                              "HELLO", "\t", "\n", "\r", "12345", "zonepa.com.", "dot com"]),
             max_size=30).map(" ".join),
)


def reference_clean(value, limit=text.MAX_CHARS):
    t = text.as_str(value)[:limit]
    t = t.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    t = unicodedata.normalize("NFKC", t)
    out, removed = [], 0
    for ch in t:
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            removed += ch != "\ufeff"
            out.append(" " if cat == "Cc" else "")
        else:
            out.append(ch)
    return "".join(out), removed


def reference_counts(p):
    t = p.text.replace("zzlink", " ").replace("zzhost", " ")
    letters = [c for c in t if c.isalpha()]
    visible = [c for c in t if not c.isspace()]
    run = max((sum(1 for _ in g) for _, g in groupby(t)), default=0)
    return (sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 8 else 0.0,
            sum(c.isdigit() for c in visible) / len(visible) if visible else 0.0,
            math.log1p(max(run - 2, 0)),
            float(sum(c.isdigit() for c in p.author) >= 3))


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_clean_equals_the_per_character_definition(value):
    assert text.clean(value) == reference_clean(value)


@settings(max_examples=400, deadline=None)
@given(_TEXT, _TEXT)
def test_counted_cues_equal_the_per_character_definitions(body, author):
    p = prepare(CommentText(body=body, author=author))
    values = cues.hand_features(p)
    names = ("caps_ratio", "digit_ratio", "max_run", "author_digits")
    assert tuple(values[cues.HAND_FEATURES.index(n)] for n in names) == reference_counts(p)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_link_prefilter_finds_every_link_token(body):
    expected = [t[:text.MAX_TOKEN] for t in body.split() if text._is_link_token(t)]
    assert text._find_urls(body) == expected


_CUE_WORDS = st.lists(st.sampled_from(
    ["My", "OUR", "new", "Channel", "check", "it", "OUT", "Subscribe", "sub4sub", "$", "5",
     "Dollars", "FREE", "per", "Day", "facebook", "zzhostYouTube", "ſubscribe", "İ", "K",
     "ı", "visit", "Win", "work from home", "\t", "."]), max_size=20).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_CUE_WORDS, _TEXT))
def test_cue_counts_equal_the_case_insensitive_patterns(body):
    expected = [len(c.findall(body)) for c in cues._CUES]
    assert cues._cue_counts(body) == expected


def test_long_runs_are_measured():
    assert cues._longest_run("ab" + "!" * 7 + "cc") == 7
    assert cues._longest_run("aabb") == 0  # below 3: the cue is 0 anyway
