"""The engine's state is shared by every server through the site's storage, and is never
loaded or fitted while the lock that publishing waits for is held (issue 14)."""

from __future__ import annotations

import contextlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from masthead.recommendations import services, state
from masthead.recommendations.models import EngineState, RelatedArticle

STORIES = {
    "ferry": ["Harbour ferry strike halts crossings", "Ferry crews strike over harbour rotas",
              "Harbour ferry strike enters second day"],
    "orchard": ["Orchard frost ruins apple blossom", "Apple growers count orchard frost losses",
                "Frost-hit orchards seek apple relief"],
}


@pytest.fixture
def site(make_article, django_capture_on_commit_callbacks):
    made = {}
    with django_capture_on_commit_callbacks(execute=True):
        for story, headlines in STORIES.items():
            for n, headline in enumerate(headlines):
                body = f"{headline}. " + " ".join([headline.lower()] * 8)
                made[f"{story}-{n}"] = make_article(headline, body=body, section="News")
    services.ensure_built()
    return made


def test_a_new_server_loads_the_shared_snapshot_instead_of_fitting(site, monkeypatch, make_article,
                                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "SMALL_CORPUS", 0)  # no refit: a small site would refit
    state.discard()  # a new server: no copy in memory, nothing in its own data dir
    fits = []
    monkeypatch.setattr(state, "fit", lambda docs: fits.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        new = make_article("Ferry strike talks collapse at harbour", section="News",
                           body="Harbour ferry strike talks collapse. " * 6)
    assert fits == []
    related = set(RelatedArticle.objects.filter(article=new).values_list("related_id", flat=True))
    assert related & {site[f"ferry-{n}"].pk for n in range(3)}


def test_a_snapshot_not_signed_by_this_site_is_refused(site, settings):
    token = EngineState.objects.get().snapshot
    name = state.snapshot_name(token)
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    assert state.load_snapshot(token) is not None
    default_storage.delete(name)
    default_storage.save(name, ContentFile(data[:-1] + bytes([data[-1] ^ 1])))  # tampered
    assert state.load_snapshot(token) is None
    default_storage.delete(name)
    default_storage.save(name, ContentFile(data))
    settings.SECRET_KEY = "another-site-" + "k" * 40
    assert state.load_snapshot(token) is None
    settings.SECRET_KEY_FALLBACKS = ["test-secret-key-not-for-production-0123456789"]
    assert state.load_snapshot(token) is not None  # the old key still verifies it


def test_no_copy_is_fitted_under_the_lock(site):
    token = EngineState.objects.get().snapshot
    default_storage.delete(state.snapshot_name(token))
    state.discard()
    with pytest.raises(state.CopyNotReady), transaction.atomic():
        with state.locked() as st:
            state.current(st)


def test_a_missing_snapshot_is_fitted_before_the_lock_is_taken(site, monkeypatch):
    default_storage.delete(state.snapshot_name(EngineState.objects.get().snapshot))
    state.discard()
    held, fitted_under_lock = [], []
    real_locked, real_fit = state.locked, state.fit

    @contextlib.contextmanager
    def watched_lock():
        with real_locked() as st:
            held.append(True)
            try:
                yield st
            finally:
                held.pop()

    def watching_fit(docs):
        fitted_under_lock.append(bool(held))
        return real_fit(docs)

    monkeypatch.setattr(state, "locked", watched_lock)
    monkeypatch.setattr(state, "fit", watching_fit)
    monkeypatch.setattr(services, "SMALL_CORPUS", 0)
    services.record_changes([site["orchard-0"].pk], "upsert")
    assert fitted_under_lock == [False]
    assert default_storage.exists(state.snapshot_name(EngineState.objects.get().snapshot))


def test_the_snapshot_in_the_shared_storage_is_never_served(site, client):
    name = state.snapshot_name(EngineState.objects.get().snapshot)
    assert default_storage.exists(name)
    assert client.get("/media/" + name).status_code == 404


def test_a_large_sites_copy_is_kept_out_of_the_workers_memory_bound(site, settings):
    """A job worker recycles for memory a job left behind, but not for the engine copy of a
    site large enough that reloading it for each publication costs more (1M: 15 s)."""
    assert "masthead.recommendations.state.kept_mb" in settings.MASTHEAD_JOBS_KEPT_MEMORY
    state.discard()
    assert state.kept_mb() == 0
    state.prepare()  # loads the snapshot, as a fresh worker does
    size = len(state._copy.engine)
    state._copy.cost_mb = 321.0  # what the load added to RSS (measured: a few MB here)
    settings.MASTHEAD_RELATED_KEEP_ARTICLES = size + 1
    assert state.kept_mb() == 0  # a small site: reloading is cheap, the worker may recycle
    settings.MASTHEAD_RELATED_KEEP_ARTICLES = size
    assert state.kept_mb() == 321.0
    # A new snapshot of the same copy (every RESNAPSHOT_EVERY events) keeps what it costs.
    state.install(state._copy.engine, "another-token", state._copy.applied)
    assert state.kept_mb() == 321.0
    state.discard()  # dropped (a failed write): nothing kept
    assert state.kept_mb() == 0


def test_loading_a_copy_records_what_it_added_to_the_process(site):
    from masthead.jobs.worker import rss_mb

    state.discard()
    before = rss_mb()
    state.prepare()
    assert 0 <= state._copy.cost_mb <= rss_mb() - before + 1
