"""Django settings, built from `masthead.config` (the only reader of the environment)."""

from masthead import config

BASE_DIR = config.Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key()
# Earlier keys: sessions and signed links made with them keep working after a change, and the
# key ring (masthead/keyring) still opens with them until `masthead keys rotate` re-wraps it.
SECRET_KEY_FALLBACKS = config.secret_key_fallbacks()
DEBUG = config.env_bool("MASTHEAD_DEBUG", False)
ALLOWED_HOSTS = config.allowed_hosts()
SITE_URL = config.site_url()
SITE_NAME = config.env("MASTHEAD_SITE_NAME", "The Masthead Ledger")
SITE_LANGUAGE = config.env("MASTHEAD_LANGUAGE", "en")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The job queue's engine: Django's Tasks API and its database backend (masthead/jobs).
    "django_tasks",
    "django_tasks_db",
    "masthead.core",
    "masthead.jobs",
    "masthead.keyring",
    "masthead.articles",
    "masthead.media",
    # Before the apps whose receivers do slow work on the same signals (the related-articles
    # engine loads NumPy and its state on a process's first publication): signal receivers run
    # in this order, and readers must see a change at once.
    "masthead.pagecache",
    "masthead.comments",
    "masthead.recommendations",
    "masthead.search",
    "masthead.feeds",
    "masthead.importers",
    "masthead.newsletters",
    "masthead.newsroom",
    "masthead.integrations",
    "masthead.webhooks",
    "masthead.api",
    "masthead.demo",
]

MIDDLEWARE = [
    # Outermost: compresses the final response, reusing what the page cache compressed when it
    # stored the page (masthead/core/compression.py).
    "masthead.core.compression.CompressionMiddleware",
    # Next, so it sees the final response (cookies, Vary) before storing it: masthead/pagecache.
    "masthead.pagecache.middleware.PageCacheMiddleware",
    # Inside the page cache, so stored pages carry the policy too: masthead/core/security.py.
    "masthead.core.security.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "masthead.articles.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    # Reader pages: Jinja2 (masthead/templating.py; docs/decisions/0002-jinja2-reader-templates.md).
    # First, so a page name found in a `jinja2/` folder is rendered by it.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "masthead.templating.environment",
            "context_processors": ["masthead.articles.context_processors.site"],
        },
    },
    # The newsroom and moderation screens (forms, messages, the staff user).
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masthead.articles.context_processors.site",
            ],
        },
    }
]

DATABASES = {"default": config.database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": config.cache()}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/newsroom/login/"
LOGIN_REDIRECT_URL = "/newsroom/"

_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS on HTTPS requests (docs/security.md): off by default, as a wrong value locks a site's
# visitors out of plain HTTP for that long; the TLS front (nginx) should send it as well.
SECURE_HSTS_SECONDS = config.env_int("MASTHEAD_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("MASTHEAD_HSTS_INCLUDE_SUBDOMAINS", False)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = config.env("MASTHEAD_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media: $MASTHEAD_DATA_DIR/media, MASTHEAD_MEDIA_DIR or MASTHEAD_STORAGE_URL (an S3 bucket),
# always served at /media/ by the app unless MASTHEAD_MEDIA_URL names a CDN (masthead/media).
MEDIA_URL = config.media_url()
MEDIA_ROOT = config.media_dir()
STORAGES = {
    "default": config.media_storage(),
    # Hashed names + far-future Cache-Control, served by WhiteNoise from the app server.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

_email = config.email()
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
DEFAULT_FROM_EMAIL = config.env("MASTHEAD_FROM_EMAIL", "newsroom@localhost")

# Reading and listings.
MASTHEAD_PAGE_SIZE = config.env_int("MASTHEAD_PAGE_SIZE", 20)
MASTHEAD_RELATED_COUNT = config.env_int("MASTHEAD_RELATED_COUNT", 4)
MASTHEAD_WORDS_PER_MINUTE = 230

# Comments (see masthead/comments).
MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = config.env_int("MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS", 0)
MASTHEAD_COMMENTS_MAX_DEPTH = config.env_int("MASTHEAD_COMMENTS_MAX_DEPTH", 5)
MASTHEAD_COMMENTS_RATE_PER_MINUTE = config.env_int("MASTHEAD_COMMENTS_RATE_PER_MINUTE", 5)
MASTHEAD_COMMENTS_IP_RETENTION_DAYS = config.env_int("MASTHEAD_COMMENTS_IP_RETENTION_DAYS", 30)

# Full-page cache (see masthead/pagecache).
MASTHEAD_PAGE_CACHE = config.env_bool("MASTHEAD_PAGE_CACHE", True)
MASTHEAD_PAGE_CACHE_DIR = DATA_DIR / "pagecache"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": config.env("MASTHEAD_LOG_LEVEL", "WARNING")},
}

# Durable background work (masthead/jobs; docs/decisions/0004-job-queue.md). Jobs are rows in
# the site's own database, written in the transaction of the change they follow.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Which jobs the committing process runs itself right after the commit: "fast" (those declared
# eager: page purges, search entries), "all" (the test suite), "none" (workers only).
MASTHEAD_JOBS_EAGER = config.env("MASTHEAD_JOBS_EAGER", "fast")
# Whether `masthead serve` starts a `masthead worker` process beside the web server.
MASTHEAD_SERVE_WORKER = config.env_bool("MASTHEAD_SERVE_WORKER", True)
# Seconds without a heartbeat after which a worker is dead and its running jobs are put back.
MASTHEAD_JOBS_DEAD_AFTER = config.env_int("MASTHEAD_JOBS_DEAD_AFTER", 30)
# A job worker holding more than this (MB RSS) after a job starts afresh: heavy jobs (the
# related-articles engine) leave hundreds of MB behind (masthead/jobs/worker.py). 0: never.
MASTHEAD_JOBS_RECYCLE_MB = config.env_megabytes("MASTHEAD_JOBS_RECYCLE_MB", 200)
# Functions returning the MB an app keeps in a worker on purpose, left out of that bound.
MASTHEAD_JOBS_KEPT_MEMORY: list[str] = []

# Periodic sweeps every job worker runs: (dotted path, seconds); each is safe in many workers.
# The scheduler's sweep is a safety net: a scheduled article also gets a job due at its time.
# Planner statistics: SQLite never analyzes by itself; a table that outgrew its statistics is
# analyzed (sampled) within the hour, as after a bulk import (masthead/core/planner_stats.py).
MASTHEAD_BACKGROUND_JOBS = [
    ("masthead.articles.scheduler.publish_due", 5.0),
    ("masthead.core.planner_stats.refresh_stale", 3600.0),
]

# Comments (masthead/comments): form timing, link limit, and the comment jobs every server runs;
# the middleware marks pages personalised for a commenter (their pending comment) private.
MASTHEAD_COMMENTS_MIN_FORM_SECONDS = config.env_int("MASTHEAD_COMMENTS_MIN_FORM_SECONDS", 3)
MASTHEAD_COMMENTS_MAX_FORM_AGE = config.env_int("MASTHEAD_COMMENTS_MAX_FORM_AGE", 86400)
MASTHEAD_COMMENTS_MAX_LINKS = config.env_int("MASTHEAD_COMMENTS_MAX_LINKS", 2)
MIDDLEWARE = [*MIDDLEWARE, "masthead.comments.middleware.CommenterPagesArePrivate"]
MASTHEAD_BACKGROUND_JOBS = [
    *MASTHEAD_BACKGROUND_JOBS,
    ("masthead.comments.jobs.retrain_spam_filter", 300.0),
    ("masthead.comments.jobs.forget_old_ip_addresses", 3600.0),
]

# Page cache (masthead/pagecache; see docs/performance.md and docs/deploy.md).
# Where page bytes live: "files" (MASTHEAD_PAGE_CACHE_DIR, servable by nginx, one host) or
# "redis" (shared by several servers). Empty: "redis" when MASTHEAD_CACHE_URL is Redis.
MASTHEAD_PAGE_CACHE_STORE = config.env("MASTHEAD_PAGE_CACHE_STORE", "")
MASTHEAD_PAGE_CACHE_REDIS_URL = config.env(
    "MASTHEAD_PAGE_CACHE_REDIS_URL",
    CACHES["default"]["LOCATION"] if "redis" in CACHES["default"]["BACKEND"].lower() else "",
)
MASTHEAD_PAGE_CACHE_REDIS_PREFIX = config.env("MASTHEAD_PAGE_CACHE_REDIS_PREFIX", "masthead:pc:")
# The longest a stored page is served, purges aside: below the comment form token's one-day
# life, and a bound on the damage of any purge that failed. Expired files go every 10 minutes.
MASTHEAD_PAGE_CACHE_MAX_AGE = config.env_int("MASTHEAD_PAGE_CACHE_MAX_AGE", 12 * 3600)
MASTHEAD_BACKGROUND_JOBS = [
    *MASTHEAD_BACKGROUND_JOBS, ("masthead.pagecache.jobs.expire_old_pages", 600.0),
]
# Per-process copies of hot pages, revalidated against the shared store on every request.
MASTHEAD_PAGE_CACHE_MEMORY_MB = config.env_int("MASTHEAD_PAGE_CACHE_MEMORY_MB", 8)
# SQLite's page cache per connection in a server worker (one per serving thread; core/worker.py):
# smaller than MASTHEAD_SQLITE_CACHE_MB, which the command-line tools keep (issue 20).
MASTHEAD_SQLITE_SERVER_CACHE_MB = config.env_megabytes("MASTHEAD_SQLITE_SERVER_CACHE_MB", 2)
# SQLite's page cache while an import runs (importers/bulk_insert.py): a large import is one
# transaction, and its indexes must stay in memory for the import to keep its speed at 1M.
MASTHEAD_SQLITE_IMPORT_CACHE_MB = config.env_megabytes("MASTHEAD_SQLITE_IMPORT_CACHE_MB", 512)
# Readers with any of these cookies (plus the session cookie) always get a fresh render.
MASTHEAD_PAGE_CACHE_BYPASS_COOKIES = ["masthead_commenter", "messages"]
# Views whose `?page=N` variants are stored (all other query strings bypass the cache).
MASTHEAD_PAGE_CACHE_PAGINATED_VIEWS = ["articles:section", "articles:tag", "articles:author"]
# CDN purge hook, called with the purged surrogate keys (see docs/deploy.md).
MASTHEAD_PAGE_CACHE_PURGE_URL = config.env("MASTHEAD_PAGE_CACHE_PURGE_URL", "")
MASTHEAD_PAGE_CACHE_PURGE_COMMAND = config.env("MASTHEAD_PAGE_CACHE_PURGE_COMMAND", "")

# Newsroom (see masthead/newsroom): login throttling and shared preview links.
MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT = 5
MASTHEAD_LOGIN_FAILURES_PER_IP = 20
MASTHEAD_LOGIN_WINDOW_SECONDS = 15 * 60
MASTHEAD_PREVIEW_LINK_MAX_AGE = 7 * 24 * 3600

# Media (see masthead/media): upload limits and responsive rendition widths.
MASTHEAD_MEDIA_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MASTHEAD_MEDIA_MAX_PIXELS = 40_000_000  # stops decompression bombs before decoding
MASTHEAD_MEDIA_RENDITION_WIDTHS = (480, 800, 1200, 1600)

# Search, feeds and sitemaps (see masthead/search, masthead/feeds).
MASTHEAD_SEARCH_PAGE_SIZE = config.env_int("MASTHEAD_SEARCH_PAGE_SIZE", 10)
MASTHEAD_FEED_FULL_CONTENT = config.env_bool("MASTHEAD_FEED_FULL_CONTENT", True)
MASTHEAD_FEED_ITEMS = config.env_int("MASTHEAD_FEED_ITEMS", 20)

# Recommendations (see masthead/recommendations and docs/recommendations-operations.md): every
# worker applies related-list changes a failed signal handler left behind, and runs a full refit
# when a fifth of the corpus changed since the last one (one worker wins it).
MASTHEAD_BACKGROUND_JOBS = [
    *MASTHEAD_BACKGROUND_JOBS, ("masthead.recommendations.jobs.keep_lists_fresh", 30.0),
]
# A job worker keeps its copy of the engine between jobs (outside MASTHEAD_JOBS_RECYCLE_MB) once
# the copy holds this many articles: reloading it for each publication then costs more than
# keeping it (a publication's list, commit to stored: 10k articles 1.6 s with the worker's
# restart and reload, 45 ms with the copy kept, 255 MB; 1M: a 15 s reload, 4.5 GB). 0: always.
MASTHEAD_RELATED_KEEP_ARTICLES = config.env_int("MASTHEAD_RELATED_KEEP_ARTICLES", 100_000)
MASTHEAD_JOBS_KEPT_MEMORY = [*MASTHEAD_JOBS_KEPT_MEMORY, "masthead.recommendations.state.kept_mb"]
# Processes a full rebuild computes lists in (forked after the fit, sharing its memory; issue
# 20). 0: every CPU this process may use. 1 on a small server that must keep a core for pages.
MASTHEAD_RELATED_PROCESSES = config.env_int("MASTHEAD_RELATED_PROCESSES", 0)

# Several servers (issue 14): proxies whose X-Forwarded-For is believed (masthead/core/clientip.py).
MASTHEAD_TRUSTED_PROXIES = config.trusted_proxies()
# Apps that keep personal data encrypted with the key ring name their re-keying function here
# (`masthead keys rotate` calls each; masthead/keyring).
MASTHEAD_KEYRING_USERS = [
    "masthead.comments.privacy.rekey",
    "masthead.newsletters.privacy.rekey",
    "masthead.webhooks.services.rekey",  # webhook signing secrets
]

# Integrations, the Admin API and webhooks (issue 18; docs/api.md).
MIDDLEWARE = [*MIDDLEWARE, "masthead.api.middleware.ApiEdges"]
MASTHEAD_API_RATE_CONTENT = config.env_int("MASTHEAD_API_RATE_CONTENT", 600)  # per key, minute
MASTHEAD_API_RATE_ADMIN = config.env_int("MASTHEAD_API_RATE_ADMIN", 120)
MASTHEAD_API_MAX_BODY_BYTES = config.env_int("MASTHEAD_API_MAX_BODY_BYTES", 1024 * 1024)
# Content API reads with a key are served from the page cache once the key is checked.
MASTHEAD_PAGE_CACHE_KEYED_PREFIXES = ["/api/v1/"]
MASTHEAD_PAGE_CACHE_AUTHORISER = "masthead.api.fastpath.authorise"
MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = config.env_bool("MASTHEAD_WEBHOOKS_ALLOW_PRIVATE", False)
MASTHEAD_WEBHOOKS_MAX_ATTEMPTS = config.env_int("MASTHEAD_WEBHOOKS_MAX_ATTEMPTS", 8)
MASTHEAD_WEBHOOKS_BACKOFF_SECONDS = float(config.env("MASTHEAD_WEBHOOKS_BACKOFF_SECONDS", "5"))
MASTHEAD_WEBHOOKS_DISABLE_AFTER = config.env_int("MASTHEAD_WEBHOOKS_DISABLE_AFTER", 5)
MASTHEAD_WEBHOOKS_TIMEOUT = float(config.env("MASTHEAD_WEBHOOKS_TIMEOUT", "10"))
MASTHEAD_BACKGROUND_JOBS = [
    *MASTHEAD_BACKGROUND_JOBS, ("masthead.api.jobs.forget_old_records", 3600.0),
]

# Newsletters (masthead/newsletters; docs/newsletters.md): sending rate per sending job
# (messages a second, 0 = as fast as the SMTP server takes them), how long a recipient claimed
# for sending is reserved, the envelope sender bounces return to (VERP-tagged), sign-ups an IP
# may make a minute, and the sweep that makes the automatic (digest, sections) issues.
# Messages a second from all sending workers and servers together (0 = unpaced): counted in
# the database, or in Redis when the cache is Redis (masthead/core/ratelimit.py).
MASTHEAD_NEWSLETTERS_RATE = float(config.env("MASTHEAD_NEWSLETTERS_RATE", "0") or 0)
MASTHEAD_NEWSLETTERS_BATCH_SIZE = config.env_int("MASTHEAD_NEWSLETTERS_BATCH_SIZE", 500)
MASTHEAD_NEWSLETTERS_LEASE_SECONDS = config.env_int("MASTHEAD_NEWSLETTERS_LEASE_SECONDS", 120)
MASTHEAD_NEWSLETTERS_BOUNCE_ADDRESS = config.env("MASTHEAD_NEWSLETTERS_BOUNCE_ADDRESS", "")
MASTHEAD_NEWSLETTERS_SIGNUPS_PER_MINUTE = config.env_int(
    "MASTHEAD_NEWSLETTERS_SIGNUPS_PER_MINUTE", 5)
MASTHEAD_BACKGROUND_JOBS = [
    *MASTHEAD_BACKGROUND_JOBS, ("masthead.newsletters.automatic.make_due_issues", 60.0),
]
