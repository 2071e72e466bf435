"""Why the spam filter scored a comment as it did, in a moderator's words.

The score alone ("0.62") asks the moderator to trust the filter; the cues it reads (the hand
features of `spam/cues.py`: links, self-promotion, money talk, shouting…) say what to look at.
Computed for the rows on screen only (pure Python, ~50 comments a page), never stored: the
cues follow the code, and a stored list would go stale when they change.
"""

from __future__ import annotations

from .spam.cues import HAND_FEATURES, hand_features
from .spam.text import CommentText, prepare

_INDEX = {name: n for n, name in enumerate(HAND_FEATURES)}
# (feature, threshold, words): the cue is named when the feature reaches the threshold.
_CUES = (
    ("has_link", 1.0, "links"),
    ("obfuscated_links", 1.0, "disguised link"),
    ("self_promo", 1.0, "self-promotion"),
    ("call_to_action", 1.0, "call to action"),
    ("money", 1.0, "money talk"),
    ("social", 1.0, "social media"),
    ("caps_ratio", 0.6, "shouting"),
    ("digit_ratio", 0.3, "many digits"),
    ("tags", 0.5, "HTML"),
    ("invisible", 0.5, "hidden characters"),
    ("author_link", 1.0, "link as name"),
)
VERDICT_WORDS = {"ham": "looks fine", "hold": "unsure", "spam": "likely spam"}


def cues(body: str, author: str = "", url: str = "") -> list[str]:
    """The spam cues present in a comment, most telling first."""
    prepared = prepare(CommentText(body=body, author=author, url=url))
    values = hand_features(prepared)
    found = [words for name, threshold, words in _CUES if values[_INDEX[name]] >= threshold]
    if "links" in found and len(prepared.urls) > 1:
        found[found.index("links")] = f"{len(prepared.urls)} links"
    elif "links" in found:
        found[found.index("links")] = "a link"
    return found


def annotate(comments) -> None:
    """Set `spam_cues` and `verdict_words` on each comment for the moderation queue."""
    for comment in comments:
        comment.spam_cues = cues(comment.body, comment.author_name, comment.author_url)
        comment.verdict_words = VERDICT_WORDS.get(comment.spam_verdict, "")
