"""The scale benchmark's synthetic archive, written as JSON Lines (CONTRACT.md's import format).

Article text comes from `bench/search_speed.py`'s `Corpus` (Zipf-distributed words over a 44k
vocabulary, 300 bursty topics, log-normal lengths around 450 words), so that search and the
related-articles engine see real-looking word statistics; the search queries are drawn from
the same corpus the same way (`search_speed.queries`). Around that text it adds what a
newsroom archive has and the search benchmark does not:

- 8 sections (the search benchmark's, so its section-filtered queries match);
- tags: n/50 of them (at most 20,000), 1-4 per article, Pareto-popular as on real sites;
- authors: n/500 of them (at least 60), one byline, sometimes two;
- a standfirst and 2-4 `##` sub-headings in the Markdown body;
- comment threads: Poisson with mean 5 per article, a third of them replies, bodies drawn
  from a pool of 5,000 comment texts (comment wording does not matter to any measured path);
- publication times: 100 a day back from the generation time, so a 1M archive spans 27
  years and the news sitemap (last two days) has ~200 articles at every size.

Deterministic per (size, seed) apart from the anchor time.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import search_speed  # noqa: E402  (bench/search_speed.py: the corpus and query generator)
import sitegen  # noqa: E402

PER_DAY = 100
COMMENT_MEAN = 5


def _markdown(headline_words, paragraphs, rng: random.Random) -> str:
    texts = [" ".join(" ".join(s).capitalize() + "." for s in p) for p in paragraphs]
    out, heads = [], sorted(rng.sample(range(1, max(2, len(texts))),
                                       min(len(texts) - 1, rng.randint(2, 4))))
    for i, text in enumerate(texts):
        if i in heads:
            out.append("## " + " ".join(rng.sample(headline_words, 3)).capitalize())
        out.append(text)
    return "\n\n".join(out)


def generate(n: int, out: Path, queries_out: Path, seed: int = 20) -> dict:
    """Write `n` articles to `out` (newest first) and the query sets to `queries_out`."""
    corpus = search_speed.Corpus(n)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    writer = sitegen.Writer(seed)
    n_tags, n_authors = min(20_000, max(300, n // 50)), max(60, n // 500)
    tags = [f"{writer.title().split()[0].capitalize()} {writer.word()} {i}" for i in range(n_tags)]
    authors = [f"{writer.word().capitalize()} {writer.word().capitalize()} {i}"
               for i in range(n_authors)]
    comment_pool = [writer.paragraph() for _ in range(5000)]
    comment_counts = nrng.poisson(COMMENT_MEAN, n).tolist()
    anchor = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    step = dt.timedelta(days=1) / PER_DAY
    samples = {"articles": [], "topic_words": set()}
    sample_rng = random.Random(seed + 1)
    started, comments = time.monotonic(), 0
    tmp = out.with_suffix(".partial")
    with tmp.open("w", encoding="utf-8") as fh:
        for i, (headline, paragraphs, topic) in enumerate(corpus.articles()):
            published = anchor - step * i
            words = headline.lower().split()
            thread = []
            for c in range(comment_counts[i]):
                parent = f"c{i}-{rng.randrange(c)}" if c and rng.random() < 0.33 else ""
                thread.append({
                    "id": f"c{i}-{c}", "author": f"Reader {rng.randrange(50_000)}",
                    "email": f"reader{rng.randrange(50_000)}@example.org",
                    "body": comment_pool[rng.randrange(len(comment_pool))], "status": "approved",
                    "created_at": (published + dt.timedelta(minutes=7 * (c + 1))).isoformat(),
                    "parent": parent,
                })
            comments += len(thread)
            record = {
                "id": f"scale-{i}", "title": headline,
                "standfirst": " ".join(" ".join(s) for s in paragraphs[0][:1]).capitalize() + ".",
                "body": _markdown(words, paragraphs, rng),
                "section": search_speed.SECTIONS[rng.randrange(len(search_speed.SECTIONS))],
                "tags": sorted({tags[min(int(rng.paretovariate(0.9)) - 1, n_tags - 1)]
                                for _ in range(rng.randint(1, 4))}),
                "authors": rng.sample(authors, rng.choice((1, 1, 1, 2))),
                "published_at": published.isoformat(),
                "comments": thread,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            if sample_rng.random() < min(0.01, 2000 / n):
                samples["articles"].append([w for p in paragraphs for s in p for w in s])
            samples["topic_words"].update(corpus.words[k] for k in topic.tolist())
            if (i + 1) % 50_000 == 0:
                print(f"  generated {i + 1:,} articles, {time.monotonic() - started:.0f} s",
                      flush=True)
    queries_out.write_text(json.dumps(search_speed.queries(corpus, samples)))
    tmp.rename(out)
    return {"articles": n, "comments": comments, "tags": n_tags, "authors": n_authors,
            "bytes": out.stat().st_size, "seconds": round(time.monotonic() - started, 1),
            "anchor": anchor.isoformat()}
