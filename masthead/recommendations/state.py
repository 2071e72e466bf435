"""The engine's life in a multi-process server: one snapshot on disk, one log in the database.

The engine is in-memory state, and every `masthead serve` worker may need a copy to update
lists after a publication. The copies are kept in step like this:

- A full fit (`services.rebuild`) is pickled to `related/engine-<token>.pickle` in the site's
  shared storage (Django's default storage: the media directory, a shared filesystem or S3;
  see docs/deploy.md), signed with a key derived from the secret key, and the token is put in
  the `EngineState` row. Every server reads the same file, so a new, empty server loads the
  engine instead of fitting it.
- Every later change is a `RelatedEvent` (article id). Whoever applies one — under the
  `EngineState` lock, so list writes never interleave — first brings its own copy up to date:
  reload the snapshot if the token changed, then replay the events it has not seen yet.
- Replaying reads each article's *current* state (upsert if it is a visible story, remove
  otherwise), so applying an event twice or late is harmless: every copy converges on the
  database.
- Loading or fitting a copy never happens under the lock (`prepare`, called before it is
  taken): a fit can take minutes, and on SQLite the lock is the database's write lock, which
  would stop every publication meanwhile (issue 14 saw scheduled stories go live 30 s late).
  A copy that is still missing once the lock is held raises `CopyNotReady`; the change stays
  logged and the next `prepare` + apply (the job's retry, or the periodic sweep) catches up.

The lock: `select_for_update` on the `EngineState` row on PostgreSQL; on SQLite the connection
opens transactions with BEGIN IMMEDIATE (`masthead/config.py`), which already serialises
writers. A per-process lock in front keeps threads of one process off the shared copy.

A snapshot that is missing, unsigned, signed with another key, or written by other engine
code (an upgrade) is not trusted: `prepare` fits from the database instead, outside the lock,
and leaves its own snapshot under the same token for its neighbours.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import io
import logging
import pickle
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.crypto import salted_hmac

from masthead.jobs.worker import rss_mb

from . import documents, engines
from .engines import Doc, RelatedEngine
from .models import EngineState, RelatedEvent

log = logging.getLogger("masthead.recommendations")

_engine_lock = threading.RLock()  # the process's copy: one thread at a time
build_lock = threading.Lock()  # one full fit per process at a time (fits run outside the DB lock)


@dataclass
class _Copy:
    engine: RelatedEngine | None = None
    token: str = ""
    applied: int = 0  # every event with id <= applied is reflected in `engine`
    cost_mb: float = 0.0  # what loading it added to the process's RSS (libraries included)


_copy = _Copy()


# -- the database lock ----------------------------------------------------------------------------
@contextlib.contextmanager
def locked():
    """One transaction holding the process lock and the `EngineState` row lock.

    If the block fails, the process's copy may hold changes the rollback undid: drop it, the
    next caller reloads it from the snapshot.
    """
    with _engine_lock:
        try:
            with transaction.atomic():
                EngineState.objects.get_or_create(pk=1)
                yield EngineState.objects.select_for_update().get(pk=1)
        except BaseException:
            discard()
            raise


def last_event_id() -> int:
    return RelatedEvent.objects.aggregate(m=Max("id"))["m"] or 0


# -- fitting and snapshots ------------------------------------------------------------------------
def new_engine() -> RelatedEngine:
    return engines.get_engine(getattr(settings, "MASTHEAD_RELATED_ENGINE", "lexical"))


def fit(docs: Iterable[Doc], processes: int = 1) -> RelatedEngine:
    engine = new_engine()
    engine.processes = processes
    engine.fit(docs)
    return engine


SNAPSHOT_DIR = "related"
_SIGNATURE = b"masthead-related-snapshot-v2\n"
_SALT = "masthead.recommendations.snapshot"
_MAC_BYTES = 32  # HMAC-SHA256


def snapshot_name(token: str) -> str:
    """The snapshot's name in the shared storage."""
    return f"{SNAPSHOT_DIR}/engine-{token}.pickle"


@functools.cache
def code_fingerprint() -> str:
    """Hash of the engine's source: a snapshot pickled by other engine code is not loaded."""
    digest = hashlib.sha256()
    for path in sorted(Path(engines.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def save_snapshot(engine: RelatedEngine, token: str, event: int) -> None:
    """Pickle and sign the engine into the shared storage under `token` (replacing any file
    of that name: every writer of one token wrote the same state).

    The pickle goes straight into a temporary file, signed as it is written: `pickle.dumps`
    then header + MAC + body held the engine's size twice more in memory (at 100k articles
    ~0.6 GB each, the rebuild's peak; issue 20)."""
    with tempfile.TemporaryFile() as tmp:
        write_signed({"code": code_fingerprint(), "event": event, "engine": engine}, tmp)
        tmp.seek(0)
        name = snapshot_name(token)
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(name)
        saved = default_storage.save(name, File(tmp, name=name))
    if saved != name:  # another process wrote the same token meanwhile: keep one of them
        default_storage.delete(saved)


class _Signing(io.RawIOBase):
    """A write-only file that feeds every byte to an HMAC on its way to ``fh``."""

    def __init__(self, fh, mac) -> None:
        self.fh, self.mac = fh, mac

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.mac.update(data)
        return self.fh.write(data)


def write_signed(payload, fh, secret: str | None = None) -> None:
    """Write signature, MAC and the pickled ``payload`` into the seekable file ``fh``."""
    start = fh.tell()
    fh.write(_SIGNATURE + bytes(_MAC_BYTES))  # the MAC is known only at the end
    mac = salted_hmac(_SALT, b"", secret=secret, algorithm="sha256")
    pickle.dump(payload, _Signing(fh, mac), protocol=pickle.HIGHEST_PROTOCOL)
    end = fh.tell()
    fh.seek(start + len(_SIGNATURE))
    fh.write(mac.digest())
    fh.seek(end)


def _signed_by(fh, secret: str) -> bytes:
    """MAC of the body of ``fh`` (read in chunks), leaving ``fh`` at its start."""
    at = len(_SIGNATURE) + _MAC_BYTES
    fh.seek(at)
    mac = salted_hmac(_SALT, b"", secret=secret, algorithm="sha256")
    while chunk := fh.read(1 << 20):
        mac.update(chunk)
    fh.seek(at)
    return mac.digest()


def load_snapshot(token: str) -> tuple[RelatedEngine, int] | None:
    try:
        with default_storage.open(snapshot_name(token), "rb") as fh:
            return _read_signed(fh, token)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - storage unreachable or damaged: fit instead, never fatal
        log.warning("related-articles snapshot %s unreadable; fitting from the database", token,
                    exc_info=True)
        return None


def _read_signed(fh, token: str) -> tuple[RelatedEngine, int] | None:
    """Check the signature reading the file in chunks, then unpickle from the file itself
    (reading it whole held the snapshot twice next to the engine it becomes)."""
    head, mac = fh.read(len(_SIGNATURE)), fh.read(_MAC_BYTES)
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if head != _SIGNATURE or len(mac) != _MAC_BYTES or not any(
            hmac.compare_digest(mac, _signed_by(fh, k)) for k in keys):
        # Shared storage is outside the database's trust boundary: only our own signed files
        # are unpickled.
        log.warning("related-articles snapshot %s is not signed by this site; refitting", token)
        return None
    try:
        payload = pickle.load(fh)  # noqa: S301 - signed by this site (above)
    except Exception:  # noqa: BLE001 - a damaged file is rebuilt, never fatal
        log.warning("related-articles snapshot %s unreadable; refitting", token, exc_info=True)
        return None
    if payload.get("code") != code_fingerprint():
        log.info("related-articles snapshot %s is from other engine code; refitting", token)
        return None
    return payload["engine"], int(payload["event"])


def forget_snapshots(keep: str) -> None:
    """Delete snapshots older than `keep` (run after the commit that made `keep` current).
    Newer files are left alone: another process may have committed one in the meantime."""
    try:
        newest = default_storage.get_modified_time(snapshot_name(keep))
        _, files = default_storage.listdir(SNAPSHOT_DIR)
    except (OSError, NotImplementedError):
        return
    for filename in files:
        name = f"{SNAPSHOT_DIR}/{filename}"
        if not filename.startswith("engine-") or name == snapshot_name(keep):
            continue
        with contextlib.suppress(OSError, NotImplementedError):
            if default_storage.get_modified_time(name) < newest:
                default_storage.delete(name)


def new_token() -> str:
    return uuid.uuid4().hex


# -- the process's copy ---------------------------------------------------------------------------
def discard() -> None:
    _copy.engine, _copy.token, _copy.applied, _copy.cost_mb = None, "", 0, 0.0


def install(engine: RelatedEngine, token: str, applied: int, cost_mb: float = 0.0) -> None:
    if engine is _copy.engine and not cost_mb:  # the same copy under a new snapshot's token
        cost_mb = _copy.cost_mb
    _copy.engine, _copy.token, _copy.applied, _copy.cost_mb = engine, token, applied, cost_mb


def kept_mb() -> float:
    """The MB this process keeps on purpose for its copy (settings.MASTHEAD_JOBS_KEPT_MEMORY):
    what loading it added, once it holds MASTHEAD_RELATED_KEEP_ARTICLES articles or more. A
    job worker recycles for memory beyond that, so a large site's worker keeps its copy and
    a publication costs an upsert (1M: 86 ms), not a restart and a reload first (10k: 1.6 s
    from commit to stored list; 1M: a 15 s reload)."""
    engine = _copy.engine
    keep_from = getattr(settings, "MASTHEAD_RELATED_KEEP_ARTICLES", 0)
    if engine is None or len(engine) < keep_from:
        return 0.0
    return _copy.cost_mb


class CopyNotReady(Exception):
    """The process has no copy of the current engine, and loading one under the lock would
    stall publishing: call `prepare()` first (outside any transaction)."""


def prepare() -> None:
    """Load this process's copy of the current engine before taking the lock: from the shared
    snapshot, or by fitting from the database when there is no usable one (then left in the
    storage under the same token for the other servers). No-op while nothing is built."""
    row = EngineState.objects.filter(pk=1).values("generation", "snapshot").first()
    if not row or not row["generation"]:
        return
    token = row["snapshot"]
    with _engine_lock:
        if _copy.engine is not None and _copy.token == token:
            return
    before = rss_mb()
    loaded = load_snapshot(token)
    if loaded is None:
        applied = last_event_id()
        engine = fit(documents.all_docs())  # reflects the database now, events included
        save_snapshot(engine, token, applied)
        loaded = engine, applied
    loaded[0].warm()  # its update indexes, here rather than under the lock (issue 20)
    with _engine_lock:
        install(loaded[0], token, loaded[1], max(rss_mb() - before, 0.0))


def current(state: EngineState) -> RelatedEngine:
    """The process's copy, reflecting every event up to `state.written_event`.

    Call inside `locked()` with a built state (generation > 0), after `prepare()`.
    """
    if _copy.engine is None or _copy.token != state.snapshot:
        # A rebuild elsewhere changed the token since `prepare`: its snapshot is written
        # before the token is committed, so loading it is quick; fitting here is not allowed.
        before = rss_mb()
        loaded = load_snapshot(state.snapshot)
        if loaded is None:
            raise CopyNotReady(state.snapshot)
        install(loaded[0], state.snapshot, loaded[1], max(rss_mb() - before, 0.0))
    if state.written_event > _copy.applied:
        replay(_copy.engine, _copy.applied, state.written_event)
        _copy.applied = state.written_event
    return _copy.engine


def mark_applied(event: int) -> None:
    _copy.applied = max(_copy.applied, event)


def replay(engine: RelatedEngine, after: int, upto: int | None = None) -> list[int]:
    """Apply the events in (after, upto] to `engine`; return the article ids they named."""
    events = RelatedEvent.objects.filter(id__gt=after)
    if upto is not None:
        events = events.filter(id__lte=upto)
    # Each article once: only its current state matters (see the module docstring).
    ids = list(dict.fromkeys(events.order_by("id").values_list("article_id", flat=True)))
    docs = documents.docs_for(ids)
    for pk in ids:
        doc = docs.get(pk)
        if doc is not None:
            engine.upsert(doc)
        else:
            engine.remove(documents.engine_key(pk))
    return ids


def apply_change(engine: RelatedEngine, pk: int, doc: Doc | None) -> set[int]:
    """Bring one article up to date; return the ids of the other articles whose list changed.

    Remove first, then upsert: when the copy already holds the new text (fitted from the
    database after the change), a plain upsert would report nothing, yet the lists it entered
    since the stored lists were written must be rewritten.
    """
    key = documents.engine_key(pk)
    changed: set[str] = set()
    if key in engine:
        changed |= engine.remove(key)
    if doc is not None:
        changed |= engine.upsert(doc)
    return {documents.article_id(k) for k in changed} - {pk}
