"""Many row ids written as runs of consecutive ids: how a bulk import's new ids travel.

A 1M-article import stores its articles with ids that mostly follow one another. Handing its
`bulk_import_finished` handlers a list of a million Python ints, and a job a JSON array of
them, cost ~106 MB at the end of the import (issue 20, item 1: memory flat in the file's size);
as runs the same ids are a few pairs. Public: `runs(ids)`, `count(runs)`, `expand(runs)`.

Runs are `[first, last]` pairs, inclusive, in the order the ids came; ids out of order only
make more runs. `expand` also takes plain ids, so a job queued before runs existed still reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def runs(ids: Iterable[int]) -> list[list[int]]:
    """`[[first, last], …]` covering `ids` in one pass, without copying them."""
    out: list[list[int]] = []
    for pk in ids:
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return out


def count(id_runs: Iterable) -> int:
    """How many ids the runs (or plain ids) hold."""
    return sum(item[1] - item[0] + 1 if isinstance(item, list | tuple) else 1
               for item in id_runs)


def expand(id_runs: Iterable) -> Iterator[int]:
    """The ids again, in order."""
    for item in id_runs:
        if isinstance(item, list | tuple):
            yield from range(item[0], item[1] + 1)
        else:
            yield item
