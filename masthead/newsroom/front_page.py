"""The newsroom's "Front page" form: the lead, the numbered top stories and a pin per
navigation section, each a plain `<select>` (keyboard- and screen-reader-friendly, no JS), and
move up/down buttons for the top stories' order. Writing goes through
`masthead.articles.curation.set_front_page`, which checks the whole choice again.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from masthead.articles import curation
from masthead.articles.front_page import TOP_COUNT
from masthead.articles.models import Article

RECENT = 100  # stories offered in each list, newest first (plus whatever is chosen now)
PER_SECTION = 30


def _label(article: Article) -> str:
    when = timezone.localtime(article.published_at).strftime("%-d %b %H:%M")
    due = " (scheduled)" if article.published_at > timezone.now() else ""
    return f"{article.headline} · {when}{due}"


def _placeable():
    return (Article.objects.filter(status__in=curation.PLACEABLE, kind=Article.Kind.ARTICLE,
                                   published_at__isnull=False)
            .only("pk", "headline", "published_at", "section_id").order_by("-published_at", "-id"))


def _choices(articles, empty: str) -> list[tuple]:
    return [("", empty)] + [(str(a.pk), _label(a)) for a in articles]


def top_field(n: int) -> str:
    return f"top_{n}"


def pin_field(section) -> str:
    return f"pin_{section.pk}"


class FrontPageForm(forms.Form):
    def __init__(self, sections, chosen: curation.Curation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        ids = [chosen.lead, *chosen.top, *chosen.pins.values()]
        recent = list(_placeable()[:RECENT])
        known = {a.pk for a in recent}
        recent += list(_placeable().filter(pk__in=[i for i in ids if i and i not in known]))
        self.fields["lead"] = forms.TypedChoiceField(
            label="Lead story", required=False, coerce=int, empty_value=None,
            choices=_choices(recent, "Automatic: the newest featured story"))
        for n in range(1, TOP_COUNT + 1):
            self.fields[top_field(n)] = forms.TypedChoiceField(
                label=f"Top story {n}", required=False, coerce=int, empty_value=None,
                choices=_choices(recent, "Automatic: by recency"))
        for section in sections:
            in_section = list(_placeable().filter(section=section)[:PER_SECTION])
            pinned = chosen.pins.get(section.pk)
            if pinned and pinned not in {a.pk for a in in_section}:
                in_section += list(_placeable().filter(pk=pinned, section=section))
            self.fields[pin_field(section)] = forms.TypedChoiceField(
                label=f"Pinned in {section.name}", required=False, coerce=int,
                empty_value=None, choices=_choices(in_section, "None: newest first"))
        if not self.is_bound:
            self.initial = {"lead": chosen.lead,
                            **{top_field(n + 1): pk for n, pk in enumerate(chosen.top)},
                            **{pin_field(s): chosen.pins.get(s.pk) for s in sections}}

    def top_fields(self):
        return [self[top_field(n)] for n in range(1, TOP_COUNT + 1)]

    def pin_fields(self):
        return [self[pin_field(s)] for s in self.sections]

    def choice(self) -> tuple[int | None, list[int], dict[int, int]]:
        data = self.cleaned_data
        top = [data[top_field(n)] for n in range(1, TOP_COUNT + 1)]
        pins = {s.pk: data[pin_field(s)] for s in self.sections}
        return data["lead"], [pk for pk in top if pk], {s: pk for s, pk in pins.items() if pk}


def moved(data, move: str):
    """The submitted data with top story `n` swapped with its neighbour (`move` is "n:up" or
    "n:down"), or None when `move` names no such place."""
    n, _, direction = move.partition(":")
    if not n.isdigit() or direction not in ("up", "down"):
        return None
    n = int(n)
    other = n - 1 if direction == "up" else n + 1
    if not (1 <= n <= TOP_COUNT and 1 <= other <= TOP_COUNT):
        return None
    data = data.copy()
    a, b = top_field(n), top_field(other)
    data[a], data[b] = data.get(b, ""), data.get(a, "")
    return data
