"""Signals other apps react to, sent inside the transaction of the change.

Receivers must only enqueue durable jobs (`masthead.jobs.registry.enqueue`), which are written
in that same transaction and run after it commits: never slow work, never I/O to the outside.

- `article_published(article)`: an article became visible to readers.
- `article_changed(article, previous_paths)`: a visible article's content or metadata changed.
- `article_unpublished(article)`: an article stopped being visible.
- `article_deleted(article)`: an article is about to be deleted (sent before the row goes).
- `taxonomy_changed(kind, obj)`: a section, tag or author changed (name, slug, description).
- `front_page_curated(change)`: an editor changed the front page's lead, order or pins.
- `bulk_import_finished(article_ids)`: an import stored many articles with signals suspended;
  `article_ids` is a sequence (an `array` of a million ids from a big import): slice it, never
  copy it whole.
"""

from django.dispatch import Signal

article_published = Signal()
article_changed = Signal()
article_unpublished = Signal()
article_deleted = Signal()
taxonomy_changed = Signal()
bulk_import_finished = Signal()
front_page_curated = Signal()
