"""The engine's life in a multi-process server: one snapshot on disk, one log in the database.

The engine is in-memory state, and every `masthead serve` worker may need a copy to update
lists after a publication. The copies are kept in step like this:

- A full fit (`services.rebuild`) is pickled to `<data dir>/related/engine-<token>.pickle`
  (written atomically; our own object in our own data dir, nothing from outside is unpickled)
  and the token is put in the `EngineState` row.
- Every later change is a `RelatedEvent` (article id). Whoever applies one — under the
  `EngineState` lock, so list writes never interleave — first brings its own copy up to date:
  reload the snapshot if the token changed, then replay the events it has not seen yet.
- Replaying reads each article's *current* state (upsert if it is a visible story, remove
  otherwise), so applying an event twice or late is harmless: every copy converges on the
  database.

The lock: `select_for_update` on the `EngineState` row on PostgreSQL; on SQLite the connection
opens transactions with BEGIN IMMEDIATE (`masthead/config.py`), which already serialises
writers. A per-process lock in front keeps threads of one process off the shared copy.

A snapshot that is missing (a second host with its own data dir) or was written by other engine
code (an upgrade) is not trusted: the process fits from the database instead and leaves its
own snapshot under the same token for its neighbours.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

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


def fit(docs: Iterable[Doc]) -> RelatedEngine:
    engine = new_engine()
    engine.fit(docs)
    return engine


def snapshot_dir() -> Path:
    return Path(settings.DATA_DIR) / "related"


def _path(token: str) -> Path:
    return snapshot_dir() / f"engine-{token}.pickle"


@functools.cache
def code_fingerprint() -> str:
    """Hash of the engine's source: a snapshot pickled by other engine code is not loaded."""
    digest = hashlib.sha256()
    for path in sorted(Path(engines.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def save_snapshot(engine: RelatedEngine, token: str, event: int) -> None:
    directory = snapshot_dir()
    directory.mkdir(parents=True, exist_ok=True)
    payload = {"code": code_fingerprint(), "event": event, "engine": engine}
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".engine-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, _path(token))  # readers see the old file or the whole new one
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_snapshot(token: str) -> tuple[RelatedEngine, int] | None:
    try:
        with open(_path(token), "rb") as fh:
            payload = pickle.load(fh)  # noqa: S301 - our own file in our own data dir
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged file is rebuilt, never fatal
        log.warning("related-articles snapshot %s unreadable; fitting from the database", token,
                    exc_info=True)
        return None
    if payload.get("code") != code_fingerprint():
        log.info("related-articles snapshot %s is from other engine code; refitting", token)
        return None
    return payload["engine"], int(payload["event"])


def forget_snapshots(keep: str) -> None:
    """Delete snapshots older than `keep` (run after the commit that made `keep` current).
    Newer files are left alone: another process may have committed one in the meantime."""
    try:
        newest = _path(keep).stat().st_mtime
    except OSError:
        return
    for path in snapshot_dir().glob("engine-*.pickle"):
        with contextlib.suppress(OSError):
            if path != _path(keep) and path.stat().st_mtime < newest:
                path.unlink()


def new_token() -> str:
    return uuid.uuid4().hex


# -- the process's copy ---------------------------------------------------------------------------
def discard() -> None:
    _copy.engine, _copy.token, _copy.applied = None, "", 0


def install(engine: RelatedEngine, token: str, applied: int) -> None:
    _copy.engine, _copy.token, _copy.applied = engine, token, applied


def current(state: EngineState) -> RelatedEngine:
    """The process's copy, reflecting every event up to `state.written_event`.

    Call inside `locked()` with a built state (generation > 0).
    """
    if _copy.engine is None or _copy.token != state.snapshot:
        loaded = load_snapshot(state.snapshot)
        if loaded is None:
            applied = last_event_id()
            engine = fit(documents.all_docs())  # reflects the database now, events included
            save_snapshot(engine, state.snapshot, applied)
        else:
            engine, applied = loaded
        install(engine, state.snapshot, applied)
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
