"""Synthetic news content of realistic shape for the benchmarks (deterministic by seed).

Articles are 500-1,200 words in 6-12 paragraphs under 2-4 `##` sub-headings, with a
standfirst, one of 8 sections, 1-4 of 300 tags (a few tags are far more common than the rest,
as on real sites), 1-2 of 60 authors, publication times spread over three years, and a few
approved comments on about one article in five. Text is pseudo-words built from syllables, so
that no word list is needed and sizes match real copy.
"""

from __future__ import annotations

import datetime as dt
import random

from masthead.importers.records import ArticleRecord, CommentRecord

SECTIONS = ["World", "Politics", "Business", "Technology", "Science", "Sport", "Culture",
            "Opinion"]
_SYLLABLES = ("ar be co da el fi go ha in jo ka le mi no or pa qui re sa ti un ve wa xe yo "
              "za ber con dis est for gen har ist lan mor nes pro sen ter und ver".split())
_COMMON = ("the of and to in a is that for on was with he it as at by his be from are this "
           "have but not had they which or one you were an all her she there would their "
           "we him been has when who will more no if out so said what up its about into "
           "than them can only other new some could time these two may then do first any "
           "my now such like our over man me even most made after also did many before "
           "must through back years where much your way well down should because each "
           "just those people how too little state good very make world still own see "
           "men work long get here between both life being under never day same another "
           "know while last might us great old year off come since against go came right "
           "used take three government minister police city council report officials").split()


class Writer:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.vocabulary = sorted({
            "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.choice((1, 2, 2, 3))))
            for _ in range(4000)
        })

    def word(self) -> str:
        if self.rng.random() < 0.55:
            return self.rng.choice(_COMMON)
        return self.rng.choice(self.vocabulary)

    def sentence(self, low=8, high=24) -> str:
        words = [self.word() for _ in range(self.rng.randint(low, high))]
        return " ".join(words).capitalize() + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 6)))

    def title(self) -> str:
        return " ".join(self.word() for _ in range(self.rng.randint(5, 10))).capitalize()

    def body(self) -> str:
        parts = [self.paragraph(), self.paragraph()]
        for _ in range(self.rng.randint(2, 4)):
            parts.append("## " + self.title())
            parts += [self.paragraph() for _ in range(self.rng.randint(1, 3))]
        return "\n\n".join(parts)


def records(n: int, *, seed: int = 7, comments_every: int = 5, hot_comments: int = 50,
            bodies: int = 0):
    """`n` ArticleRecords, newest first; the first one ("hot") has `hot_comments` comments.

    `bodies` > 0 reuses that many distinct bodies (for 100k-article sites, where rendering
    Markdown for every article would dominate the build time and not change page size)."""
    w = Writer(seed)
    rng = w.rng
    tags = [w.title().split()[0].capitalize() + f" {w.word()}" for _ in range(300)]
    authors = [f"{w.word().capitalize()} {w.word().capitalize()}" for _ in range(60)]
    pool = [w.body() for _ in range(bodies)] if bodies else None
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=3 * 365) / max(n, 1)
    for i in range(n):
        count = hot_comments if i == 0 else (
            rng.randint(1, 12) if rng.randrange(comments_every) == 0 else 0)
        published = start - step * i
        yield ArticleRecord(
            key=f"bench-{i}",
            title=w.title(),
            body=pool[i % len(pool)] if pool else w.body(),
            standfirst=w.sentence(14, 28),
            section=SECTIONS[rng.randrange(len(SECTIONS))],
            tags=sorted({tags[min(int(rng.paretovariate(0.9)) - 1, 299)]
                         for _ in range(rng.randint(1, 4))}),
            authors=rng.sample(authors, rng.choice((1, 1, 1, 2))),
            published_at=published,
            comments=[
                CommentRecord(key=f"c{i}-{c}", author=f"Reader {c}", body=w.paragraph(),
                              email=f"reader{c}@example.org", status="approved",
                              created_at=published + dt.timedelta(minutes=5 * (c + 1)),
                              parent_key=f"c{i}-{c - 1}" if c % 3 == 2 else "")
                for c in range(count)
            ],
        )


def mark_featured(every: int = 40) -> int:
    """Editors feature a few stories; the importer has no such field, so mark every n-th."""
    from masthead.articles.models import Article

    if Article.objects.filter(featured=True).exists():
        return 0
    ids = list(Article.objects.order_by("-published_at").values_list("pk", flat=True)[::every])
    return Article.objects.filter(pk__in=ids).update(featured=True)
