"""Articles, sections, tags, authors, revisions and old-URL redirects.

`Article.objects.published()` is the only definition of "visible to readers" (STYLE habit 3):
pages, feeds, sitemaps, search, recommendations and the API all use it. (The reader pages'
hand-written SQL, `reading.py` modules, restates it, tested equal to it.) It enforces the
schedule on read, so a scheduled article is visible from its time even if the in-process
scheduler has not yet flipped its status, and never before.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from masthead.core.text import reading_minutes

from .paths import article_path, listing_path


class SectionQuerySet(models.QuerySet):
    def navigation(self):
        return self.filter(in_navigation=True).order_by("position", "name")


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=100)
    in_navigation = models.BooleanField(default=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return listing_path("section", self.slug)


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return listing_path("tag", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    bio = models.TextField(blank=True)
    # Shown on the author's page and beside bylines; SET_NULL so deleting the image from the
    # library never takes the author with it.
    photo = models.ForeignKey(
        "media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="author_profile",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return listing_path("author", self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Visible to readers now: published (or scheduled and due), dated in the past."""
        now = now or timezone.now()
        return self.filter(
            Q(status=Article.Status.PUBLISHED) | Q(status=Article.Status.SCHEDULED),
            published_at__lte=now,
        )

    def stories(self):
        return self.filter(kind=Article.Kind.ARTICLE)

    def for_listing(self):
        """What a teaser needs, in a fixed number of queries (no N+1); never the full text."""
        return (
            self.defer("body", "body_html")
            .select_related("section", "lead_image")
            .prefetch_related(with_bylines())
            .order_by("-published_at", "-id")
        )

    def due_for_publication(self, now=None):
        return self.filter(status=Article.Status.SCHEDULED, published_at__lte=now or timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        PAGE = "page", "Page"

    headline = models.CharField(max_length=300)
    # Indexes: `article_slug` below, not the field's own (migration 0009 dropped the copy).
    slug = models.SlugField(max_length=200, allow_unicode=False, db_index=False)
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown; ## for sub-headings.")
    body_html = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    # The publication day in the site's timezone: part of the URL and of slug uniqueness.
    pub_date = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    section = models.ForeignKey(  # indexed as the first column of `article_section`
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="articles",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", through="ArticleTag")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    lead_image = models.ForeignKey(
        "media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_image_alt = models.CharField(max_length=300, blank=True)
    lead_image_caption = models.CharField(max_length=500, blank=True)
    external_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    featured = models.BooleanField(default=False)
    comments_enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_own_article", "Can publish own articles"),
            ("publish_article", "Can publish any article"),
            ("edit_any_article", "Can edit anyone's articles"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["pub_date", "slug"],
                                    name="article_slug_unique_per_day"),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "-published_at"], name="article_listing"),
            models.Index(fields=["section", "status", "-published_at"], name="article_section"),
            models.Index(fields=["featured", "status", "-published_at"], name="article_featured"),
            models.Index(fields=["slug"], name="article_slug"),
            # published() matches two statuses, so the indexes above cannot return stories in
            # date order; these let "latest" and per-section lists stop after a few rows
            # (measured at 100k articles: 106 ms -> 1.8 ms for the front page's latest list).
            # With the status, so that an OFFSET page of every story (the Content API's
            # `?page=N`) walks the index alone: reading a row's status meant reading past its
            # body (100k: 224 ms for page 4,000).
            models.Index(fields=["kind", "-published_at", "-id", "status"],
                         name="article_kind_recent"),
            # The front page's featured stories, newest first: without it, a site with few
            # featured stories walked the whole archive by date to find three (139 ms at 10k
            # articles, growing with the archive; issue 20).
            models.Index(fields=["featured", "-published_at", "-id"],
                         name="article_featured_recent"),
            # Also the listing's filter columns, so that a bare `?page=N` (OFFSET) walks the
            # index alone rather than visiting every skipped row (pagination.py, issue 20).
            models.Index(fields=["section", "-published_at", "-id", "status", "kind"],
                         name="article_section_keyset"),
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        if self.kind == self.Kind.PAGE:
            return listing_path("page", self.slug)
        return article_path(self.pub_date or timezone.localdate(), self.slug)

    @property
    def key(self) -> str:
        """The article key of `related export`: the external id when imported, else the slug."""
        return self.external_key or self.slug

    @property
    def is_visible(self) -> bool:
        return (
            self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count, settings.MASTHEAD_WORDS_PER_MINUTE)

    @property
    def byline_authors(self) -> list[Author]:
        """Authors in byline order; uses the `with_bylines()` prefetch when present."""
        bylines = getattr(self, "ordered_bylines", None)
        if bylines is None:
            bylines = sorted(self.bylines.all(), key=lambda b: b.position)
        return [b.author for b in bylines]

    @property
    def was_updated(self) -> bool:
        return bool(
            self.published_at and (self.updated_at - self.published_at).total_seconds() > 600
        )


class ListedQuerySet(models.QuerySet):
    """Reads of a link table (`ArticleTag`, `Byline`) by its listing key."""

    def listed(self, now=None):
        """The links of stories visible now: `listed_at` is set only for the stories of
        `Article.objects.published().stories()` (NULL otherwise), so `<= now` is that rule."""
        return self.filter(listed_at__lte=now or timezone.now())


# `listed_at` on the link tables (ArticleTag, Byline) is the article's `published_at` when it is
# a story that `published().stories()` may show (status published or scheduled, kind article),
# else NULL: the listing's sort key copied beside the tag or author id, so that a tag or author
# page is one index range, (tag_id, listed_at DESC, article_id DESC), rather than a join that
# reads and sorts every story of the tag (issue 20). Database triggers keep it true on every
# write, ORM or not (migration 0007, docs/decisions/0007-listing-keys-by-trigger.md); the
# field is never written by Python. Tested: articles/tests/test_listing_keys.py.

class ArticleTag(models.Model):
    """A tag on an article: Django's former auto-created table of `Article.tags`, same
    table and columns, plus the listing key."""

    # Both indexed as first columns: (article, tag) unique, `articletag_listing`.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tag_links",
                                db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="article_links",
                            db_index=False)
    listed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ListedQuerySet.as_manager()

    class Meta:
        db_table = "articles_article_tags"
        unique_together = [("article", "tag")]
        indexes = [
            models.Index(fields=["tag", "-listed_at", "-article"], name="articletag_listing"),
        ]


class Byline(models.Model):
    """An author on an article, in order: the first is the lead byline."""

    # Both indexed as first columns: `byline_unique`, `byline_listing`.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines",
                                db_index=False)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines",
                               db_index=False)
    position = models.PositiveSmallIntegerField(default=0)
    listed_at = models.DateTimeField(null=True, blank=True, editable=False)  # see ArticleTag

    objects = ListedQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_unique"),
        ]
        indexes = [
            models.Index(fields=["author", "-listed_at", "-article"], name="byline_listing"),
        ]


class Revision(models.Model):
    """A snapshot of an article's editable fields at each save (who, when, what)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions",
                                db_index=False)  # `revision_article` starts with it
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "-created_at"], name="revision_article")]


class Redirect(models.Model):
    """An old path (a previous slug, or an imported permalink such as `/?p=123`) → article."""

    old_path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.old_path} → {self.article_id}"


def with_bylines() -> models.Prefetch:
    """Bylines with their authors in one query, in order, as a plain list on each article
    (`ordered_bylines`): a teaser reads it without building a QuerySet per article, which
    cost about 60 µs each on a 40-teaser front page."""
    bylines = Byline.objects.select_related("author", "author__photo").order_by("position")
    return models.Prefetch("bylines", queryset=bylines, to_attr="ordered_bylines")


class FrontPageSlot(models.Model):
    """One place an editor chose on the front page: the lead, a numbered top story, or the
    story pinned to the top of a section's block (`articles/curation.py` writes them,
    `articles/front_page.py` reads them; whatever is unset fills by recency).

    A story holds at most one slot, so curation alone never shows a story twice. A slot whose
    story stops being visible is simply skipped by the front page: an unpublished, deleted
    (cascade) or not-yet-due story is never shown, and the editor's choice comes back if it
    returns."""

    class Block(models.IntegerChoices):
        # Integers, not text: the front page's one UNION reads them beside literal zeros.
        LEAD = 1, "Lead"
        TOP = 2, "Top story"
        SECTION = 3, "Section pin"

    block = models.PositiveSmallIntegerField(choices=Block.choices)
    position = models.PositiveSmallIntegerField(default=0)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["block", "section_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["block", "position"],
                                    condition=models.Q(section__isnull=True),
                                    name="frontpageslot_unique_place"),
            models.UniqueConstraint(fields=["section"], condition=models.Q(section__isnull=False),
                                    name="frontpageslot_one_pin_per_section"),
        ]
        permissions = [("curate_front_page", "Can choose the front page's lead and order")]

    def __str__(self):
        return f"{self.get_block_display()} {self.position}: article {self.article_id}"


class FrontPageChange(models.Model):
    """Who changed the front page's curation, when, and what it became (article ids)."""

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField()  # {"lead": id|None, "top": [ids], "pins": {section_id: id}}

    class Meta:
        ordering = ["-created_at", "-id"]
