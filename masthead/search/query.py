"""What a reader typed, understood once for every backend: words, "phrases" and -exclusions.

The grammar is the one readers know from web search engines:

- `budget vote`        both words must appear (stemmed: "votes", "voting" match too);
- `"budget vote"`      the exact phrase (an unclosed quote runs to the end of the query);
- `-strike`, `-"x y"`  leave out articles containing the word or phrase.

Everything else is punctuation: operators of the underlying engines (`AND`, `NEAR`, `*`, `:`,
`^`...) are never passed through, because each backend builds its own expression from the
parsed words and quotes every one of them. A word joined by punctuation (`covid-19`,
`o'brien`) is searched as a phrase of its parts, as both engines tokenise it that way.
English function words are dropped from bare terms (PostgreSQL's `english` configuration does
the same, so the two backends agree); inside quotes they are kept for the phrase to match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 500
# Beyond this many words an AND query matches nothing useful and only costs time.
MAX_TERMS = 32
MAX_WORD_LENGTH = 64

# Letters and digits in any script, as SQLite's unicode61 and PostgreSQL's parser split words.
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# An optional minus, then a quoted phrase (closing quote optional) or a run of non-space.
_TOKEN_RE = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves
""".split())


class QueryError(ValueError):
    """A query that cannot be searched; `code` picks the friendly message shown to the reader."""

    MESSAGES = {
        "empty": "Type a word or two to search the archive.",
        "too_long": f"That search is too long: please use fewer than {MAX_QUERY_LENGTH} "
                    "characters.",
        "no_terms": "That search has no words we can look for. Try a name, a place or a topic; "
                    "words such as “the” or a leading minus sign alone are not searched.",
        "bad_date": "Dates must be written as YYYY-MM-DD.",
        "bad_page": "That page number is not valid.",
        "bad_filter": "That section, tag or author is not one of ours.",
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(self.MESSAGES[code])


@dataclass(frozen=True)
class ParsedQuery:
    """A query as word sequences: each term and phrase must match, no exclusion may."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def single_word(self) -> str | None:
        """The word of a one-word query (the only kind "did you mean" corrects)."""
        if len(self.terms) == 1 and not self.phrases:
            return self.terms[0]
        return None

    def replacing(self, old: str, new: str) -> ParsedQuery:
        return ParsedQuery(tuple(new if t == old else t for t in self.terms), self.phrases,
                           self.excluded)

    def text(self) -> str:
        """The query written back in the reader's syntax (also valid websearch syntax)."""
        parts = list(self.terms)
        parts += [f'"{" ".join(p)}"' for p in self.phrases]
        parts += ["-" + (e[0] if len(e) == 1 else f'"{" ".join(e)}"') for e in self.excluded]
        return " ".join(parts)


def _words(text: str) -> list[str]:
    return [w[:MAX_WORD_LENGTH] for w in _WORD_RE.findall(text.lower())]


def parse(raw: str | None) -> ParsedQuery:
    """Parse a reader's query or raise `QueryError` saying why it cannot be searched."""
    raw = (raw or "").replace("\x00", " ").strip()
    if not raw:
        raise QueryError("empty")
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError("too_long")
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for minus, quoted, bare in _TOKEN_RE.findall(raw):
        words = _words(quoted if quoted else bare)
        if not words or (len(words) == 1 and words[0] in STOPWORDS):
            continue
        if minus:
            excluded.append(tuple(words))
        elif len(words) == 1:
            terms.append(words[0])  # a quoted single word is just the word
        else:
            phrases.append(tuple(words))
    terms = list(dict.fromkeys(terms))
    phrases = list(dict.fromkeys(phrases))
    excluded = list(dict.fromkeys(excluded))
    if not terms and not phrases:
        raise QueryError("no_terms")
    budget = MAX_TERMS
    kept_terms = terms[:budget]
    budget -= len(kept_terms)
    kept_phrases = phrases[:max(0, budget)]
    budget -= len(kept_phrases)
    return ParsedQuery(tuple(kept_terms), tuple(kept_phrases), tuple(excluded[:max(0, budget)]))
