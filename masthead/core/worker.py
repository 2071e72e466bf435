"""A server worker's start: load what every request needs, then take it out of the GC's sight.

CPython's cyclic garbage collector walks every tracked object of the oldest generation on each
full collection. A worker holds ~70,000 of them after loading Django, the URL configuration
and the compiled templates, and allocating ~8,000 per page (model instances, context dicts,
strings) keeps triggering collections that walk them again: 12–13% of the instructions of an
uncached article page (callgrind, docs/performance.md). `gc.freeze()` moves everything alive at
that moment into a permanent generation that collections skip; what later requests allocate
is collected as before. So the worker first loads what would otherwise be loaded by its first
requests (URL patterns and their views, every reader template), collects, then freezes.

It also bounds what the worker's SQLite connections keep (issue 20, item 6): one connection
per serving thread, each with its own page cache, filled to its size by a worker that has
served a large archive — at the 8 MB the command-line tools use, 32 MB of each worker's
anonymous memory for four threads (bench/worker_memory.py: 88 → 128 MB RSS after 2,000
distinct pages; 88 → 104 MB at 2 MB). A server worker's connections use
MASTHEAD_SQLITE_SERVER_CACHE_MB instead (2 MB, SQLite's own default); the kernel's file
cache, shared by every process, still holds the database.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("masthead.server")


def load_for_requests() -> None:
    """Import the views and compile the reader templates now rather than on first use."""
    from django.template import engines
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    resolver.reverse_dict  # noqa: B018 - builds the reverse look-up tables
    for engine in engines.all():
        environment = getattr(engine, "env", None)  # the Jinja2 reader templates
        if environment is None:
            continue
        for name in environment.list_templates(filter_func=lambda n: n.endswith(".html")):
            environment.get_template(name)


def _server_cache_size(sender, connection, **kwargs) -> None:
    from django.conf import settings

    if connection.vendor == "sqlite":
        megabytes = settings.MASTHEAD_SQLITE_SERVER_CACHE_MB
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size=-{int(megabytes) * 1024}")


def bound_sqlite_caches() -> None:
    """Every connection this process opens from now on gets the server's page cache size.
    Connected before anything of the worker's own opens one; the serving threads open theirs
    on their first request. (A connection the forked worker inherited from `masthead serve`
    is left alone: no serving thread uses it, and SQLite must not be closed across a fork.)"""
    from django.db.backends.signals import connection_created

    connection_created.connect(_server_cache_size, dispatch_uid="masthead-server-cache-size")


def prepare() -> None:
    bound_sqlite_caches()
    try:
        load_for_requests()
    except Exception:  # noqa: BLE001 - a worker that cannot pre-load still serves, lazily
        log.exception("pre-loading the worker failed; loading on first use instead")
    gc.collect()
    gc.freeze()
