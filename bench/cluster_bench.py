"""Publish-to-fresh-everywhere latency on three servers (issue 14), as an operator sees it.

Starts the cluster of tests/cluster/cluster.py (three `masthead serve` with their own data dirs
and workers, nginx in front, a private PostgreSQL and Redis, a shared media directory), warms
every server's copy of one article and the front page, then K times: changes the headline
through the real service in a process of server A (as its newsroom would) and polls every
server and nginx until each answers the new headline. Reports the seconds from the commit to
the last fresh answer (p50, p90, max), and the same for a new publication reaching the front
page of every server.

    python bench/cluster_bench.py [--edits 30]

Writes bench/results/cluster.json. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.cluster.cluster import Cluster, missing  # noqa: E402


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.read()
    except OSError:
        return b""


def until_everywhere(bases, path, text: bytes, started: float, limit: float = 30.0) -> float:
    pending = set(bases)
    while pending and time.perf_counter() - started < limit:
        pending = {b for b in pending if text not in fetch(b + path)}
        if pending:
            time.sleep(0.005)
    if pending:
        raise SystemExit(f"stale after {limit} s on {sorted(pending)}")
    return time.perf_counter() - started


def summary(values):
    values = sorted(values)
    return {"p50_s": round(statistics.median(values), 3),
            "p90_s": round(values[int(0.9 * (len(values) - 1))], 3),
            "max_s": round(values[-1], 3), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    reason = missing()
    if reason:
        raise SystemExit(f"cannot start the cluster: {reason}")
    root = Path(tempfile.mkdtemp(prefix="masthead-cluster-bench-"))
    root.chmod(0o755)
    cluster = Cluster(root)
    try:
        cluster.start()
        bases = [s.url for s in cluster.servers] + [cluster.nginx.url]
        pk, path = cluster.python("""
from masthead.articles.models import Article
a = Article.objects.published().order_by("-published_at")[2]
print(a.pk, a.get_absolute_url())
""").stdout.split()
        # A long-lived "newsroom" process on server A: one Django start-up, many saves.
        edit_script = (
            "import sys, time\n"
            "from masthead.articles import services\n"
            "from masthead.articles.models import Article\n"
            "for line in sys.stdin:\n"
            f"    a = Article.objects.get(pk={pk}); a.headline = line.strip()\n"
            "    services.save_article(a); print(time.time(), flush=True)\n")
        import subprocess

        env = {**cluster.servers[0].env, "DJANGO_SETTINGS_MODULE": "masthead.settings"}
        proc = subprocess.Popen([sys.executable, "-c", "import django; django.setup()\n"
                                 + edit_script], env=env, cwd=REPO, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        edits, fronts = [], []
        for n in range(args.edits):
            for base in bases:
                fetch(base + path)
                fetch(base + "/")  # cached everywhere before the change
            headline = f"Cluster bench edit {n} {os.urandom(3).hex()}"
            proc.stdin.write(headline + "\n")
            proc.stdin.flush()
            committed = float(proc.stdout.readline())
            started = time.perf_counter() - (time.time() - committed)
            edits.append(until_everywhere(bases, path, headline.encode(), started))
            fronts.append(until_everywhere(bases, "/", headline.encode(), started))
        proc.stdin.close()
        proc.wait(timeout=30)
        result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  "machine": f"{os.cpu_count()} cores", "load": os.getloadavg()[0],
                  "servers": 3, "article_fresh_everywhere": summary(edits),
                  "front_fresh_everywhere": summary(fronts)}
        print(json.dumps(result, indent=2))
        (REPO / "bench" / "results" / "cluster.json").write_text(json.dumps(result, indent=2)
                                                                  + "\n")
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
