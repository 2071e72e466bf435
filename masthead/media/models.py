"""The media library: one row per image, with its renditions for `srcset`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Image(models.Model):
    # width/height are written by media.services from the re-encoded pixels, not by the
    # field's `width_field`/`height_field`: those connect a post_init handler that made every
    # Image built for a reader page (~30 on the front page) take Django's slow constructor
    # path instead of core/rows.py's direct one (~65 µs each).
    file = models.ImageField(upload_to="images/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt = models.CharField(max_length=300, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    # Where an imported image lived before (WordPress attachment URL, feed enclosure...).
    original_url = models.URLField(max_length=1000, blank=True, db_index=True)
    # [{"width": 480, "name": "images/2026/11/x-480.jpg"}, ...], smallest first.
    renditions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.alt or self.original_url or f"image {self.pk}"

    @property
    def url(self) -> str:
        if self.file:
            return self.file.url
        return self.original_url

    @property
    def thumbnail_url(self) -> str:
        """The smallest rendition, for the media library grid."""
        if self.renditions:
            from django.core.files.storage import default_storage

            return default_storage.url(min(self.renditions, key=lambda r: r["width"])["name"])
        return self.url

    @property
    def srcset(self) -> str:
        from django.core.files.storage import default_storage

        return ", ".join(
            f"{default_storage.url(r['name'])} {r['width']}w" for r in self.renditions
        )
