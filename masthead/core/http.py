"""HTTP helpers: deliberate Cache-Control on every response (STYLE habit 9)."""

from __future__ import annotations

from django.utils.cache import patch_cache_control

# Public pages: browsers revalidate after a minute; the page cache and any CDN in front are
# purged on change, so a short max-age costs little and keeps readers fresh.
PUBLIC_MAX_AGE = 60


def public(response, max_age: int = PUBLIC_MAX_AGE):
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def private(response):
    patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)
    return response
