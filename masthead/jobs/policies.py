"""Each job's retry policy: how many attempts, how the wait between them grows, and whether the
committing process runs it itself. Declared with the job (`registry.job`), read when a job is
enqueued (`registry.enqueue`) and when an attempt fails (`running`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    # None: retried until it succeeds (page purges: a stale page must not outlive an outage).
    max_attempts: int | None = 8
    backoff: float = 2.0  # seconds before the second attempt; doubles each time after
    backoff_cap: float = 600.0
    eager: bool = False

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait before attempt `attempts + 1`: exponential, capped, with ±20 % jitter so
        that the jobs failed by one outage do not all come back in the same second."""
        seconds = min(self.backoff * 2 ** max(attempts - 1, 0), self.backoff_cap)
        return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))

    def exhausted(self, attempts: int) -> bool:
        return self.max_attempts is not None and attempts >= self.max_attempts


_policies: dict[str, Policy] = {}
DEFAULT_POLICY = Policy()


def register(task_path: str, policy: Policy) -> None:
    _policies[task_path] = policy


def policy_for(task_path: str) -> Policy:
    return _policies.get(task_path, DEFAULT_POLICY)
