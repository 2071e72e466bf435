"""Which surrogate keys a change touches: the dependency rules behind exact invalidation.

Pages declare what they show (`core/surrogate.py`); these functions say which of those
declarations a change makes stale. The rules, per change:

- published: the article's own page and anything that showed it before, the front page,
  the listings it joins (they all shift by one), feeds, sitemaps and search;
- edited: pages showing it (`a:<id>`); if what decides listings changed (section, tags,
  authors, publication time, featured, kind) also the listings it left and joined, the front
  page and feeds; the sitemap always (it lists every article's modification time);
- unpublished: pages showing it, the listings it leaves (later pages shift), sitemaps;
- comment approved or unapproved: pages showing the article (its page shows the comment,
  teasers show the count of approved comments) and the comment feeds;
- section changed: every page (the navigation shows sections); tag or author changed: its
  listing and every page showing one of its articles (article pages and teasers show names).
"""

from __future__ import annotations

from masthead.articles.models import Article, Byline, Revision, Section, Tag
from masthead.articles.services import snapshot

# Snapshot fields that decide where an article is listed and in which order.
LISTING_FIELDS = ("section", "tags", "authors", "published_at", "featured", "kind")


def own_keys(article_id: int) -> set[str]:
    return {f"a:{article_id}", f"page:{article_id}"}


def listing_keys(article_ids) -> set[str]:
    """section/tag/author listing keys of the articles, read from the database now."""
    ids = list(article_ids)
    keys = {f"section:{s}" for s in Article.objects.filter(pk__in=ids, section__isnull=False)
            .values_list("section_id", flat=True).distinct()}
    keys |= {f"tag:{t}" for t in Article.tags.through.objects.filter(article_id__in=ids)
             .values_list("tag_id", flat=True).distinct()}
    keys |= {f"author:{a}" for a in Byline.objects.filter(article_id__in=ids)
             .values_list("author_id", flat=True).distinct()}
    return keys


def _snapshot_listing_keys(data: dict) -> set[str]:
    keys = {f"section:{data['section']}"} if data.get("section") else set()
    names = data.get("tags") or []
    keys |= {f"tag:{t}" for t in Tag.objects.filter(name__in=names).values_list("pk", flat=True)}
    keys |= {f"author:{a}" for a in data.get("authors") or []}
    return keys


def joined_keys(article_ids) -> set[str]:
    """`near-section:<id>` / `near-tag:<id>`: article pages whose related block is drawn from
    those listings (the fallback list, "Latest from <section>"). An article joining a section or
    tag can enter such a list; one leaving it was shown there only if its `a:` key is on the page.
    """
    return {f"near-{k}" for k in listing_keys(article_ids) if k.startswith(("section:", "tag:"))}


def for_published(article) -> set[str]:
    return (own_keys(article.pk) | listing_keys([article.pk]) | joined_keys([article.pk])
            | {"front", "feed", "sitemap", "search"})


def for_changed(article) -> set[str]:
    keys = own_keys(article.pk) | {"sitemap", "search"}
    moved = listing_move(article)
    if moved is None:
        # The previous state is unknown (no revision was kept): assume the listings moved.
        return keys | listing_keys([article.pk]) | joined_keys([article.pk]) | {"front", "feed"}
    if moved:
        keys |= moved | joined_keys([article.pk]) | {"front", "feed"}
    return keys


def listing_move(article) -> set[str] | None:
    """Listing keys left or joined by this edit: empty when placement did not change, None
    when the latest revision does not describe the article's current state."""
    data = list(Revision.objects.filter(article_id=article.pk)
                .order_by("-created_at", "-id").values_list("data", flat=True)[:2])
    now = snapshot(article)
    if len(data) < 2 or any(data[0].get(f) != now.get(f) for f in LISTING_FIELDS):
        return None
    before = data[1]
    if all(before.get(f) == now.get(f) for f in LISTING_FIELDS):
        return set()
    return _snapshot_listing_keys(before) | listing_keys([article.pk])


def for_unpublished(article) -> set[str]:
    return own_keys(article.pk) | listing_keys([article.pk]) | {"sitemap", "search"}


# Above this many imported articles every page is purged ("site"): the exact keys cost three
# queries per 500 articles and two keys per article (2M keys, a 25 MB job, for a 1M archive
# import; issue 20), and a large import shifts nearly every listing anyway.
BULK_SITE_PURGE = 5000


def for_bulk_import(article_ids) -> set[str]:
    # A sequence (the import's compact array of a million ids): sliced, not copied.
    if len(article_ids) > BULK_SITE_PURGE:
        return {"site"}
    keys = {"front", "feed", "sitemap", "search"}
    for start in range(0, len(article_ids), 500):
        chunk = list(article_ids[start:start + 500])
        keys |= listing_keys(chunk) | joined_keys(chunk)
        for pk in chunk:
            keys |= own_keys(pk)
    return keys


def for_taxonomy(obj) -> set[str]:
    if isinstance(obj, Section):
        return {"site"}
    if isinstance(obj, Tag):
        ids = Article.tags.through.objects.filter(tag_id=obj.pk).values_list("article_id",
                                                                             flat=True)
        return {f"tag:{obj.pk}"} | {f"a:{pk}" for pk in ids}
    ids = Byline.objects.filter(author_id=obj.pk).values_list("article_id", flat=True)
    return {f"author:{obj.pk}"} | {f"a:{pk}" for pk in ids}


def comment_shown(*statuses) -> bool:
    return "approved" in statuses


def for_comment(article_id: int) -> set[str]:
    return {f"a:{article_id}", f"page:{article_id}", "comments"}
