"""Stored "Articles You May Like" lists, editors' pins and exclusions, and the engine's log.

- `RelatedArticle`: one row per (article, rank): the list as pages read it, pinned articles
  first, then the engine's picks with their score and explanation. A few more rows than a page
  shows are kept (`services.SPARE`), so an article that stops being visible simply drops out
  on read and the next one moves up, before any recomputation.
- `RelatedOverride`: an editor's pin or exclusion; survives every rebuild.
- `RelatedEvent`: the change log every server process replays into its in-memory engine.
- `EngineState`: one row: which engine snapshot is current and how far the log has been
  applied; also the lock that serialises list writes across processes (`state.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from masthead.articles.models import Article


class RelatedArticle(models.Model):
    # No index of their own: (article, rank) and related_holders below serve both columns, and
    # each extra index is written for every stored row (a 1M rebuild writes 8M; migration 0002).
    # No database constraint either: PostgreSQL checked 16M deferred keys at a 1M rebuild's
    # COMMIT (233 s); Django's collector still cascades deletes (migration 0003).
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+",
                                db_index=False, db_constraint=False)
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+",
                                db_index=False, db_constraint=False)
    rank = models.PositiveSmallIntegerField()
    pinned = models.BooleanField(default=False)
    score = models.FloatField(null=True, blank=True)  # None for pins: an editor's choice
    explanation = models.JSONField(default=dict, blank=True)

    class Meta:
        permissions = [("pin_related", "Can pin and exclude related articles")]
        constraints = [
            models.UniqueConstraint(fields=["article", "rank"], name="related_rank_unique"),
            models.UniqueConstraint(fields=["article", "related"], name="related_pair_unique"),
        ]
        # (article, rank) is served by the unique index; this one answers "which lists show
        # this article", asked on every unpublish.
        indexes = [models.Index(fields=["related"], name="related_holders")]

    def __str__(self):
        return f"{self.article_id} → {self.related_id} (#{self.rank})"


class RelatedOverride(models.Model):
    class Kind(models.TextChoices):
        PIN = "pin", "Pinned"
        EXCLUDE = "exclude", "Excluded"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]  # pins show in the order editors added them
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="override_pair_unique"),
        ]
        indexes = [models.Index(fields=["related", "kind"], name="override_related")]


class RelatedEvent(models.Model):
    """An article whose engine entry must be brought up to date (id order = commit order,
    because events are only inserted under the `EngineState` lock)."""

    class Op(models.TextChoices):
        UPSERT = "upsert", "Upsert"
        REMOVE = "remove", "Remove"

    # Not a foreign key: the event must outlive a deleted article, to remove it from engines.
    article_id = models.BigIntegerField()
    op = models.CharField(max_length=10, choices=Op.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]


class EngineState(models.Model):
    """The single row (pk=1) describing the shared engine state."""

    generation = models.PositiveIntegerField(default=0)  # full fits so far; 0 = never built
    snapshot = models.CharField(max_length=32, blank=True)  # token naming the snapshot file
    snapshot_event = models.BigIntegerField(default=0)  # the snapshot includes events <= this
    written_event = models.BigIntegerField(default=0)  # stored lists reflect events <= this
    changes = models.PositiveIntegerField(default=0)  # articles changed since the last full fit
    refit_due = models.BooleanField(default=False)  # a full fit is due (services.REFIT_SHARE)
    built_at = models.DateTimeField(null=True, blank=True)
    build_seconds = models.FloatField(default=0)
    articles = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"generation {self.generation} ({self.snapshot or 'none'})"
