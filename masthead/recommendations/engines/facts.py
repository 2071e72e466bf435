"""Facts: the evidence beyond shared words that tells twin events apart (issue 19).

Two reports of two earthquakes in one region, or two heists in one city, share nearly all their
words. A reader tells them apart by the figures (a magnitude, a death toll, a sum), the dates
written in the text and the people and places named. Each article gets a set of such facts:

- ``figure``: a number with its unit — the word after it ("7 people", "6.1 magnitude"), the word
  before a number for a few units written first ("magnitude 6.1"), or a currency sign with its
  scale ("$200 million" and "$200m" both become "$200 million");
- ``year`` (1950-2049 written as four digits) and ``date`` (a month with a day: "December 15",
  "15 Dec");
- ``name``: a run of two or more capitalised words ("Mark Teixeira", "Red Sox"), or one
  capitalised word inside a sentence — no model, no download.

The set is a binary vector weighted by idf (a fact that most articles share says nothing) and
normalised, so the engine can add ``facts_weight * cosine`` as one more dot product (symmetric,
through the same inverted-index machinery as the text). Explanations name the shared facts.
"""

from __future__ import annotations

import math
import re

import numpy as np

_MONTHS = {m[:3]: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december"
    .split())}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_MD = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
_DATE_DM = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_SCALE = {"m": "million", "mn": "million", "million": "million", "bn": "billion",
          "b": "billion", "billion": "billion", "k": "thousand", "thousand": "thousand",
          "trillion": "trillion"}
_MONEY = re.compile(
    r"([$£€])\s?(\d[\d,]*(?:\.\d+)?)\s*(million|billion|trillion|thousand|bn|mn|m|b|k)?\b", re.I
)
_NUMBER_UNIT = re.compile(r"\b(\d[\d,]*(?:\.\d+)?)(?:\s*|-)(%|percent|per cent|[a-z]{3,})", re.I)
_UNIT_NUMBER = re.compile(
    r"\b(magnitude|aged|age|number|no\.|flight|route|highway|interstate)\s*-?\s*(\d[\d.]*)\b", re.I
)
_CAPS = re.compile(r"(?:[A-Z][\w'’-]*[ \t]+)*[A-Z][\w'’-]*")
_SENTENCES = re.compile(r"(?<=[.!?:;])\s+|\n+")
# Units that carry no fact of their own ("3 of", "2 and") and words that open sentences.
_NOT_UNITS = frozenset(
    "and the for but not are was were has had have with from that this than into over "
    "after before about under more less all its his her their our also who which when while "
    "per".split()
)
_NOT_NAMES = frozenset(
    "the a an and but or if in on at of for to by with from as it its he she they we you i "
    "this that these those there here his her their our my your mr mrs ms dr "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday".split()
)


def _num(text: str) -> str:
    value = text.replace(",", "").rstrip(".")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


def extract(title: str, body: str) -> set[str]:
    """The facts of one article (see the module docstring), as short readable strings."""
    return set(extract_with_units(title, body))


def extract_with_units(title: str, body: str) -> dict[str, str]:
    """Fact -> its unit ("7 people" -> "people", "2008" -> "year"); names have unit ""."""
    text = f"{title}.\n{body}"
    facts = _Facts()
    for m in _MONEY.finditer(text):
        scale = _SCALE.get((m.group(3) or "").lower(), "")
        unit = f"{m.group(1)}{' ' + scale if scale else ''}"
        facts.add(f"{m.group(1)}{_num(m.group(2))}{' ' + scale if scale else ''}", unit)
    for m in _NUMBER_UNIT.finditer(text):
        number, unit = _num(m.group(1)), m.group(2).lower()
        if unit in _NOT_UNITS or unit in _SCALE or _YEAR.fullmatch(number):
            continue
        if unit[:3] in _MONTHS:
            continue
        unit = "%" if unit in ("percent", "per cent") else unit
        facts.add(f"{number} {unit}", unit)
    for m in _UNIT_NUMBER.finditer(text):
        facts.add(f"{m.group(1).lower()} {_num(m.group(2))}", m.group(1).lower())
    for m in _YEAR.finditer(text):
        facts.add(m.group(1), "year")
    for m in _DATE_MD.finditer(text):
        _date(facts, m.group(1), m.group(2))
    for m in _DATE_DM.finditer(text):
        _date(facts, m.group(2), m.group(1))
    for sentence in _SENTENCES.split(text):
        _names(facts, sentence)
    return facts


def _names(facts: _Facts, sentence: str) -> None:
    """Runs of capitalised words; a single one only inside the sentence (not its opener)."""
    opener = len(sentence) - len(sentence.lstrip(" \t\"'“‘(["))
    for m in _CAPS.finditer(sentence):
        words = [w.strip("'’-") for w in m.group(0).split()]
        while words and words[0].lower() in _NOT_NAMES:
            words.pop(0)
        words = [w for w in words if w]
        if not words:
            continue
        if len(words) == 1 and (m.start() <= opener or len(words[0]) < 3
                                or words[0].lower()[:3] in _MONTHS):
            continue
        facts.add(" ".join(words).lower(), "")


class _Facts(dict):
    def add(self, fact: str, unit: str) -> None:
        self.setdefault(fact, unit)


def _date(facts: _Facts, month: str, day: str) -> None:
    n = int(day)
    if 1 <= n <= 31:
        facts.add(f"{month[:3].title()} {n}", "date")


def conflict_rows(index: FactIndex, facts: dict[str, str], dates: bool = True):
    """(units row, figures row), both scaled by 1/sqrt(number of units), such that
    ``units_i . units_j - figures_i . figures_j`` = (units both articles give a figure in, minus
    figures they share) / sqrt(|units_i| |units_j|): figures that *disagree* (a magnitude 6.1
    against a magnitude 5.8, a report that names 2008 against one that names 2012)."""
    if not dates:
        facts = {f: u for f, u in facts.items() if u not in ("year", "date")}
    units = sorted({u for u in facts.values() if u})
    if not units:
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        return empty, empty
    scale = np.float32(1 / math.sqrt(len(units)))
    ucols = index.ids({"~" + u for u in units})
    fcols = index.ids({f for f, u in facts.items() if u})
    return (ucols, np.full(len(ucols), scale)), (fcols, np.full(len(fcols), scale))


class FactIndex:
    """Fact ids, their document frequencies and the idf-weighted unit rows."""

    def __init__(self) -> None:
        self.col: dict[str, int] = {}
        self.names: list[str] = []
        self.df = np.zeros(0, np.int64)
        self.n_docs = 0

    def ids(self, facts: set[str]) -> np.ndarray:
        """Column ids of ``facts`` (new facts get new columns), sorted."""
        out = []
        for f in facts:
            c = self.col.get(f)
            if c is None:
                c = self.col[f] = len(self.names)
                self.names.append(f)
            out.append(c)
        if len(self.names) > len(self.df):
            self.df = np.concatenate([self.df, np.zeros(len(self.names) - len(self.df), np.int64)])
        return np.array(sorted(out), np.int64)

    def count(self, cols: np.ndarray, sign: int) -> None:
        self.df[cols] += sign
        self.n_docs += sign

    def weigh(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit row of smoothed idf weights (a fact most articles share weighs little)."""
        if not len(cols):
            return cols, np.zeros(0, np.float32)
        idf = np.log((1.0 + self.n_docs) / (1.0 + self.df[cols])) + 1.0
        norm = math.sqrt(float((idf**2).sum())) or 1.0
        return cols, (idf / norm).astype(np.float32)

    def name(self, col: int) -> str:
        return self.names[col]
