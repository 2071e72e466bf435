"""Tell a CDN or reverse proxy in front what was purged (docs/deploy.md, "CDN purge hook").

Pages leave the app with `Surrogate-Key` / `Cache-Tag` headers listing their keys, so a CDN
can purge by key. After each purge Masthead calls, when configured:

- MASTHEAD_PAGE_CACHE_PURGE_URL: an HTTP(S) POST with the JSON body
  `{"keys": [...], "paths": [...], "site": SITE_URL}` and the keys also in a `Surrogate-Key`
  header (space-separated), which is what Fastly's purge-by-key and a small Varnish VCL expect;
- MASTHEAD_PAGE_CACHE_PURGE_COMMAND: a program run with the keys as arguments and the same
  JSON on stdin (e.g. a script calling Cloudflare's purge-by-tag API).

A failing CDN never fails a publication: the purge runs as a durable job after the commit
(`tasks.purge`), and a failure here raises `CdnPurgeFailed`, which makes the job queue retry
it with backoff until the CDN takes it. Calls are bounded by a timeout.
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger("masthead.pagecache")
TIMEOUT_SECONDS = 10


def notify(keys, paths) -> None:
    url = getattr(settings, "MASTHEAD_PAGE_CACHE_PURGE_URL", "")
    command = getattr(settings, "MASTHEAD_PAGE_CACHE_PURGE_COMMAND", "")
    if not (url or command) or not (keys or paths):
        return
    payload = json.dumps({"keys": sorted(keys), "paths": sorted(paths),
                          "site": settings.SITE_URL}).encode()
    failures = []
    for configured, call in ((url, _post), (command, _run)):
        if configured:
            try:
                call(configured, payload, keys)
            except CdnPurgeFailed as exc:  # the other hook is still told
                failures.append(str(exc))
    if failures:
        raise CdnPurgeFailed("; ".join(failures))


def _post(url: str, payload: bytes, keys) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        log.error("MASTHEAD_PAGE_CACHE_PURGE_URL must be http(s), got %r", url)
        return
    headers = {"Content-Type": "application/json", "Surrogate-Key": " ".join(sorted(keys))}
    # The scheme is checked just above.
    request = urllib.request.Request(url, data=payload, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310
            reply.read()
    except OSError as exc:
        log.error("CDN purge POST to %s failed: %s", url, exc)
        raise CdnPurgeFailed(f"POST {url}: {exc}") from exc


def _run(command: str, payload: bytes, keys) -> None:
    try:
        done = subprocess.run([*shlex.split(command), *sorted(keys)], input=payload,
                              capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("CDN purge command %r failed: %s", command, exc)
        raise CdnPurgeFailed(f"{command}: {exc}") from exc
    if done.returncode:
        log.error("CDN purge command %r exited %s: %s", command, done.returncode,
                  done.stderr[-500:].decode(errors="replace"))
        raise CdnPurgeFailed(f"{command} exited {done.returncode}")


class CdnPurgeFailed(Exception):
    """The CDN did not take a purge; the purge job is retried until it does (masthead/jobs)."""
