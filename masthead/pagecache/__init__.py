"""Full-page cache for anonymous readers, invalidated exactly by surrogate keys (issue 7).

Owns: the WSGI fast path (`wsgi.PageCacheApp`, installed in masthead/wsgi.py), the storing
middleware (`middleware.PageCacheMiddleware`, first in MIDDLEWARE), the page stores
(`stores/`: files in the data dir with a database index, or Redis), the dependency rules
(`dependencies.py`) and the receivers that purge on article, taxonomy and comment signals.

Public functions: `services.purge_keys(keys, paths=())` (after commit),
`services.purge_now(keys, paths=())` and `services.clear()`. CLI: `masthead pagecache`.
See docs/performance.md (measurements) and docs/deploy.md (nginx front, CDN purge hook).
"""
