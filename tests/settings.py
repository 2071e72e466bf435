"""Settings for the test suite: Masthead's settings with a throw-away data dir and mail kept
in memory. The environment is prepared here, before `masthead.settings` reads it."""

import os
import tempfile

# Always a fresh directory, even when the shell names a real site's data dir.
os.environ["MASTHEAD_DATA_DIR"] = tempfile.mkdtemp(prefix="masthead-test-")
os.environ.setdefault("MASTHEAD_EMAIL_URL", "memory")
# Jobs run in the committing process right after the commit, so a test sees their effects
# (with `django_capture_on_commit_callbacks(execute=True)` inside its transaction).
os.environ.setdefault("MASTHEAD_JOBS_EAGER", "all")
os.environ.setdefault("MASTHEAD_SECRET_KEY", "test-secret-key-not-for-production-0123456789")

from masthead.settings import *  # noqa: E402,F403

# Tests render pages without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                    *PASSWORD_HASHERS]  # noqa: F405 - fast logins in tests; argon2 still tested
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing
WHITENOISE_USE_FINDERS = True
