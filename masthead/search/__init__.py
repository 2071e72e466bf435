"""Full-text search: one interface, a backend per database (SQLite FTS5, PostgreSQL tsvector).

Owns the search index (only `Article.objects.published()` is ever in it, kept in sync by the
article signals in `signal_handlers`), `/search/` and `masthead search reindex`.
Public functions: `services.search(raw_query, filters, page)` (the page and the API both call
it), `services.sync_articles(ids)`, `services.remove_articles(ids)`, `services.rebuild_index()`
and `backends.get_backend()`.
"""
