"""Jobs the queue's tests enqueue: module-level, as the engine requires. Each records its runs
in a file named by its argument, so that a worker in another process can be observed."""

from __future__ import annotations

import time
from pathlib import Path

from masthead.jobs.registry import job


def _record(path: str, word: str) -> int:
    with open(path, "a") as f:
        f.write(word + "\n")
    return len(Path(path).read_text().split())


@job(max_attempts=3, backoff=30.0)
def flaky(path: str, failures: int) -> int:
    """Fails its first `failures` runs, then succeeds."""
    runs = _record(path, "run")
    if runs <= failures:
        raise RuntimeError(f"failure {runs} of {failures}")
    return runs


@job(max_attempts=5)
def record(path: str) -> int:
    return _record(path, "ok")


@job(max_attempts=5)
def slow(path: str, seconds: float) -> int:
    _record(path, "start")
    time.sleep(seconds)
    return _record(path, "done")


@job(eager=True)
def eager_record(path: str) -> int:
    return _record(path, "eager")


KEPT_MB = 0.0  # what the recycle tests say an app keeps on purpose


def kept_mb() -> float:
    return KEPT_MB
