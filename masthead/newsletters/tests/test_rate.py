"""The global send rate, MASTHEAD_NEWSLETTERS_RATE: messages a second from every sending
worker, process and server together, counted in the shared database (core.ratelimit)."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from masthead.core import ratelimit
from masthead.core.models import RateBucket
from masthead.core.tests.live_redis import live_redis

from .livesite import LiveSite
from .smtpserver import SmtpServer

RATE = 20  # messages a second, all workers together
COUNT = 200  # 10 batches of 20: both workers get some


@pytest.mark.slow
def test_two_workers_sending_together_stay_under_the_global_rate(tmp_path):
    smtp = SmtpServer().start()
    site = LiveSite(tmp_path, smtp.port, "rate", MASTHEAD_JOBS_EAGER="none",
                    MASTHEAD_NEWSLETTERS_RATE=RATE, MASTHEAD_NEWSLETTERS_BATCH_SIZE=20)
    workers = []
    try:
        issue = site.issue_to_readers(COUNT, "Paced")
        log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115
        workers = [site.worker(log), site.worker(log)]  # 2 processes x 2 threads
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            [(status,)] = site.query("SELECT status FROM newsletters_issue WHERE id = ?",
                                     (issue,))
            if status == "sent":
                break
            time.sleep(0.5)
        assert status == "sent", site.masthead("newsletters", "progress", str(issue))
        claimed_by = {json.loads(ids)[-1] if isinstance(ids, str) else ids[-1] for (ids,) in
                      site.query("SELECT worker_ids FROM django_tasks_database_dbtaskresult"
                                 " WHERE task_path LIKE ?", ("%send_batch",))}
    finally:
        for proc in workers:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        smtp.stop()
        site.close()
    assert len(claimed_by) == 2, "both worker processes sent batches"
    received = smtp.ledger.received
    assert len(received) == COUNT == len(smtp.ledger.by_recipient())
    times = sorted(r.at for r in received)
    # The senders count in windows of 0.1 s (2 messages each at 20/s), so every whole second
    # holds 20 counts; the server's receive times jitter by the delivery (and by this busy
    # test process) around window edges, hence a small margin on the busiest second.
    per_second: dict[int, int] = {}
    for at in times:
        per_second[int(at)] = per_second.get(int(at), 0) + 1
    assert max(per_second.values()) <= RATE + 4, per_second
    span = times[-1] - times[0]
    # 200 messages at 2 per 0.1 s fill 100 windows: 9.9 s from the first to the last.
    assert span >= COUNT / RATE - 0.5, span
    overlapping = _max_parallel_connections(received)
    assert overlapping >= 2, "the senders did not run in parallel"
    print(f"\nglobal rate ({site.vendor}): {COUNT} messages in {span:.1f} s "
          f"= {(COUNT - 1) / span:.1f}/s (limit {RATE}/s), busiest second "
          f"{max(per_second.values())}, {overlapping} connections at once, "
          f"{len(claimed_by)} worker processes")


def _max_parallel_connections(received) -> int:
    spans: dict[tuple, list[float]] = {}
    for r in received:
        first_last = spans.setdefault(r.peer, [r.at, r.at])
        first_last[0], first_last[1] = min(first_last[0], r.at), max(first_last[1], r.at)
    events = sorted([(a, 1) for a, _ in spans.values()] + [(b, -1) for _, b in spans.values()],
                    key=lambda e: (e[0], -e[1]))
    now = best = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


@pytest.mark.django_db
def test_throttle_lets_rate_through_per_second_and_waits_for_the_next():
    slept, clock = [], [1000.25]

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    # 50 a second: windows of 0.1 s holding 5 each.
    for _ in range(5):
        assert ratelimit.throttle("t", 50, sleep=sleep, clock=lambda: clock[0]) == 0
    waited = ratelimit.throttle("t", 50, sleep=sleep, clock=lambda: clock[0])
    assert slept and 0.049 < waited < 0.052  # to the start of the next window
    assert RateBucket.objects.get(key="t", window=1000_200).count == 6  # 5 + the refused one
    assert RateBucket.objects.get(key="t", window=1000_300).count == 1
    # 25 a second: 3 per 0.12 s; below 10 a second: one per 1/rate seconds.
    assert [ratelimit.throttle("odd", 25, sleep=sleep, clock=lambda: 1000.0)
            for _ in range(3)] == [0, 0, 0]
    assert ratelimit.throttle("slow", 0.5, sleep=sleep, clock=lambda: 1002.0) == 0
    assert RateBucket.objects.get(key="slow", window=1002_000).count == 1


@pytest.mark.django_db
def test_shared_counters_are_keyed_hashes_and_pruned():
    bucket = ratelimit.key("ip", "203.0.113.9")
    assert "203.0.113.9" not in bucket
    assert [ratelimit.allow(bucket, 2, 60, now=6000.0) for _ in range(3)] == [True, True, False]
    assert ratelimit.allow(bucket, 2, 60, now=6060.0)  # a new minute
    assert ratelimit.prune(now=6000.0 + 3600 + 1) == 1 and RateBucket.objects.count() == 1


@pytest.mark.django_db
def test_with_a_redis_cache_the_throttle_counts_in_redis_not_the_database(settings):
    url = live_redis(db=3)  # this area's Redis database number
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": url, "KEY_PREFIX": f"nl-rate-test-{os.getpid()}"}}
    slept = []
    start = time.time() // 1 + 0.01  # early in a window, a real time: the keys expire

    def clock():
        return start + sum(slept)

    counts = [ratelimit.throttle("redis-t", 30, sleep=slept.append, clock=clock)
              for _ in range(4)]
    assert counts[:3] == [0, 0, 0] and counts[3] > 0  # 3 per 0.1 s at 30/s
    assert not RateBucket.objects.exists()
