"""Small hand-made and generated corpora for the engine tests (helpers; no tests here)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from masthead.recommendations.engines import Doc

# Three stories with their own names and vocabulary, plus articles that share nothing.
STORIES = {
    "bridge": (
        "Kestrel Bay",
        "Marlow viaduct collapse Kestrel Bay engineer Ada Pemberton cables girders inspection "
        "traffic diverted ferry crossing council inquiry rust corrosion steel span",
    ),
    "balloon": (
        "Orvieto balloons",
        "Orvieto balloon festival Lucia Ferrante hot air balloons dawn launch pilots burners "
        "vineyards spectators envelope basket altitude wind forecast cathedral",
    ),
    "chess": (
        "Reykjavik chess",
        "Reykjavik chess championship grandmaster Tomas Kovalenko opening gambit endgame "
        "tiebreak rapid blitz rating challenger queen rook pawn sacrifice",
    ),
}
LONERS = [
    Doc(
        "loner-bees",
        "Lavender honey harvest",
        "Apiarists tend hives; bumblebees forage thyme "
        "meadows while wax combs drip nectar into jars.",
    ),
    Doc(
        "loner-volcano",
        "Magma plume",
        "Seismographs register tremors beneath caldera; sulphur "
        "vents hiss as basalt lava oozes toward fjords.",
    ),
]


def story_doc(story: str, n: int, seed: int = 0, **extra) -> Doc:
    """Article ``n`` of ``story``: half of the story's words plus words of its own, so two
    articles of a story are clearly related (text cosine ~0.3-0.5) but never near-duplicates."""
    headline, vocab = STORIES[story]
    rng = random.Random(f"{story}-{n}-{seed}")
    words = vocab.split()
    own = [f"{story}{n}x{i}{seed}" for i in range(12)]
    body = " ".join(rng.sample(words + own, len(words) // 2 + len(own)))
    body += ". " + " ".join(rng.sample(words, len(words) // 2))
    return Doc(f"{story}-{n}", f"{headline} report {n}", body, **extra)


def small_corpus() -> list[Doc]:
    docs = [story_doc(s, i) for s in STORIES for i in range(1, 4)]
    return docs + LONERS


def generated(n_stories: int = 12, per_story: int = 5, seed: int = 7) -> list[Doc]:
    """Stories of shared rare words over a common background, with dates and sections."""
    rng = random.Random(seed)
    background = [f"common{i}" for i in range(60)]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    docs = []
    for s in range(n_stories):
        own = [f"story{s}word{i}" for i in range(12)]
        for j in range(per_story):
            words = rng.sample(own, 8) + rng.sample(background, 25)
            rng.shuffle(words)
            docs.append(
                Doc(
                    key=f"s{s}-{j}",
                    title=" ".join(rng.sample(own, 3)),
                    body=" ".join(words),
                    section=f"section{s % 3}",
                    published_at=start + timedelta(days=s * 10 + j),
                )
            )
    return docs
