"""Reading a big WordPress export in a second process while this one stores it.

Owns one optimisation of `masthead import wxr`, measured in bench/import_speed.py: turning
posts into records (XML, shortcodes, HTML → Markdown) takes about a third of an import's CPU
time and storing them the rest, so on a machine with two or more cores a forked reader
feeding the storing process saves up to that third of the wall time — and more, because the
reader also renders each body back to HTML (`services.render_body`, attached to the record as
`rendered_body`), which is the largest single part of storing. Public: `records(export) ->
Iterator[ArticleRecord]`, which yields what `export.articles()` yields and leaves the reader's
report in `export.report` when exhausted.

- Used only for files over `MIN_BYTES` (a small export is quicker read in-process than a
  process is started), with more than one usable core, and where `fork` exists (Linux); the
  reader never touches the database, so the forked copy of a connection is left alone.
- Bounded: at most `QUEUE_BATCHES` batches of records wait in the pipe, so memory stays flat
  however big the file.
- Errors keep their meaning: a RecordError in the reader (a file changed between the two
  passes) is raised here, inside the caller's transaction, so nothing is stored; if the
  reader dies, the import fails rather than waiting forever; if the caller stops early (an
  error while storing), the reader is stopped.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Iterator
from itertools import islice

from .records import ArticleRecord, RecordError
from .services import render_body
from .sources.wxr import WxrExport

MIN_BYTES = 4 * 1024 * 1024
BATCH = 100
QUEUE_BATCHES = 8
POLL_SECONDS = 1.0


def usable(path_size: int) -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        path_size >= MIN_BYTES
        and (cores or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def records(export: WxrExport) -> Iterator[ArticleRecord]:
    """The export's articles, read by a forked process when that is worth it."""
    if not usable(export.path.stat().st_size):
        yield from export.articles()
        return
    context = multiprocessing.get_context("fork")
    pipe = context.Queue(maxsize=QUEUE_BATCHES)
    reader = context.Process(target=_read, args=(export, pipe), daemon=True)
    reader.start()
    try:
        while True:
            try:
                kind, payload = pipe.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not reader.is_alive():
                    raise RuntimeError(
                        f"the process reading {export.path.name} stopped unexpectedly "
                        f"(exit code {reader.exitcode})"
                    ) from None
                continue
            if kind == "records":
                yield from payload
            elif kind == "done":
                export.report = payload
                return
            elif kind == "record-error":
                raise RecordError(payload)
            else:
                raise RuntimeError(f"reading {export.path.name} failed: {payload}")
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join(timeout=10)
        pipe.close()
        pipe.cancel_join_thread()


def _read(export: WxrExport, pipe) -> None:
    """In the child: stream records to the parent in batches, then the report."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        articles = export.articles()
        while batch := list(islice(articles, BATCH)):
            for record in batch:  # rendering is the storing side's biggest single cost
                record.rendered_body = render_body(record.body)
            pipe.put(("records", batch))
        pipe.put(("done", export.report))
    except RecordError as exc:
        pipe.put(("record-error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        pipe.put(("error", f"{type(exc).__name__}: {exc}"))
