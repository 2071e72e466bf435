"""Benchmark: what media in an S3 bucket costs against media on a filesystem (issue 14, item 5).

1. Storing an upload's files (the main JPEG and its WebP renditions, as `store_upload` writes
   them) through Django's storage API: FileSystemStorage against masthead's ObjectStorage on
   a real S3-compatible server (rclone serve s3 over a local folder, as the tests use).
2. Serving one image (a 360 KB JPEG) through `masthead serve` (1 worker): from MASTHEAD_MEDIA_DIR
   against streamed from the bucket. Keep-alive HTTP/1.1 clients on threads; requests/s and
   latency percentiles.

rclone runs on the same machine, so this measures the app's proxy overhead and the S3 protocol,
not a network to a cloud store: add that round trip (typically 10-30 ms within a region) to
the bucket's first-byte time. With a CDN or browser cache in front (the files are
`immutable` for a year), each file is fetched from the app about once per edge.

Usage: `python bench/media_storage.py [--requests N] [--threads N] [--out FILE]`.
Figures go to `bench/results/media_storage.json`. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.server import running_server  # noqa: E402
from tests.s3server import ACCESS_KEY, SECRET_KEY, running_s3_server  # noqa: E402


def _image():
    import io

    from PIL import Image, ImageDraw

    from masthead.media import processing

    picture = Image.new("RGB", (1600, 1000), (30, 90, 160))
    draw = ImageDraw.Draw(picture)
    for i in range(0, 1600, 7):  # detail, so the JPEG is photo-sized rather than tiny
        draw.line([(i, 0), (1600 - i, 1000)], fill=(i % 255, (i * 3) % 255, 90), width=3)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return processing.process(out.getvalue(), max_bytes=10 << 20, max_pixels=40_000_000)


def _store_timings(storage, processed, rounds: int) -> list[float]:
    from django.core.files.base import ContentFile

    times = []
    for n in range(rounds):
        start = time.perf_counter()
        storage.save(f"images/bench/{n}.jpg", ContentFile(processed.main.data))
        for r in processed.renditions:
            storage.save(f"images/bench/{n}-{r.width}w.webp", ContentFile(r.data))
        times.append(time.perf_counter() - start)
    return times


def _serve_timings(base: str, path: str, requests: int, threads: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = requests // threads

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        for _ in range(per_thread):
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200 and body, response.status
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    for _ in range(20):  # warm up: connections, the worker's imports
        http.client.HTTPConnection(host, int(port)).request("GET", path)
    workers = [threading.Thread(target=client) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies), "threads": threads,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99) - 1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "media_storage.json"))
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.configure(MEDIA_URL="/media/", USE_TZ=True)
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from masthead import config
    from masthead.media.s3 import ObjectStorage

    processed = _image()
    name = "images/bench/served.jpg"
    result: dict = {"machine": platform.node(), "load_average": os.getloadavg(),
                    "main_bytes": len(processed.main.data),
                    "files_per_upload": 1 + len(processed.renditions)}
    with tempfile.TemporaryDirectory() as tmp, running_s3_server(Path(tmp) / "s3") as s3:
        os.environ.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
        media_dir = Path(tmp) / "media"
        disk = FileSystemStorage(location=media_dir)
        bucket = ObjectStorage(**config.storage_options(s3.storage_url))
        store = {}
        for label, storage in (("dir", disk), ("s3", bucket)):
            times = _store_timings(storage, processed, args.rounds)
            store[label] = {"median_ms": round(1000 * statistics.median(times), 2),
                            "max_ms": round(1000 * max(times), 2)}
            storage.save(name, ContentFile(processed.main.data))
        result["store_one_upload"] = store
        serve = {}
        for label, env in (("dir", {"MASTHEAD_MEDIA_DIR": str(media_dir)}), ("s3", s3.env)):
            env = {**env, "MASTHEAD_DATABASE_URL": ""}
            with running_server(Path(tmp) / f"site-{label}", demo=False, extra_env=env) as base:
                serve[label] = _serve_timings(base, f"/media/{name}", args.requests,
                                              args.threads)
                print(label, serve[label], flush=True)
        result["serve_one_image"] = serve
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
