"""A server process imports no machine-learning library until it needs one.

NumPy, SciPy and scikit-learn cost about 110 MB in every worker (docs/performance.md,
"Memory"); readers need none of them. Checked in a fresh interpreter, since the test run itself
imports them.
"""

import subprocess
import sys

PROBE = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
from masthead.wsgi import application
from django.template import engines
from django.urls import get_resolver
get_resolver().url_patterns  # imports every app's views
engines["jinja2"].get_template("articles/article.html")
engines["jinja2"].get_template("articles/front.html")
heavy = sorted(m for m in ("numpy", "scipy", "sklearn") if m in sys.modules)
print(",".join(heavy))
"""


def test_loading_the_site_imports_no_numpy_scipy_or_sklearn():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == ""


CACHE_PROBE = """
import os, threading
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
from masthead.wsgi import application
from django.db import connection
sizes = []
def serve():  # a serving thread opens its own connection
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        sizes.append(cursor.fetchone()[0])
    connection.close()
thread = threading.Thread(target=serve)
thread.start()
thread.join()
print(sizes[0])
"""


def _cache_size(tmp_path, **env) -> int:
    import os

    unset = ("MASTHEAD_DATABASE_URL", "MASTHEAD_SQLITE_SERVER_CACHE_MB", "MASTHEAD_SQLITE_CACHE_MB")
    env = {**{k: v for k, v in os.environ.items() if k not in unset},
           "MASTHEAD_DATA_DIR": str(tmp_path), **env}
    result = subprocess.run([sys.executable, "-c", CACHE_PROBE], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.split()[-1])


def test_a_server_workers_sqlite_connections_keep_a_small_page_cache(tmp_path):
    """Four serving threads at 8 MB each held 32 MB of every worker (issue 20); a server
    worker's connections get MASTHEAD_SQLITE_SERVER_CACHE_MB, other processes keep theirs."""
    assert _cache_size(tmp_path, MASTHEAD_SERVER="1") == -2 * 1024
    assert _cache_size(tmp_path, MASTHEAD_SERVER="1",
                       MASTHEAD_SQLITE_SERVER_CACHE_MB="3") == -3 * 1024
    assert _cache_size(tmp_path) == -8 * 1024  # the command-line tools' cache
