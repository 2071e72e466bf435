"""Progress bars for long command-line work: shown on a terminal, silent in scripts.

Owns how the CLI shows progress (issue 16). Services never import this: they accept an
optional `progress` callable with the shape of `Progress.track` (wrap an iterable, return an
iterable yielding the same items), so they stay free of any UI and tests call them bare.
Public: `Progress(desc)` (`track(items, total=None, unit="article")`, `reading(stream,
total)`), `no_progress(items, ...)`, `stderr_is_terminal()`.

The bars are tqdm's (small, no dependencies, kept for a decade): rate and time left when the
total is known. They go to stderr and only when stderr is a terminal, so a script, a pipe or
cron sees none of their carriage returns; the commands' summary lines are unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def no_progress(items: Iterable[T], total: int | None = None, unit: str = "") -> Iterable[T]:
    """The `progress` argument services default to: the items, untouched."""
    return items


class Progress:
    """One command's bars, labelled `desc`; every bar is disabled unless stderr is a TTY."""

    def __init__(self, desc: str, enabled: bool | None = None):
        self.desc = desc
        self.enabled = stderr_is_terminal() if enabled is None else enabled

    def _bar(self, **kwargs):
        from tqdm import tqdm  # imported only by commands that show progress

        return tqdm(desc=self.desc, file=sys.stderr, disable=not self.enabled,
                    dynamic_ncols=True, **kwargs)

    def track(self, items: Iterable[T], total: int | None = None,
              unit: str = "article") -> Iterator[T]:
        """Yield `items`, advancing a bar by one for each."""
        if not self.enabled:
            yield from items
            return
        with self._bar(total=total, unit=f" {unit}s" if unit else "it") as bar:
            for item in items:
                yield item
                bar.update(1)

    def counting_bytes(self, total: int | None):
        """A bar of bytes that the caller advances (`bar.update(n)`); use it with `with`."""
        return self._bar(total=total, unit="B", unit_scale=True, unit_divisor=1024)

    def reading(self, stream: IO[bytes], total: int | None) -> IO[bytes]:
        """`stream`, with a bar counting the bytes read through `readline`/`read`."""
        if not self.enabled:
            return stream
        return _CountingReader(stream, self._bar(total=total, unit="B", unit_scale=True,
                                                 unit_divisor=1024))


class _CountingReader:
    """A binary stream that reports every byte read to a bar (closed with the stream)."""

    def __init__(self, stream: IO[bytes], bar):
        self._stream = stream
        self._bar = bar

    def readline(self, size: int = -1) -> bytes:
        data = self._stream.readline(size)
        self._bar.update(len(data))
        return data

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._bar.update(len(data))
        return data

    def close(self) -> None:
        self._bar.close()
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
