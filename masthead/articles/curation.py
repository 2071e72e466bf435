"""The front page's curation: which story leads, the order of the top stories, and the story
pinned to the top of each section's block (read by `front_page.py`; the newsroom's "Front
page" is the way in).

`set_front_page(actor, lead, top, pins)` is the one write (STYLE habit 4): permission,
validation of the whole choice before anything is stored, one transaction replacing every slot,
a `FrontPageChange` row saying who did it, and `signals.front_page_curated`, whose receiver
purges the front page (and only it) from the page cache. `current()` reads the choice back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from . import signals
from .front_page import TOP_COUNT
from .models import Article, FrontPageChange, FrontPageSlot, Section

Slot = FrontPageSlot.Block
PERMISSION = "articles.curate_front_page"
# Stories an editor may place: readers see them now or when they are due (a scheduled lead
# appears at its time; until then the front page fills the place by recency).
PLACEABLE = (Article.Status.PUBLISHED, Article.Status.SCHEDULED)


@dataclass
class Curation:
    lead: int | None = None
    top: list[int] = field(default_factory=list)
    pins: dict[int, int] = field(default_factory=dict)  # section id -> article id

    def as_data(self) -> dict:
        return {"lead": self.lead, "top": list(self.top),
                "pins": {str(s): a for s, a in sorted(self.pins.items())}}


def can_curate(user) -> bool:
    return bool(user and user.has_perm(PERMISSION))


def current() -> Curation:
    curation = Curation()
    for slot in FrontPageSlot.objects.order_by("block", "position"):
        if slot.block == Slot.LEAD:
            curation.lead = slot.article_id
        elif slot.block == Slot.TOP:
            curation.top.append(slot.article_id)
        else:
            curation.pins[slot.section_id] = slot.article_id
    return curation


def problems(lead, top, pins) -> list[str]:
    """Everything wrong with a choice, in words an editor can act on; empty when it is fine."""
    errors = []
    chosen = ([lead] if lead else []) + list(top) + list(pins.values())
    if len(top) > TOP_COUNT:
        errors.append(f"Choose at most {TOP_COUNT} top stories.")
    if len(set(chosen)) != len(chosen):
        errors.append("A story can take only one place on the front page.")
    found = {a.pk: a for a in Article.objects.filter(pk__in=chosen)
             .only("pk", "status", "kind", "section_id", "headline")}
    unknown = [str(pk) for pk in chosen if pk not in found]
    if unknown:
        errors.append(f"No such article: {', '.join(unknown)}.")
    for article in found.values():
        if article.kind != Article.Kind.ARTICLE or article.status not in PLACEABLE:
            errors.append(f"“{article.headline}” is not published or scheduled.")
    sections = {s.pk: s for s in Section.objects.filter(pk__in=list(pins))}
    for section_id, article_id in pins.items():
        section, article = sections.get(section_id), found.get(article_id)
        if section is None:
            errors.append(f"No such section: {section_id}.")
        elif article is not None and article.section_id != section_id:
            errors.append(f"“{article.headline}” is not in {section.name}.")
    return errors


def set_front_page(actor, lead: int | None, top: list[int], pins: dict[int, int]) -> Curation:
    """Replace the whole curation; raises PermissionDenied or ValidationError (nothing stored)."""
    if not can_curate(actor):
        raise PermissionDenied("Only editors can choose the front page.")
    top = [pk for pk in top if pk]
    pins = {s: pk for s, pk in pins.items() if pk}
    errors = problems(lead, top, pins)
    if errors:
        raise ValidationError(errors)
    curation = Curation(lead or None, top, pins)
    with transaction.atomic():
        FrontPageSlot.objects.all().delete()
        slots = [FrontPageSlot(block=Slot.TOP, position=n, article_id=pk)
                 for n, pk in enumerate(top)]
        if lead:
            slots.append(FrontPageSlot(block=Slot.LEAD, article_id=lead))
        slots += [FrontPageSlot(block=Slot.SECTION, section_id=s, article_id=pk)
                  for s, pk in pins.items()]
        FrontPageSlot.objects.bulk_create(slots)
        change = FrontPageChange.objects.create(created_by=actor, data=curation.as_data())
        signals.front_page_curated.send(sender=FrontPageChange, change=change)
    return curation
