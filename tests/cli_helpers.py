"""Run the real `masthead` command in a subprocess against a throw-away SQLite data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cli_env(data_dir: Path, **extra) -> dict:
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(data_dir),
           "MASTHEAD_SECRET_KEY": "cli-test-secret-key-0123456789abcdef", **extra}
    # The subprocess must not inherit the test settings or the CI database.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("MASTHEAD_DATABASE_URL", None)
    return env


def run_cli(data_dir: Path, *args: str, input: str | None = None, timeout: int = 120, **extra):
    return subprocess.run(
        [sys.executable, "-m", "masthead", *args], cwd=REPO, env=cli_env(data_dir, **extra),
        capture_output=True, text=True, input=input, timeout=timeout,
    )
