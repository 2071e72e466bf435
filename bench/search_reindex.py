"""Benchmark: `search reindex` (services.rebuild_index) on the site in the environment.

    python bench/search_reindex.py LABEL

Prints and records (in `bench/results/search_scale.json` under `reindex-LABEL`) the wall
time, this process's CPU time and, on PostgreSQL, the CPU time of its server process
(`/proc/<pg_backend_pid()>/stat`: the to_tsvector calls and the GIN builds run there, not
here), with the load average before and after. Run it on a copy of a site: it rebuilds the
index. Never part of `make test`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from result_files import merge_into  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "bench" / "results" / "search_scale.json"


def main() -> None:
    import django

    django.setup()
    from django.db import connection

    from masthead.search.services import rebuild_index

    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]

    def server_cpu() -> float:
        if pid is None:
            return 0.0
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    load = os.getloadavg()[0]
    server, cpu, wall = server_cpu(), time.process_time(), time.monotonic()
    articles = rebuild_index()
    result = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "vendor": connection.vendor, "articles": articles,
              "seconds": round(time.monotonic() - wall, 1),
              "cpu_seconds": round(time.process_time() - cpu, 1),
              "server_cpu_seconds": round(server_cpu() - server, 1) if pid else None,
              "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}
    print(json.dumps(result))
    merge_into(OUT, f"reindex-{sys.argv[1]}", result, indent=1)


if __name__ == "__main__":
    main()
