"""Where a full related-articles rebuild spends its time and memory, phase by phase (issue 20).

Streams a scale corpus (``bench/lib/scale_corpus.py``'s ``articles.jsonl``, as in
/work/scale-data/corpus-<size>/) into the engine exactly as ``masthead related rebuild`` does
(a generator of ``Doc``, newest first is not needed: the file is in publication order), then
reads every article's list with its explanation and pickles the engine to a file the way the
snapshot is written. For each phase it records CPU seconds and the process's peak RSS during
the phase (sampled every 5 ms from /proc/self/statm), so growth between sizes is visible.

    python bench/related_scale.py /work/scale-data/corpus-10k [--limit N] [--out NAME]

Upserts alone, on an engine kept by ``--keep-snapshot`` or on a site's own snapshot (a site
that ``bench/scale.py`` built), publishing new articles made of two stories each:

    python bench/related_scale.py /tmp/scale/corpus-1m --from-snapshot \
        /tmp/scale/postgres-1m/related/engine-<token>.pickle --mixed --upserts 40

Writes bench/results/related_scale-<label>.json (``--out`` overrides the name). Never part of
``make test``; run it under ``nice -n 10`` on the shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import os
import pickle
import random
import resource
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "lib")]

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from procs import tree_pss_bytes  # noqa: E402

from masthead.recommendations.engines import Doc, LexicalEngine, LexicalSettings, lexical  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
# A site's snapshot (recommendations/state.py) starts with this line and a 32-byte MAC.
SITE_SIGNATURE = b"masthead-related-snapshot-v2\n"
SITE_MAC_BYTES = 32


def tree_pss() -> int:
    return tree_pss_bytes(os.getpid())


def cpu_seconds() -> float:
    """CPU of this process and of its finished children (the rebuild's forked workers)."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Sampler(threading.Thread):
    """Peak RSS since the last ``reset``, sampled every 5 ms; peak PSS of the process tree
    (with forked workers), every 200 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.tree_peak = 0
        self.stop = False
        # Without it the thread could write back the last phase's peak just after a reset
        # (the 1M run's lists phase showed the fit's 3,344 MB; it never rose above 2,700).
        self.lock = threading.Lock()

    def rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * PAGE

    def run(self) -> None:
        tick = 0
        while not self.stop:
            with self.lock:
                self.peak = max(self.peak, self.rss())
                if tick % 40 == 0:
                    self.tree_peak = max(self.tree_peak, tree_pss())
            tick += 1
            time.sleep(0.005)

    def reset(self) -> None:
        with self.lock:
            self.peak = self.rss()
            self.tree_peak = tree_pss()


SAMPLER = Sampler()
PHASES: list[dict] = []


_OPEN: list[dict] = []  # enclosing phases: an inner phase's peak is theirs too


@contextlib.contextmanager
def phase(name: str):
    SAMPLER.reset()
    t0, c0 = time.perf_counter(), cpu_seconds()
    mine = {"peak": SAMPLER.peak, "tree": SAMPLER.tree_peak}
    _OPEN.append(mine)
    yield
    _OPEN.pop()
    peak = max(SAMPLER.peak, SAMPLER.rss(), mine["peak"])
    tree = max(SAMPLER.tree_peak, mine["tree"])
    for outer in _OPEN:
        outer["peak"] = max(outer["peak"], peak)
        outer["tree"] = max(outer["tree"], tree)
    PHASES.append({"phase": name, "wall_s": round(time.perf_counter() - t0, 2),
                   "cpu_s": round(cpu_seconds() - c0, 2),
                   "peak_rss_mb": round(peak / 2**20),
                   "peak_tree_pss_mb": round(tree / 2**20),
                   "end_rss_mb": round(SAMPLER.rss() / 2**20)})
    print(json.dumps(PHASES[-1]), flush=True)


def wrap(module, name: str, label: str) -> None:
    inner = getattr(module, name)

    def timed(*args, **kwargs):
        with phase(label):
            return inner(*args, **kwargs)

    setattr(module, name, timed)


def docs(path: Path, limit: int):
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit and i >= limit:
                return
            r = json.loads(line)
            body = f"{r['standfirst']}\n\n{r['body']}" if r.get("standfirst") else r["body"]
            yield Doc(key=r["id"], title=r["title"], body=body, section=r.get("section") or "",
                      tags=tuple(r.get("tags") or ()), authors=tuple(r.get("authors") or ()),
                      published_at=datetime.fromisoformat(r["published_at"]))


def _nbytes(x) -> int:
    if isinstance(x, np.ndarray):
        return x.nbytes
    if sp.issparse(x):
        return x.data.nbytes + x.indices.nbytes + x.indptr.nbytes
    return 0


def held_bytes(engine: LexicalEngine) -> dict[str, int]:
    """What the fitted engine holds, by part: arrays' nbytes, Python containers' size with
    their strings and tuples (shared ones counted each time they are referenced)."""
    f = engine.features
    out: dict[str, int] = {}
    for name, rows in (("text", f.text), ("tags/authors", f.meta),
                       *((f"profile {i}", p) for i, p in enumerate(engine.profiles))):
        for b in rows.blocks:
            out[f"{name} rows (CSR)"] = out.get(f"{name} rows (CSR)", 0) + _nbytes(b.matrix)
            if b._inverted is not None:
                key = f"{name} inverted"
                out[key] = out.get(key, 0) + _nbytes(b._inverted)
    out["topic vectors"] = _nbytes(f.topic.data)
    out["sections, times, alive"] = f.sections.nbytes + f.times.nbytes + engine.alive.nbytes
    out["lists"] = sum(_nbytes(a) for a in (engine.lists.slots, engine.lists.scores,
                                             engine.lists.truncated))
    v = f.vectoriser.vocab
    out["vocabulary arrays"] = sum(_nbytes(a) for a in (v.df, v.pair_codes, v.pair_cols,
                                                        f.topics.col_pos))
    out["vocabulary words"] = (sys.getsizeof(v.word_col) + sys.getsizeof(v.names)
                               + sum(sys.getsizeof(w) for w in v.word_col))
    out["keys + slot_of"] = (sys.getsizeof(engine._keys) + sys.getsizeof(engine.slot_of)
                             + sum(sys.getsizeof(k) for k in engine._keys))
    out["explanation metadata"] = sys.getsizeof(f.docs_meta) + sum(
        sys.getsizeof(t) for t in f.docs_meta)
    return out


def settings(exact_max: int | None) -> LexicalSettings:
    if exact_max is None:
        return LexicalSettings()
    return dataclasses.replace(LexicalSettings(), exact_candidates_max=exact_max)


def recall(args) -> int:
    """Shown lists (top 4) of the exact and the clustered candidate search on one corpus."""
    got = {}
    for name, exact_max in (("exact", 10**12), ("clustered", 0)):
        engine = LexicalEngine(settings(exact_max))
        c0 = time.process_time()
        engine.fit(docs(args.corpus / "articles.jsonl", args.limit))
        cpu = time.process_time() - c0
        got[name] = {k: [r.key for r in engine.related(k, 4)] for k in engine.keys()}
        print(f"{name}: fit {cpu:.1f} CPU s", flush=True)
    exact, approx = got["exact"], got["clustered"]
    shown = sum(len(v) for v in exact.values())
    same = sum(len(set(v) & set(approx[k])) for k, v in exact.items())
    first = sum(1 for k, v in exact.items() if v and approx[k][:1] == v[:1])
    out = {"articles": len(exact), "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
           "exact_entries_kept": round(same / max(shown, 1), 4),
           "same_first_entry": round(first / max(sum(1 for v in exact.values() if v), 1), 4),
           "lists_identical": round(sum(exact[k] == approx[k] for k in exact) / len(exact), 4)}
    print(json.dumps(out))
    name = args.out or f"related_scale-recall-{len(exact) // 1000}k"
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


def time_upserts(engine: LexicalEngine, args) -> list[tuple[float, float]]:
    """Warm the engine, then publish the ``--upserts`` articles after ``--limit`` one by one:
    (wall, CPU) seconds of each."""
    with phase("warm (inverted indexes for updates)"):
        engine.warm()
    held = itertools.islice(docs(args.corpus / "articles.jsonl", 0), args.limit,
                            args.limit + args.upserts)
    if args.mixed:
        held = mixed_docs(args.corpus / "articles.jsonl", args.upserts)
    out = []
    for d in held:
        t, c = time.perf_counter(), time.process_time()
        engine.upsert(d)
        out.append((time.perf_counter() - t, time.process_time() - c))
    return out


def mixed_docs(path: Path, count: int) -> list[Doc]:
    """New articles for an engine that holds the whole corpus (a site's snapshot): each made
    of two of its stories as `bench/related_publish.py` makes them (the first one's headline,
    section, tags and first half, the second's second half), published now."""
    rng = random.Random(5)
    stories = list(itertools.islice(docs(path, 0), 0, 300_000, 97))
    made = []
    for i in range(count):
        a, b = rng.sample(stories, 2)
        first, second = a.body.split("\n\n"), b.body.split("\n\n")
        body = "\n\n".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
        made.append(dataclasses.replace(a, key=f"mixed-{i}", title=f"{a.title} (follow-up)",
                                        body=body, published_at=datetime.now(UTC)))
    return made


def load_engine(path: Path) -> LexicalEngine:
    """A pickled engine: ``--keep-snapshot``'s file, or a site's own snapshot (its signature
    line and MAC skipped; this reads files the benchmark's own sites wrote)."""
    with open(path, "rb") as fh:
        head = fh.read(len(SITE_SIGNATURE))
        fh.seek(len(SITE_SIGNATURE) + SITE_MAC_BYTES if head == SITE_SIGNATURE else 0)
        return pickle.load(fh)["engine"]


def upsert_summary(upserts: list[tuple[float, float]]) -> dict:
    wall, cpu = sorted(w for w, _ in upserts), sorted(c for _, c in upserts)
    out = {"count": len(upserts), "wall_median": round(1000 * wall[len(wall) // 2], 1),
           "wall_max": round(1000 * wall[-1], 1), "cpu_median": round(1000 * cpu[len(cpu) // 2], 1),
           "cpu_max": round(1000 * cpu[-1], 1)}
    print(json.dumps(out), flush=True)
    return out


def upserts_only(args) -> int:
    """Time upserts on an engine a full run kept (``--keep-snapshot``): the code that applies
    them can change between the two runs, the fit is paid once (24 CPU minutes at 1M)."""
    SAMPLER.start()
    load = os.getloadavg()
    with phase("load snapshot"):
        engine = load_engine(args.from_snapshot)
    upserts = time_upserts(engine, args)
    out = {"articles": len(engine), "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
           "load_average_start": [round(x, 2) for x in load],
           "load_average_end": [round(x, 2) for x in os.getloadavg()],
           "phases": PHASES, "upsert_ms": upsert_summary(upserts),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    name = args.out or f"related_scale-{len(engine) // 1000}k-upserts"
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", default="")
    ap.add_argument("--exact-max", type=int, default=None,
                    help="LexicalSettings.exact_candidates_max (default: the engine's)")
    ap.add_argument("--upserts", type=int, default=0,
                    help="after the run, publish this many held-out articles (those after "
                         "--limit) one by one and time each upsert")
    ap.add_argument("--keep-snapshot", type=Path, default=None,
                    help="keep the pickled engine at this path (to time upserts on it later)")
    ap.add_argument("--from-snapshot", type=Path, default=None,
                    help="skip the fit: load this pickled engine (--keep-snapshot of an "
                         "earlier run on the same corpus and --limit, or a site's "
                         "related/engine-*.pickle) and time --upserts only")
    ap.add_argument("--mixed", action="store_true",
                    help="publish articles made of two stories each (for an engine that "
                         "holds the whole corpus) instead of those after --limit")
    ap.add_argument("--processes", type=int, default=1,
                    help="processes the fit's first stage forks (engine.processes; 1 = none)")
    ap.add_argument("--recall", action="store_true",
                    help="fit twice (exact, then clustered candidates) and compare the lists")
    args = ap.parse_args()
    if args.recall:
        return recall(args)
    if args.from_snapshot:
        return upserts_only(args)
    SAMPLER.start()
    load = os.getloadavg()
    engine = LexicalEngine(settings(args.exact_max))
    engine.processes = args.processes
    fit_features = lexical.Features.fit

    def features_fit(self, d, processes=1):
        with phase("features (tokens, tf-idf, topics)"):
            return fit_features(self, d, processes)

    lexical.Features.fit = features_fit
    wrap(lexical, "first_stage", "first stage (candidates)")
    t0, c0 = time.perf_counter(), cpu_seconds()
    with phase("fit (total)"):
        engine.fit(docs(args.corpus / "articles.jsonl", args.limit))
    n = len(engine)
    holds = held_bytes(engine)
    print(json.dumps({k: round(v / n) for k, v in holds.items()}), flush=True)
    with phase("read every list with explanations"):
        for key in engine.keys():
            engine.related(key, 8)
    snap = ROOT / "var" / "related_scale.pickle"
    snap.parent.mkdir(exist_ok=True)
    with phase("snapshot (pickle to file)"):
        # As state.save_snapshot writes it: pickled straight into a file, never into bytes.
        with open(snap, "wb") as fh:
            pickle.dump({"engine": engine}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    size_mb = snap.stat().st_size / 2**20
    if args.keep_snapshot:
        snap.replace(args.keep_snapshot)
    else:
        snap.unlink()
    rebuild = {"wall_s": round(time.perf_counter() - t0, 1),
               "cpu_s": round(cpu_seconds() - c0, 1),
               "peak_rss_mb": max(p["peak_rss_mb"] for p in PHASES),
               "peak_tree_pss_mb": max(p["peak_tree_pss_mb"] for p in PHASES),
               "processes": args.processes}
    upserts = time_upserts(engine, args) if args.upserts else []
    total = {"wall_s": round(time.perf_counter() - t0, 1),
             "cpu_s": round(cpu_seconds() - c0, 1),
             "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    out = {"articles": n, "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
           "load_average_start": [round(x, 2) for x in load],
           "load_average_end": [round(x, 2) for x in os.getloadavg()],
           "snapshot_mb": round(size_mb), "rebuild": rebuild, "total": total, "phases": PHASES,
           "held_bytes_per_article": {k: round(v / n) for k, v in holds.items()},
           "held_mb": {k: round(v / 2**20) for k, v in holds.items()}}
    if upserts:
        out["upsert_ms"] = upsert_summary(upserts)
    name = args.out or f"related_scale-{n // 1000}k"
    (ROOT / "bench" / "results" / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
