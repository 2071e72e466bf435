"""The related block's list items, built in Python, are the bytes the same markup written as a
template loop renders: cards with thumbnails, links, headlines, sections and dates, in any
time zone, whatever the text holds."""

import datetime as dt
import random
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone
from markupsafe import Markup

from masthead.articles.models import Article
from masthead.media.models import Image
from masthead.recommendations import blocks
from masthead.recommendations.services import RelatedList

pytestmark = pytest.mark.django_db

# recommendations/block.html with the list items as a template loop (blocks.items_html builds
# them in Python).
FORMER_TEMPLATE = """{% if related.articles or related.latest %}
<section class="related" aria-labelledby="related-h">
  <h2 id="related-h">Articles You May Like</h2>
  {% if related.articles %}
  <ul class="related-list">
    {% for item in related.articles %}<li class="related-card{% if item.lead_image %} has-image{% endif %}"><a href="{{ item.get_absolute_url() }}">{% if item.lead_image %}{{ image(item.lead_image, "", "thumb") }}{% endif %}<span class="related-headline">{{ item.headline|smarten }}</span></a>{% if item.section %} <span class="meta">{{ item.section.name }} · <time datetime="{{ item.published_at|date('c') }}">{{ item.published_at|date("j M Y") }}</time></span>{% endif %}</li>{% endfor %}
  </ul>
  {% endif %}
  {% if related.latest %}
  <h3 class="related-latest">{{ related.latest_label }}</h3>
  <ul class="related-list">
    {% for item in related.latest %}<li class="related-card{% if item.lead_image %} has-image{% endif %}"><a href="{{ item.get_absolute_url() }}">{% if item.lead_image %}{{ image(item.lead_image, "", "thumb") }}{% endif %}<span class="related-headline">{{ item.headline|smarten }}</span></a></li>{% endfor %}
  </ul>
  {% endif %}
</section>
{% endif %}
"""  # noqa: E501

TEXTS = ["Plain", "Fish & chips", "<b>bold</b>", 'He said "no"', "It's", "Café · naïve", "a>b"]


@pytest.mark.parametrize("seed", range(6))
def test_items_are_the_former_templates_bytes(make_article, seed):
    rng = random.Random(seed)
    env = engines["jinja2"].env
    former, current = env.from_string(FORMER_TEMPLATE), env.get_template(
        "recommendations/block.html")
    now = timezone.now()
    articles = []
    for i in range(8):
        article = make_article(
            f"{rng.choice(TEXTS)} {i}",
            section=rng.choice([None, "World", "R&D <Lab>", "Arts 'n' \"Crafts\""]),
            published_at=now - dt.timedelta(days=rng.randint(0, 900), minutes=rng.randint(0, 1440),
                                            microseconds=rng.choice([0, 123456])))
        if rng.random() < 0.2:
            Article.objects.filter(pk=article.pk).update(kind=Article.Kind.PAGE)
            article.refresh_from_db()
        if rng.random() < 0.5:  # a thumbnail: with renditions, or only its original so far
            article.lead_image = Image.objects.create(
                original_url=f"https://example.org/{i}.jpg", width=1200, height=675,
                alt=rng.choice(TEXTS),
                renditions=rng.choice([[], [{"width": 480, "name": f"images/{i}-480w.webp"}]]))
        articles.append(article)
    for zone in ("UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            for _ in range(4):
                shown = rng.sample(articles, rng.randint(0, 4))
                latest = rng.sample(articles, rng.randint(0, 3))
                related = RelatedList(articles=shown, latest=latest,
                                      latest_label="Latest from R&D <Lab>" if latest else "")
                data = {"related": related, "article": articles[0],
                        "related_items": Markup(blocks.items_html(shown, True)),
                        "latest_items": Markup(blocks.items_html(latest, False))}
                assert current.render(data) == former.render({"related": related})


def test_items_show_link_section_and_date(make_article):
    other = make_article("Fish & chips", section="Science")
    related = blocks.items_html([other], True)
    assert related.startswith(f'<li class="related-card"><a href="{other.get_absolute_url()}">'
                              '<span class="related-headline">Fish &amp; chips</span></a>')
    assert '<span class="meta">Science · <time datetime="' in related
