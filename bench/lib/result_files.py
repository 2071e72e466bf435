"""The benchmarks' shared results files (bench/results/*.json): one JSON object per file, in
which each kind of run keeps its latest report under its own key beside the others'."""

from __future__ import annotations

import json
from pathlib import Path


def merge_into(path: Path, key: str, report, *, indent: int) -> None:
    """Store `report` under `key` in the JSON object in `path`, keeping its other keys.

    A missing file starts as `{}`. A key already there keeps its place; a new one goes last.
    The file is written back with `indent` and a trailing newline. The indent is the caller's
    choice so that each results file keeps its own layout and its diffs stay small.
    """
    results = json.loads(path.read_text()) if path.exists() else {}
    results[key] = report
    path.write_text(json.dumps(results, indent=indent) + "\n")
