"""Durable background work: every follow-up of a change, run by workers with retries.

The engine is Django's Tasks API (the `django-tasks` backport, the API Django 6.0 ships) with
the `django-tasks-db` database backend: a job is a row written *in the same transaction as the
change it follows*, so it exists exactly when the change committed, on SQLite and PostgreSQL
alike (docs/decisions/0004-job-queue.md says why this engine). This app adds what that engine
leaves to its users, and nothing else:

- `registry.job(...)` declares a task with its retry policy (attempts, exponential backoff) and
  whether it is *eager*: run in the committing process right after the commit (page purges and
  search entries, so a reader's next request sees the change), with the row as the durable
  fallback if that process dies first.
- `registry.enqueue(task, *args)` writes the row in the caller's transaction.
- `running` claims and runs one job, turning a failure into a retry at a later time or, when
  the attempts are spent, a failed job that `masthead jobs` lists.
- `worker` is the loop `masthead worker` and `masthead serve` run: it polls, runs, beats a
  heartbeat, recovers jobs whose worker died (kill -9), and runs the periodic sweeps
  (settings.MASTHEAD_BACKGROUND_JOBS).
- `reporting` answers `masthead jobs` and `/healthz` (the age of the oldest waiting job).
"""
