"""The article page's "Articles You May Like" block: what it lists and what it depends on.

`block_context(request, article)` is rendered by the reader templates (Jinja2,
`masthead/templating.py`) with `recommendations/block.html`. The list items are built here
(`items_html`), as the comment list is (comments/listing.py, which says why): the template's
loop cost ~60 µs for four links with two dates each, a twentieth of an uncached article page;
built here with the time zone looked up once, the same bytes cost a fraction of that
(tests/test_block_exact.py compares them with the same markup written as a template).
Each item is a compact card: a thumbnail and the headline, then the section and date.
"""

from __future__ import annotations

from django.utils import timezone
from markupsafe import Markup

from masthead.core import surrogate
from masthead.core.dates import format_date
from masthead.core.html import esc
from masthead.core.typography import smarten
from masthead.media.html import image_tag

from .services import related_for


def items_html(articles, with_meta: bool) -> str:
    """Each article's `<li>` card: its picture (when it has one) and headline as one link, and
    with `with_meta` its section and date. The picture's alt text is empty: the headline in
    the same link already says where it goes."""
    tz = timezone.get_current_timezone()
    out = []
    for item in articles:
        picture = item.lead_image
        li = (f'<li class="related-card{" has-image" if picture else ""}">'
              f'<a href="{esc(item.get_absolute_url())}">'
              f'{image_tag(picture, "", "thumb") if picture else ""}'
              f'<span class="related-headline">{esc(smarten(item.headline))}</span></a>')
        if with_meta and item.section:
            when = item.published_at
            li += (f' <span class="meta">{esc(item.section.name)} · <time datetime="'
                   f'{esc(format_date(when, "c", tz))}">{esc(format_date(when, "j M Y", tz))}'
                   f'</time></span>')
        out.append(li + "</li>")
    return "".join(out)


def block_context(request, article) -> dict:
    related = related_for(article)
    shown = related.articles + related.latest
    surrogate.add(request, *surrogate.article_keys(shown))
    # A list drawn from the section or tags changes when another article joins them, so the
    # page is purged when one does ("Latest from <section>", or the fallback list).
    if related.latest or related.from_listing:
        if article.section_id:
            surrogate.add(request, f"near-section:{article.section_id}")
        if related.from_listing:
            surrogate.add(request, *(f"near-tag:{t.pk}" for t in article.tags.all()))
    return {
        "related": related, "article": article,
        # Markup: every value in them is escaped by items_html.
        "related_items": Markup(items_html(related.articles, True)),  # noqa: S704
        "latest_items": Markup(items_html(related.latest, False)),  # noqa: S704
    }
