"""Processes the benchmark starts: each in its own session, bound to 127.0.0.1, waited for,
measured (RSS per process from /proc) and always stopped, whole group, at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Group:
    """Every process started through it is stopped by `stop_all`, in reverse order."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict | None = None,
              cwd: str | None = None) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the proc
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.procs = [(n, p) for n, p in self.procs if p is not proc]

    def stop_all(self) -> None:
        for _, proc in reversed(list(self.procs)):
            self.stop(proc)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout} s") from None
            time.sleep(0.25)


def _group_cpu_ticks(pgid: int) -> int:
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    total += int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, ValueError, IndexError):
                continue
    return total


def wait_idle(proc: subprocess.Popen, busy_share: float = 0.1, timeout: float = 60) -> float:
    """Wait until `proc`'s process group uses under `busy_share` of one CPU (a server still
    working through requests wrk gave up on would otherwise slow the next scenario down).
    Returns the seconds waited."""
    tick = os.sysconf("SC_CLK_TCK")
    started = time.monotonic()
    before = _group_cpu_ticks(proc.pid)
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = _group_cpu_ticks(proc.pid)
        if (now - before) / tick / 0.5 < busy_share:
            break
        before = now
    return time.monotonic() - started


def role(pid: int) -> str:
    """What a process of `masthead serve`'s group is: "jobs" for the `masthead worker` it
    starts beside the web server (masthead/core/management/commands/serve.py), "web" for the
    others (granian's main process and its workers). Read from the command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "web"
    argv = [a.decode(errors="replace") for a in argv if a]
    # `python -m masthead worker` (serve's child) or an installed `masthead worker` script.
    is_jobs = argv[-1:] == ["worker"] and any(a.endswith("masthead") for a in argv[:-1])
    return "jobs" if is_jobs else "web"


def group_memory_mb(proc: subprocess.Popen) -> dict[int, dict[str, float]]:
    """Memory of every process in `proc`'s process group (granian's main, its workers and the
    job worker `masthead serve` starts, told apart by "role": see `role`): RSS, and the part of
    it that is anonymous (the process's own heap) rather than mapped files — SQLite maps the
    database (mmap_size), which counts in RSS but is shared page cache, not memory the
    worker holds."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != proc.pid:
                continue
            fields = {}
            for line in (entry / "status").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    fields[name] = round(int(value.split()[0]) / 1024, 1)
            found[int(entry.name)] = {"rss": fields.get("VmRSS", 0.0),
                                      "anon": fields.get("RssAnon", 0.0),
                                      "file": fields.get("RssFile", 0.0),
                                      "role": role(int(entry.name))}
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree_pss_bytes(pid: int) -> int:
    """Proportional set size of `pid` and all its descendants. Forked workers share their
    parent's pages: each one's RSS counts them again, their PSS adds up to the memory the
    whole tree really holds (a related rebuild forks workers after its fit)."""
    pids, seen, total = [pid], set(), 0
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    pids += [int(c) for c in fh.read().split()]
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            continue
    return total
