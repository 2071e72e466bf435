"""Ordered work in forked processes that share the parent's memory (issue 20, item 4).

A full related-articles rebuild at 1M articles holds a fitted engine of ~3 GB, then runs
per-article NumPy and Python work that holds the GIL for most of its time, so threads do not
help and one core sits idle. Processes forked *after* the engine is built read the same pages
(copy-on-write): nothing is pickled to them but each task's few arguments, and only results
come back. The standard library's `ProcessPoolExecutor` with the fork start method does the
forking, the queues and the error handling (a worker that dies raises `BrokenProcessPool`, it
does not hang); this module only bounds how far ahead tasks are submitted, so results a slow
consumer has not taken yet cannot pile up in memory.

Workers never touch the parent's open database connections: they compute and return. They
ignore SIGINT and take SIGTERM's default, so that Ctrl-C or `kill` reaches the parent alone,
whose handler unwinds the command (cli.py) while the pool's shutdown ends the workers; an
inherited Python handler would run the parent's cleanup in a child.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_shared: Any = None  # what the workers inherit; set only while a pool is running


def usable_cpus() -> int:
    """CPUs this process may run on (a container's or `taskset`'s limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def ordered_map(fn: Callable[[Any, Any], Any], shared: Any, items: Iterable[Any],
                processes: int, ahead: int = 2) -> Iterator[Any]:
    """Yield ``fn(shared, item)`` for each item, in order.

    With ``processes`` > 1 the calls run in that many forked workers, which inherit ``shared``
    instead of receiving it; ``fn`` must be a module-level function (sent by name) and each
    item and result small enough to pickle. At most ``processes * ahead`` tasks are in flight.
    With 1 (or no fork on this platform) the calls run here, one after the other."""
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield fn(shared, item)
        return
    global _shared
    if _shared is not None:
        raise RuntimeError("ordered_map does not nest")
    _shared = shared
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_quiet_signals) as pool:
            pending: deque = deque()
            for item in items:
                pending.append(pool.submit(_call, fn, item))
                if len(pending) >= processes * ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _shared = None


def _call(fn, item):
    return fn(_shared, item)


def _quiet_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
