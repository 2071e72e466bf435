""""Did you mean": the closest indexed word by edit distance, offered only if it finds something.

The vocabulary (`Word`) holds surface words, not stems, so a suggestion is a word a reader
would write. It grows as articles are indexed and is recounted by `search reindex`; words of
unpublished articles linger until then, which is why every suggestion is first tried against
the live index (`finds`) and dropped if it matches nothing.

Candidates come from two indexed lookups rather than a scan of the whole vocabulary: every
string one edit away (Norvig's generate-and-check, which catches a wrong first letter), then
words sharing the first letter with a length within two, ranked by Damerau-Levenshtein
distance (a transposition counts as one edit), fewer edits first, then the commoner word.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models.functions import Length

from .documents import Document, batched
from .models import Word

MAX_DISTANCE = 2
MAX_WORD = 30
_LETTERS = string.ascii_lowercase


def add(documents: Iterable[Document]) -> None:
    """Remember the words of newly indexed documents (existing counts are left alone)."""
    words: set[str] = set()
    for document in documents:
        words |= document.words()
    for batch in batched(sorted(words), 2000):
        Word.objects.bulk_create([Word(word=w, documents=1) for w in batch],
                                 ignore_conflicts=True)


def replace(counts: Counter[str]) -> int:
    """Replace the vocabulary with these document counts; returns the number of words."""
    with transaction.atomic():
        Word.objects.all().delete()
        for batch in batched(counts.items(), 5000):
            Word.objects.bulk_create([Word(word=w, documents=n) for w, n in batch])
    return len(counts)


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or limit + 1 if above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _one_edit_away(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {word}


def candidates(word: str) -> list[str]:
    """Vocabulary words near `word`, best first."""
    near = Word.objects.filter(word__in=_one_edit_away(word)).values_list("word", "documents")
    found = [(1, -n, w) for w, n in near]
    if not found:
        # Same first letter: a range on the primary key, so the index is used.
        first = word[0]
        rows = (Word.objects.filter(word__gte=first, word__lt=chr(ord(first) + 1))
                .annotate(length=Length("word"))
                .filter(length__range=(len(word) - MAX_DISTANCE, len(word) + MAX_DISTANCE))
                .values_list("word", "documents"))
        letters = set(word)
        for w, n in rows.iterator(chunk_size=5000):
            # One edit changes at most two letters of the symmetric set difference: a cheap
            # test that spares most words the full distance computation.
            if len(letters ^ set(w)) > 2 * MAX_DISTANCE:
                continue
            d = distance(word, w)
            if d <= MAX_DISTANCE and w != word:
                found.append((d, -n, w))
    return [w for _, _, w in sorted(found)]


def suggest(word: str, finds: Callable[[str], bool], tries: int = 3) -> str | None:
    """The best near word for which `finds(word)` is true, if any."""
    word = word.lower()
    if len(word) < 3 or len(word) > MAX_WORD or not word.isalpha():
        return None
    for candidate in candidates(word)[:tries]:
        if finds(candidate):
            return candidate
    return None
