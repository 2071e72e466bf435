"""Writing a command's output file whole or not at all, with the permissions users expect.

Owns `atomic_output(path, mode="w")`, used by every export (`export jsonl`, `export wxr`,
`related export`): the data goes to a temporary file beside the target, which is renamed over
it only when complete, so a failed export never leaves a truncated file that looks whole.
`tempfile.mkstemp` creates that file with mode 0600 whatever the umask (issue 16: `export
wxr` wrote 0600 while `export jsonl` wrote 0644), so it is given the mode `open()` would have
given a new file: 0666 less the umask, 0644 by default.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's umask. POSIX can only read it by setting it, so it is set back at once,
    under a lock against other threads doing the same."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """A file object for `path` ("w" text in UTF-8, or "wb"); renamed into place on success.

    Raises OSError (the caller turns it into its one-line error) when the directory cannot
    be written; on any exception inside the block the temporary file is removed."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as out:
            os.fchmod(out.fileno(), 0o666 & ~current_umask())
            yield out
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
