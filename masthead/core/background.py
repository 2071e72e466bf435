"""Periodic jobs run inside every server process (no cron, no extra daemon).

`masthead serve` needs nothing else running for scheduled articles to go live on time, which is
where WordPress ("Missed schedule") and Ghost have failed publishers. Each job must be safe to
run from several processes at once; jobs are named in settings.MASTHEAD_BACKGROUND_JOBS as
(dotted path, interval in seconds) so that core does not import the apps that own them.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger("masthead.background")
_started = False
_lock = threading.Lock()


def _loop(func, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            func()
        except Exception:  # noqa: BLE001 - a failing job must not kill the thread; it retries
            log.exception("background job %s failed", func.__qualname__)
        finally:
            close_old_connections()
        stop.wait(interval)


def start(stop: threading.Event | None = None) -> threading.Event:
    """Start every configured job once per process; returns the event that stops them."""
    global _started
    stop = stop or threading.Event()
    with _lock:
        if _started:
            return stop
        _started = True
    for path, interval in getattr(settings, "MASTHEAD_BACKGROUND_JOBS", []):
        thread = threading.Thread(
            target=_loop, args=(import_string(path), float(interval), stop),
            name=f"masthead-job-{path.rsplit('.', 1)[-1]}", daemon=True,
        )
        thread.start()
    return stop
