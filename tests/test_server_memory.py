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
