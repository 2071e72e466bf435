"""The reader's filters as index terms: section, tags, authors and publication day.

Each indexed article carries a few filter terms next to its words (`terms`), and a filtered
search asks the engine for matches that also have the filter's terms (`FilterTerms`), so the
filter is one more posting-list intersection inside the full-text index. Before, filters were
a correlated look-up of every match in the articles table: on 100k articles a word in a
quarter of them, within one section, took 0.8 s on PostgreSQL (bench/search_speed.py).

Terms use ids, not slugs (a renamed section needs no reindex), and are plain letters and
digits (`s12`, `t5`, `a7`, `y2026`, `m202601`, `d20260115`); each backend keeps them apart
from the reader's words (an FTS5 column of their own; a character PostgreSQL's parser never
puts in a lexeme), so typing `s12` never means "section 12".

Days are publication days in the site's time zone (`settings.TIME_ZONE`), as the `from`/`to`
filters define them; a date range becomes the fewest decade, year, month and day terms that
cover it exactly (at most about a hundred), an open start a NOT of the days after the end.
Changing the site's time zone therefore needs a `masthead search reindex`.

This module is pure (no models), so migrations can use it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# Beyond this, an open-ended `from` runs to: later days are never indexed (nothing visible
# is dated in the future) and two days cover any time zone the index was built in.
_SLACK = dt.timedelta(days=2)


def section_term(section_id: int) -> str:
    return f"s{section_id}"


def tag_term(tag_id: int) -> str:
    return f"t{tag_id}"


def author_term(author_id: int) -> str:
    return f"a{author_id}"


def day_terms(day: dt.date) -> list[str]:
    """An article's date terms: its decade, year, month and day."""
    return [f"c{day.year // 10}", f"y{day.year}", f"m{day.year}{day.month:02}",
            f"d{day.year}{day.month:02}{day.day:02}"]


def terms(section_id: int | None, tag_ids: Iterable[int], author_ids: Iterable[int],
          day: dt.date | None) -> list[str]:
    """Every filter term of one article, without repeats."""
    found = [section_term(section_id)] if section_id else []
    found += [tag_term(t) for t in sorted(set(tag_ids))]
    found += [author_term(a) for a in sorted(set(author_ids))]
    found += day_terms(day) if day else []
    return found


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def date_cover(start: dt.date, end: dt.date) -> list[str]:
    """The fewest decade/year/month/day terms whose days are exactly start..end (inclusive)."""
    cover: list[str] = []
    day = start
    while day <= end:
        decade_end = dt.date(day.year - day.year % 10 + 9, 12, 31)
        year_end = dt.date(day.year, 12, 31)
        month_end = _end_of_month(day)
        if day.month == 1 and day.day == 1 and day.year % 10 == 0 and decade_end <= end:
            cover.append(f"c{day.year // 10}")
            following = decade_end
        elif day.month == 1 and day.day == 1 and year_end <= end:
            cover.append(f"y{day.year}")
            following = year_end
        elif day.day == 1 and month_end <= end:
            cover.append(f"m{day.year}{day.month:02}")
            following = month_end
        else:
            cover.append(f"d{day.year}{day.month:02}{day.day:02}")
            following = day
        if following >= dt.date.max - dt.timedelta(days=1):
            break
        day = following + dt.timedelta(days=1)
    return cover


@dataclass(frozen=True)
class FilterTerms:
    """What a filtered search asks of the index: every `required` term, at least one of
    `any_of` (when given) and none of `none_of`. `impossible` means nothing can match (an
    unknown slug, an empty date range)."""

    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    impossible: bool = False

    @property
    def active(self) -> bool:
        return bool(self.required or self.any_of or self.none_of or self.impossible)


def for_dates(date_from: dt.date | None, date_to: dt.date | None,
              today: dt.date) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(any_of, none_of, impossible) for a `from`/`to` range of publication days."""
    if not date_from and not date_to:
        return (), (), False
    last = today + _SLACK
    if date_from:
        end = min(date_to, last) if date_to else last
        if date_from > end:
            return (), (), True
        return tuple(date_cover(date_from, end)), (), False
    # Only an end: everything except the days after it (no lower bound to cover).
    if date_to >= last:
        return (), (), False
    return (), tuple(date_cover(date_to + dt.timedelta(days=1), last)), False
