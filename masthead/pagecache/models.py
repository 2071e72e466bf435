"""The file store's shared index: which stored pages carry which surrogate key.

It lives in the database because every server process (and the scheduler thread in each)
must see the same index; a per-process map would miss pages stored by another worker. The
Redis store keeps the same two facts in Redis sets and counters (stores/redis_store.py).

- `IndexedPage(key, path)`: the page stored under `path` shows something tagged `key`.
- `PurgeStamp(key, purged_at)`: when `key` was last purged, so that a page whose render began
  before that moment is not stored afterwards with what it read before the change.
"""

from django.db import models


class IndexedPage(models.Model):
    key = models.CharField(max_length=200)
    path = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "path"], name="pagecache_key_path_unique"),
        ]
        indexes = [models.Index(fields=["path"], name="pagecache_path")]

    def __str__(self):
        return f"{self.key} → {self.path}"


class PurgeStamp(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    purged_at = models.FloatField(db_index=True)  # time.time(): one host, one clock

    def __str__(self):
        return f"{self.key} @ {self.purged_at}"
