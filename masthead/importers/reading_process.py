"""Reading a big import's file in a second process while this one stores its records.

Owns one optimisation of `masthead import wxr` and `import jsonl`, measured in
bench/import_speed.py and bench/scale.py: turning the file into records (XML, shortcodes and
HTML → Markdown for WordPress; JSON and field cleaning for JSON Lines) and rendering each body
to HTML (`services.render_body`, attached to the record as `rendered_body`, the largest single
part of storing) take a third to a half of an import's CPU, storing the rest; on a machine
with two or more cores a forked reader does the first while this process stores, so the wall
time is that of the busier of the two (see "Balanced" below). Public: `records(source, size,
...)`, which yields what `source.records()` yields.

- Used only for files over `MIN_BYTES` (a small file is quicker read in-process than a
  process is started), with more than one usable core, and where `fork` exists (Linux); the
  reader never touches the database, so the forked copy of a connection is left alone.
- Bounded: at most `QUEUE_BATCHES` batches of records wait in the pipe, so memory stays flat
  however big the file.
- Balanced: the reader renders a batch's bodies only while at least `RENDER_AHEAD` batches
  wait in the pipe, that is while it is ahead of the storing process; when the storer is
  waiting for records, rendering is left to it (`services.render_body` on a record without
  `rendered_body`). So the two processes share the rendering by what each has to spare: a
  WordPress export's reading (XML, shortcodes, HTML → Markdown) kept the reader busy while
  the storer waited (10,000 posts: 15 → 13.4 s; 100,000: 132-135 → 117-118 s, the same CPU),
  and JSON Lines is the other way round (unchanged, 20,000 articles in 19 s).
- Errors keep their meaning: a RecordError in the reader (a bad line; a file changed between
  two passes) is raised here, inside the caller's transaction, so nothing is stored; if the
  reader dies, the import fails rather than waiting forever; if the caller stops early (an
  error while storing), the reader is stopped.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Protocol

from .records import ArticleRecord, RecordError
from .services import render_body

MIN_BYTES = 4 * 1024 * 1024
BATCH = 100
QUEUE_BATCHES = 8
RENDER_AHEAD = 2  # batches waiting in the pipe from which the reader also renders
POLL_SECONDS = 1.0


class Source(Protocol):
    """A file's records as the reader produces them."""

    name: str  # for messages: the file's name

    def records(self) -> Iterator[ArticleRecord]: ...

    def result(self) -> object:
        """What the storing process is handed when the file is read (the reader's report)."""

    def position(self) -> int:
        """Bytes of the file read so far (0 where it is not known)."""


def usable(path_size: int) -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        path_size >= MIN_BYTES
        and (cores or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def records(source: Source, size: int, *, done: Callable[[object], None],
            progress: Callable[[int], None] | None = None) -> Iterator[ArticleRecord]:
    """The source's records, read by a forked process when that is worth it. `done` receives
    `source.result()` from the process that read the file; `progress`, the bytes read since
    its last call (only when the reader is a second process: in this one, the caller's own
    stream reports them)."""
    if not usable(size):
        yield from source.records()
        done(source.result())
        return
    context = multiprocessing.get_context("fork")
    pipe = context.Queue(maxsize=QUEUE_BATCHES)
    reader = context.Process(target=_read, args=(source, pipe), daemon=True)
    reader.start()
    reported = 0
    try:
        while True:
            try:
                kind, payload, position = pipe.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not reader.is_alive():
                    raise RuntimeError(
                        f"the process reading {source.name} stopped unexpectedly "
                        f"(exit code {reader.exitcode})"
                    ) from None
                continue
            if progress is not None and position > reported:
                progress(position - reported)
                reported = position
            if kind == "records":
                yield from payload
            elif kind == "done":
                done(payload)
                return
            elif kind == "record-error":
                raise RecordError(payload)
            else:
                raise RuntimeError(f"reading {source.name} failed: {payload}")
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join(timeout=10)
        pipe.close()
        pipe.cancel_join_thread()


def _ahead(pipe) -> bool:
    """Whether the storing process has batches enough waiting that this one can render."""
    try:
        return pipe.qsize() >= RENDER_AHEAD
    except NotImplementedError:  # no sem_getvalue (macOS): render here, as before balancing
        return True


def _read(source: Source, pipe) -> None:
    """In the child: stream records to the parent in batches, then the result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        produced = source.records()
        while batch := list(islice(produced, BATCH)):
            if _ahead(pipe):  # rendering is the storing side's biggest single cost
                for record in batch:
                    record.clean()  # as the store does first (idempotent): render what it keeps
                    record.rendered_body = render_body(record.body)
            pipe.put(("records", batch, source.position()))
        pipe.put(("done", source.result(), source.position()))
    except RecordError as exc:
        pipe.put(("record-error", str(exc), 0))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        pipe.put(("error", f"{type(exc).__name__}: {exc}", 0))
