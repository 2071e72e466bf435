"""Django settings, built from `masthead.config` (the only reader of the environment)."""

from masthead import config

BASE_DIR = config.Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key()
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
    "masthead.core",
    "masthead.articles",
    "masthead.media",
    "masthead.comments",
    "masthead.recommendations",
    "masthead.search",
    "masthead.feeds",
    "masthead.importers",
    "masthead.newsroom",
    "masthead.api",
    "masthead.pagecache",
    "masthead.demo",
]

MIDDLEWARE = [
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = config.env("MASTHEAD_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

# In-process periodic jobs started by every `masthead serve` worker: (dotted path, seconds).
MASTHEAD_BACKGROUND_JOBS = [
    ("masthead.articles.scheduler.publish_due", 1.0),
]
