"""`masthead check --deploy`: what is wrong for a site served by several machines.

Django's system-check framework, deploy-tagged: `check --deploy` prints these beside Django's
own security warnings and exits 1 when any is an error. Each function below looks at one
thing; `DEPLOY_CHECKS` lists them (the "no worker running" check goes there too, beside the
job queue). They read configuration through masthead.config and settings, and ask the
network nothing but Redis (a shared cache nobody can reach is as bad as none).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from masthead import config


def shared_secret():
    if not config.env("MASTHEAD_SECRET_KEY"):
        return [checks.Error(
            "MASTHEAD_SECRET_KEY is not set: each server generates its own key, and sessions "
            "and comment forms made on one are refused by the others.",
            hint="Set the same MASTHEAD_SECRET_KEY on every server (docs/deploy.md, Secrets).",
            id="masthead.E001")]
    return []


def trusted_proxies():
    if not settings.MASTHEAD_TRUSTED_PROXIES:
        return [checks.Error(
            "MASTHEAD_TRUSTED_PROXIES is not set: behind a load balancer every reader has its "
            "address, so per-address comment and login limits apply to everyone at once.",
            hint="List the load balancers' addresses or ranges, e.g. 10.0.0.0/24.",
            id="masthead.E002")]
    return []


def shared_media():
    if not (config.env("MASTHEAD_STORAGE_URL") or config.env("MASTHEAD_MEDIA_DIR")):
        return [checks.Error(
            "Media are stored on this server's local disk: an image uploaded here is missing "
            "on the others.",
            hint="Set MASTHEAD_STORAGE_URL (S3-compatible storage) or MASTHEAD_MEDIA_DIR on a "
                 "shared filesystem.",
            id="masthead.E003")]
    return []


def shared_cache():
    from . import health

    if not health.redis_urls():
        return [checks.Error(
            "MASTHEAD_CACHE_URL is not Redis: rate limits and the page cache are per server, "
            "and one server's purge leaves the others' stale pages.",
            hint="Set MASTHEAD_CACHE_URL=redis://host:6379/0 on every server.",
            id="masthead.E004")]
    return [checks.Error(f"{c.name} does not answer: {c.detail}", id="masthead.E005")
            for c in health.redis_checks() if not c.ok]


def shared_database():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return [checks.Error(
            "The database is SQLite, a file on this server: other servers cannot share it.",
            hint="Set MASTHEAD_DATABASE_URL=postgres://user@host:5432/masthead.",
            id="masthead.E006")]
    return []


DEPLOY_CHECKS = [shared_secret, trusted_proxies, shared_media, shared_cache, shared_database]


def deploy(app_configs=None, **kwargs):
    return [problem for check in DEPLOY_CHECKS for problem in check()]


def register() -> None:
    checks.register(deploy, "masthead", deploy=True)
