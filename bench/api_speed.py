"""The API's speed against a real `masthead serve` (issue 18): Content API list and detail
requests per second, from the page cache and rendered (`?per_page=20`: the same answer, but a
query the cache does not store), each keyless and with a Content key (checked and counted
before a stored answer is served), and Admin API creates per second; SQLite and PostgreSQL.

    .venv/bin/python bench/api_speed.py [--seconds 8] [--postgres URL]

Writes bench/results/api.json. Needs wrk (CI installs it). The demo site is the data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.server import (  # noqa: E402
    _serve,
    free_port,
    fresh_postgres_database,
    masthead,
)

RESULTS = Path(__file__).parent / "results" / "api.json"
# A limit no run reaches, so that keyed reads are counted as in production (0 skips the count).
ENV = {"MASTHEAD_API_RATE_CONTENT": "1000000000", "MASTHEAD_API_RATE_ADMIN": "0"}


def wrk(url: str, seconds: int, headers: dict | None = None) -> float:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors[1]} error answers\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def creates_per_second(api: str, key: str, seconds: int, threads: int = 8) -> float:
    done, stop = [], time.monotonic() + seconds

    def work(n):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        i = 0
        while time.monotonic() < stop:
            r = session.post(api + "/articles/", json={
                "title": f"Bench {n}-{i}", "body": "A paragraph.\n\n## Sub\n\nMore.",
                "tags": ["Bench"]}, timeout=60)
            if r.status_code == 409:  # a collision the API asks clients to retry
                continue
            assert r.status_code == 201, r.text
            done.append(1)
            i += 1

    started = time.monotonic()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(done) / (time.monotonic() - started)


def run(database: str, seconds: int) -> dict:
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="api-bench-")
    env = {**os.environ, "MASTHEAD_DATA_DIR": data_dir,
           "MASTHEAD_SITE_URL": f"http://127.0.0.1:{port}", **ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("MASTHEAD_DATABASE_URL", None)
    with contextlib.ExitStack() as stack:
        if database != "sqlite":
            env["MASTHEAD_DATABASE_URL"] = stack.enter_context(
                fresh_postgres_database(database, f"mh_api_bench_{port}"))
            env.setdefault("MASTHEAD_SECRET_KEY", "bench-secret-key-0123456789abcdef")
        url = stack.enter_context(_serve(env, port, True, 2))
        made = masthead(["integrations", "create", "Bench", "--role", "editor", "--json"], env)
        keys = json.loads(made.stdout or "null") or sys.exit(made.stderr)
        api = url + "/api/v1"
        first = requests.get(api + "/articles/", timeout=30).json()["results"][0]["id"]
        keyed = {"Authorization": f"Bearer {keys['content_key']}"}
        detail = f"{api}/articles/{first}/"
        for target in (api + "/articles/", detail):
            requests.get(target, timeout=30)  # store it in the page cache
        for target in (api + "/articles/", detail):
            requests.get(target, headers=keyed, timeout=30)
        rendered = "?per_page=20"
        result = {}
        for name, target in (("list", api + "/articles/"), ("detail", detail)):
            result[f"{name}_cached_rps"] = wrk(target, seconds)
            result[f"{name}_cached_keyed_rps"] = wrk(target, seconds, keyed)
            result[f"{name}_uncached_rps"] = wrk(target + rendered, seconds)
            result[f"{name}_uncached_keyed_rps"] = wrk(target + rendered, seconds, keyed)
        result["admin_creates_per_s"] = creates_per_second(api, keys["admin_key"], seconds)
        print(database.split("@")[-1], json.dumps(result), flush=True)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="a server whose databases may be created (empty: SQLite only)")
    args = parser.parse_args()
    results = {"machine_cpus": os.cpu_count(), "server_workers": 2, "wrk": "-t2 -c16",
               "sqlite": run("sqlite", args.seconds)}
    if args.postgres:
        results["postgresql"] = run(args.postgres, args.seconds)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
