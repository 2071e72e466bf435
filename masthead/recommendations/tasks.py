"""Related-list jobs (masthead/jobs), enqueued by the signal handlers with the change.

Not eager: the engine loads NumPy and its state, which a web server process should not carry
(it stays near 68 MB without them), and a first build can take minutes on a large site. The
workers run them; `services` takes the `EngineState` lock only to write lists, never to fit,
so publishing is never blocked behind them. Idempotent: replaying reads each article's current
state (see state.py).
"""

from __future__ import annotations

from masthead.jobs.registry import job

from . import services


@job(max_attempts=10, backoff=5.0)
def record_changes(ids: list[int], op: str) -> None:
    services.record_changes(ids, op)


@job(max_attempts=5, backoff=30.0)
def bulk_imported(runs: list) -> None:
    """`runs`: the imported ids as core/id_runs pairs (plain ids from older queues too)."""
    services.bulk_imported(runs)
