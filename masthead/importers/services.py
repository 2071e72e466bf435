"""Store parsed records: one transaction per file, bulk inserts, idempotent by external key.

Every source (JSON Lines, WXR, feeds, article pages) ends here, so all imports share the same
rules: an article whose external key is already present is left alone (importing a file twice
creates nothing new); slugs stay unique per day; old permalinks become redirects; comments are
threaded parent-first and their emails stored only encrypted; article signals are suspended
and replaced by one `bulk_import_finished` after commit, so search, related lists and caches
rebuild once rather than thousands of times; and after the commit, tables the import made
ten times larger are analyzed (core/planner_stats.py), so the planner knows what it wrote.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator
from itertools import islice
from urllib.parse import unquote

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from masthead.articles import services as article_services
from masthead.articles import signals
from masthead.articles.models import Article, Byline, Redirect, Revision, Section
from masthead.comments import tasks as comment_tasks
from masthead.comments.filtering import as_text, content_verdicts
from masthead.comments.models import Comment
from masthead.comments.privacy import email_digest, encrypt_email
from masthead.core import planner_stats
from masthead.core.html import html_to_text, render_markdown
from masthead.core.text import word_count
from masthead.jobs.registry import enqueue
from masthead.keyring import ring as keyring
from masthead.media.models import Image

from . import bulk_insert
from .records import ArticleRecord, ImportReport

BATCH_SIZE = 500
# Comments an import scores for spam as it stores them (issue 16). Past these, it stores them
# unscored and leaves the verdicts to worker jobs of SCORE_JOB_COMMENTS each, queued with its
# commit, as it leaves the search index and related lists: scoring 5M comments was a third of
# the CPU of importing a 1M archive (issue 20). The source's own decision (status) stands.
INLINE_SCORES = 10_000
SCORE_JOB_COMMENTS = 20_000
_STATUS = {"published": Article.Status.PUBLISHED, "draft": Article.Status.DRAFT,
           "scheduled": Article.Status.SCHEDULED}


def _batches(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


class _Names:
    """Sections, tags and authors by name, created on first use and remembered for the file."""

    def __init__(self):
        self.sections: dict[str, Section] = {}
        self.tags: dict = {}
        self.authors: dict = {}
        self.inline_scores = INLINE_SCORES  # left to score as they are stored
        self.unscored: list[list[int]] = []  # [first id, last id, comments] per scoring job

    def stored_unscored(self, ids: list[int]) -> None:
        if self.unscored and self.unscored[-1][2] < SCORE_JOB_COMMENTS:
            last = self.unscored[-1]
            last[0], last[1], last[2] = min(last[0], *ids), max(last[1], *ids), last[2] + len(ids)
        else:
            self.unscored.append([min(ids), max(ids), len(ids)])

    def section(self, name: str):
        key = name.strip().lower()
        if key not in self.sections:
            self.sections[key] = article_services.get_or_create_section(name)
        return self.sections[key]

    def tag_ids(self, names: list[str]) -> list[int]:
        ids = []
        for name in names:
            key = name.strip().lower()
            if not key:
                continue
            if key not in self.tags:
                self.tags[key] = article_services.get_or_create_tags([name])[0]
            ids.append(self.tags[key].pk)
        return list(dict.fromkeys(ids))

    def author(self, name: str):
        key = name.strip()
        if key not in self.authors:
            self.authors[key] = article_services.get_or_create_author(key)
        return self.authors[key]


def store_records(
    records: Iterable[ArticleRecord],
    report: ImportReport | None = None,
    *,
    default_section: Section | None = None,
    user=None,
    created_ids: list[int] | None = None,
) -> ImportReport:
    """Store every record or none (the caller's file is one transaction).

    `created_ids`, when given, receives the ids of the articles this call created (in record
    order), so a caller such as `import html` can name the new article.
    """
    report = report if report is not None else ImportReport()
    names = _Names()
    # 8 bytes an id, not a list's 36: the one thing kept per article of a million-line file.
    new_ids = array("q")
    with (bulk_insert.import_page_cache(), transaction.atomic(),
          article_services.signals_suspended()):
        for batch in _batches(records, BATCH_SIZE):
            new_ids.extend(_store_batch(batch, report, names, default_section, user))
        if new_ids:
            # In the import's transaction: the follow-ups are durable jobs written with it.
            signals.bulk_import_finished.send(sender=Article, article_ids=new_ids)
            # After it: a bulk load leaves the planner without statistics for what it wrote.
            transaction.on_commit(lambda: planner_stats.refresh_stale(sample=False))
        for first, last, _ in names.unscored:
            enqueue(comment_tasks.score_comments, first, last)
    if created_ids is not None:
        created_ids.extend(new_ids)
    return report


def external_key(key: str) -> str:
    """The key as stored: feed GUIDs and page URLs can exceed the column's 255 characters,
    so a long one is replaced by its digest (the same on every import, so still idempotent)."""
    key = key.strip()
    if len(key) <= 255:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _store_batch(batch, report, names, default_section, user) -> list[int]:
    for record in batch:
        record.clean()
        record.key = external_key(record.key)
    keys = [r.key for r in batch if r.key]
    # Earlier batches of this file are already rows of this transaction, so the query finds
    # their keys too: only repeats inside this batch need remembering (memory stays flat).
    existing = set(Article.objects.filter(external_key__in=keys).values_list("external_key",
                                                                              flat=True))
    seen_keys: set[str] = set()
    fresh: list[ArticleRecord] = []
    for record in batch:
        if record.key and (record.key in existing or record.key in seen_keys):
            report.count(record.kind, created=False)
            continue
        if record.key:
            seen_keys.add(record.key)
        fresh.append(record)
    if not fresh:
        return []

    now = timezone.now()
    articles = [_build_article(r, names, default_section, user, now) for r in fresh]
    _make_slugs_unique(articles)
    bulk_insert.insert(Article, articles)
    for record in fresh:
        report.count(record.kind)

    _store_relations(fresh, articles, names)
    _store_images(fresh, articles, report)
    _store_comments(fresh, articles, report, names)
    return [a.pk for a in articles]


def _build_article(record: ArticleRecord, names: _Names, default_section, user, now) -> Article:
    status = _STATUS[record.status]
    published_at = record.published_at
    if published_at is None and status == Article.Status.PUBLISHED:
        published_at = now
    # A reader process may have rendered the body already (reading_process); same function.
    body_html, words = getattr(record, "rendered_body", None) or render_body(record.body)
    section = names.section(record.section) if record.section.strip() else default_section
    return Article(
        headline=record.title[:300],
        slug=(slugify(record.slug or record.title)[:200].strip("-") or "article"),
        standfirst=record.standfirst,
        body=record.body,
        body_html=body_html,
        word_count=words,
        kind=record.kind,
        status=status,
        published_at=published_at,
        pub_date=timezone.localdate(published_at) if published_at else None,
        created_at=now,
        updated_at=record.updated_at or published_at or now,
        section=section,
        external_key=record.key or None,
        created_by=user if getattr(user, "pk", None) else None,
        lead_image_alt=record.lead_image_alt[:300],
        lead_image_caption=record.lead_image_caption[:500],
    )


def render_body(markdown: str) -> tuple[str, int]:
    """The stored HTML of a Markdown body and its word count."""
    body_html = render_markdown(markdown)
    return body_html, word_count(html_to_text(body_html))


def _make_slugs_unique(articles: list[Article]) -> None:
    """Unique per publication day (stories) and site-wide (standing pages), against the DB too."""
    days = {a.pub_date for a in articles if a.pub_date}
    taken = set(Article.objects.filter(pub_date__in=days).values_list("pub_date", "slug"))
    page_slugs = set(Article.objects.filter(kind=Article.Kind.PAGE).values_list("slug", flat=True))
    for article in articles:
        base, n = article.slug, 2
        if article.kind == Article.Kind.PAGE:
            while article.slug in page_slugs:
                article.slug, n = f"{base[:190]}-{n}", n + 1
            page_slugs.add(article.slug)
        if article.pub_date:
            while (article.pub_date, article.slug) in taken:
                article.slug, n = f"{base[:190]}-{n}", n + 1
            taken.add((article.pub_date, article.slug))


def _store_relations(records, articles, names: _Names) -> None:
    through = Article.tags.through
    bylines, tag_rows, revisions, redirects = [], [], [], []
    for record, article in zip(records, articles):
        authors = [names.author(n) for n in record.authors if n.strip()]
        bylines += [Byline(article=article, author=a, position=i)
                    for i, a in enumerate(dict.fromkeys(authors))]
        tag_rows += [through(article_id=article.pk, tag_id=t) for t in names.tag_ids(record.tags)]
        revisions.append(Revision(article=article, note="imported", data={
            "headline": article.headline, "slug": article.slug, "body": article.body,
            "standfirst": article.standfirst, "status": article.status,
        }))
        url = article.get_absolute_url()
        paths = dict.fromkeys(_request_path(p) for p in record.old_paths if p)
        redirects += [Redirect(old_path=p, article=article)
                      for p in paths if p != url and len(p) <= 500]
    bulk_insert.insert(Byline, bylines)
    through.objects.bulk_create(tag_rows, ignore_conflicts=True)
    bulk_insert.insert(Revision, revisions)
    Redirect.objects.bulk_create(redirects, ignore_conflicts=True)


def _request_path(path: str) -> str:
    """An old permalink as Django's `request.path` will show it (percent-escapes decoded, as
    in WordPress's non-ASCII slugs), so the redirect lookup finds it; a query stays as is."""
    base, mark, query = path.partition("?")
    return unquote(base) + mark + query


def _store_images(records, articles, report: ImportReport) -> None:
    urls = {u for r in records for u in [r.lead_image_url, *r.attachments] if u}
    if not urls:
        return
    known = {i.original_url: i for i in Image.objects.filter(original_url__in=urls)}
    new = [Image(original_url=u[:1000]) for u in sorted(urls - set(known))]
    Image.objects.bulk_create(new)
    known.update({i.original_url: i for i in new})
    report.count("attachment", n=len(new))
    leads = []
    for record, article in zip(records, articles):
        if record.lead_image_url:
            article.lead_image = known[record.lead_image_url[:1000]]
            leads.append(article)
    Article.objects.bulk_update(leads, ["lead_image"])


def _store_comments(records, articles, report: ImportReport, names: _Names) -> None:
    """Insert comments level by level so every reply can point at its stored parent."""
    pending = []  # (article, record comment)
    for record, article in zip(records, articles):
        keys = {c.key for c in record.comments if c.key}
        for c in record.comments:
            if c.parent_key and c.parent_key not in keys:
                report.note(
                    f"comment {c.key!r} on {article.headline[:40]!r}: parent {c.parent_key!r} "
                    "not in the file; stored as a top-level comment",
                    "comments whose parent is not in the file stored as top-level comments")
                c.parent_key = ""
            pending.append((article, c))
    stored: dict[tuple[int, str], Comment] = {}
    depth = 0
    # One read of the key ring per batch, not two a comment (45 of 130 s importing 1,500
    # articles with 7,400 comments). The batch is inside the import's transaction, so a
    # rotation cannot see these rows anyway until it commits.
    ring = keyring.load() if any(c.email for _, c in pending) else None
    while pending:
        ready = [(a, c) for a, c in pending
                 if not c.parent_key or (a.pk, c.parent_key) in stored]
        if not ready:  # a cycle of parents: store the rest at the top level
            ready = pending
            for _, c in ready:
                c.parent_key = ""
        rows = []
        # Scored as the live form scores (issue 16: the moderation queue showed "–" for every
        # imported comment), here or after the import (INLINE_SCORES).
        scored = len(ready) <= names.inline_scores
        if scored:
            names.inline_scores -= len(ready)
            verdicts = content_verdicts([as_text(c.body, c.author, c.url) for _, c in ready])
        else:
            verdicts = [None] * len(ready)
        for (article, c), verdict in zip(ready, verdicts, strict=True):
            parent = stored.get((article.pk, c.parent_key)) if c.parent_key else None
            rows.append(Comment(
                article=article, parent=parent,
                depth=(parent.depth + 1) if parent else 0,
                author_name=(c.author or "Anonymous")[:100],
                author_url=c.url[:200] if c.url.startswith(("http://", "https://")) else "",
                email_encrypted=encrypt_email(c.email, ring),
                email_digest=email_digest(c.email, ring),
                body=c.body, status=c.status,
                created_at=c.created_at or article.published_at or timezone.now(),
                ip_address=c.ip_address or None, external_key=c.key[:255],
                spam_score=verdict.score if verdict else None,
                spam_verdict=verdict.verdict if verdict else "",
            ))
        bulk_insert.insert(Comment, rows)
        if not scored:
            names.stored_unscored([row.pk for row in rows])
        for (article, c), row in zip(ready, rows):
            if c.key:
                stored[(article.pk, c.key)] = row
            report.count("comment")
        done = {id(c) for _, c in ready}
        pending = [(a, c) for a, c in pending if id(c) not in done]
        depth += 1
