"""The fallback list: most recent published articles sharing a tag or, failing that, the section.

This is what most news sites show as "related". Masthead uses it only when the engine has not
computed a list for an article yet (e.g. just after a fresh install, before the first rebuild),
and, the same rule written as SQL in reading.py (`latest_in_section`), as the clearly labelled
"Latest from <section>" line when too few articles are truly related.
"""

from __future__ import annotations

from masthead.articles.models import Article


def latest_sharing_tags_or_section(article, n: int) -> list[Article]:
    visible = Article.objects.published().stories().exclude(pk=article.pk)
    tag_ids = [t.pk for t in article.tags.all()]
    picked: list[Article] = []
    if tag_ids:
        picked = list(visible.filter(tags__in=tag_ids).distinct().for_listing()[:n])
    if len(picked) < n and article.section_id:
        more = visible.filter(section_id=article.section_id).exclude(
            pk__in=[a.pk for a in picked]
        ).for_listing()[: n - len(picked)]
        picked.extend(more)
    return picked

