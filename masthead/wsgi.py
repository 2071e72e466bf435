"""WSGI entry point for the production server (granian).

Django's application is wrapped by the page cache's fast path, which answers stored pages for
anonymous readers without entering Django (masthead/pagecache/wsgi.py); MASTHEAD_PAGE_CACHE=0
turns it off.

When run by `masthead serve`, each worker process loads what requests need before freezing it
out of the garbage collector's way: see core/worker.py. Background work runs in `masthead
worker` processes (masthead/jobs), which `masthead serve` starts beside the web server.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from masthead.pagecache.wsgi import PageCacheApp  # noqa: E402

application = PageCacheApp(get_wsgi_application())

if os.environ.get("MASTHEAD_SERVER") == "1":
    from masthead.core import worker  # noqa: E402

    worker.prepare()
