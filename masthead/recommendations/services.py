"""Articles You May Like: what pages read (`related_for`) and every write to the stored lists.

Reads: `related_for(article)` (the article page, one query in the common case),
`panel_for(article)` (the newsroom panel), `export_lists()` (`masthead related export`).

Writes, each under the `EngineState` lock (see `state.py` for the multi-process design):
`record_changes(ids, op)` (signal handlers: log the change, then apply it at once),
`apply_pending()` (the background job: whatever a failed handler left behind),
`rebuild()` (`masthead related rebuild`, a first build, a refit the engine asked for),
`bulk_imported(ids)`, and the editor's `pin`, `exclude` and `clear_override`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from masthead.articles.models import Article
from masthead.core import id_runs, planner_stats
from masthead.core.rows import fetch
from masthead.core.text import is_row_id

from . import documents, fallback, lists, reading, state
from .models import EngineState, RelatedArticle, RelatedEvent, RelatedOverride

log = logging.getLogger("masthead.recommendations")

# An import this large (or this share of the corpus) is cheaper as one full fit.
BULK_REBUILD_MIN = 200
BULK_REBUILD_SHARE = 0.2
# A full fit is due once this share of the corpus changed since the last one (the engine keeps
# the vocabulary and weights of its fit, so incremental changes drift; the engine's own
# `needs_refit` says the same from 50 articles up). Below `SMALL_CORPUS` articles a fit takes
# well under a second (docs/recommendations-operations.md), so it runs at once; above, the
# background job runs it.
REFIT_SHARE = 0.2
SMALL_CORPUS = 300
# Events applied since the last snapshot after which a fresh one is written, so a process
# that (re)starts loads more and replays less.
RESNAPSHOT_EVERY = 200


# -- reading --------------------------------------------------------------------------------------
@dataclass
class RelatedList:
    articles: list = field(default_factory=list)
    # "Latest from <section>" stories shown under their own label when too few are related.
    latest_label: str = ""
    latest: list = field(default_factory=list)
    # True when the list came from the tag-or-section fallback rather than the engine: the page
    # then depends on what else is published in its section and tags (page-cache keys).
    from_listing: bool = False


def lists_built() -> bool:
    """Whether a full build has ever run. SQL, because an article page with nothing related
    asks (the ORM took ~0.3 ms to build this `EXISTS`)."""
    q = connection.ops.quote_name
    return bool(fetch(f"SELECT 1 FROM {q(EngineState._meta.db_table)} "
                      f"WHERE {q('generation')} > %s LIMIT 1", [0]))


def related_for(article, n: int | None = None) -> RelatedList:
    n = n or settings.MASTHEAD_RELATED_COUNT
    shown = reading.shown_related(article.pk, n)
    if len(shown) == n:
        return RelatedList(articles=shown)  # the common case: one query
    if not shown and not lists_built():
        # No list has been computed yet (a fresh install before its first build): the
        # tag-or-section list most sites call "related" (fallback.py).
        return RelatedList(articles=fallback.latest_sharing_tags_or_section(article, n),
                           from_listing=True)
    # Too few clear the engine's relevance floor: show those, and the section's latest under
    # a label that says what they are.
    result = RelatedList(articles=shown)
    if article.section_id:
        result.latest = reading.latest_in_section(article, n - len(shown),
                                                  [a.pk for a in shown])
        if result.latest:
            result.latest_label = f"Latest from {article.section.name}"
    return result


@dataclass
class PanelItem:
    article: Article
    rank: int
    pinned: bool = False
    score: float | None = None
    explanation: dict = field(default_factory=dict)
    shown: bool = True  # within the first N visible entries, i.e. on the page now


def panel_for(article) -> dict:
    """The newsroom panel: the stored list with scores and reasons, pins and exclusions."""
    n = settings.MASTHEAD_RELATED_COUNT
    rows = list(RelatedArticle.objects.filter(article_id=article.pk)
                .select_related("related").order_by("rank"))
    overrides = list(RelatedOverride.objects.filter(article_id=article.pk)
                     .select_related("related", "created_by"))
    visible = set(documents.candidates_among([r.related_id for r in rows])
                  .values_list("pk", flat=True))
    items, seen = [], 0
    for row in rows:
        on_page = row.related_id in visible and seen < n
        seen += row.related_id in visible
        items.append(PanelItem(row.related, row.rank, row.pinned, row.score,
                               row.explanation or {}, on_page))
    listed = {r.related_id for r in rows}
    return {
        "items": items,
        "waiting_pins": [o for o in overrides
                         if o.kind == RelatedOverride.Kind.PIN and o.related_id not in listed],
        "excluded": [o for o in overrides if o.kind == RelatedOverride.Kind.EXCLUDE],
        "built": lists_built(),
        "count": n,
    }


def export_lists() -> dict[str, list[str]]:
    """Article key → related keys, best first: exactly what each visible story's page lists
    under "Articles You May Like" (pins first, exclusions applied; no "Latest from" line).

    Keys are `Article.key` (external id, else slug). Slugs are unique only per day, so two
    un-imported articles can share a key; the newer one is exported under it.
    """
    ensure_built()
    n = settings.MASTHEAD_RELATED_COUNT
    key_of: dict[int, str] = {}
    for pk, external, slug in documents.candidates().order_by("-published_at", "-id").values_list(
            "pk", "external_key", "slug").iterator(chunk_size=5000):
        key_of[pk] = external or slug
    picked: dict[int, list[int]] = {pk: [] for pk in key_of}
    rows = RelatedArticle.objects.filter(
        article__in=documents.candidates(), related__in=documents.candidates()
    ).order_by("article_id", "rank").values_list("article_id", "related_id")
    for article_id, related_id in rows.iterator(chunk_size=5000):
        shown = picked.get(article_id)  # None: published between the two queries
        if shown is not None and len(shown) < n and related_id in key_of:
            shown.append(related_id)
    out: dict[str, list[str]] = {}
    for pk, related in picked.items():  # newest first: the newer article keeps a shared key
        out.setdefault(key_of[pk], [key_of[r] for r in related])
    return out


# -- applying changes -----------------------------------------------------------------------------
def _purge(article_ids) -> None:
    """Purge the pages whose related list changed (their surrogate key `page:<id>`)."""
    if not article_ids:
        return
    try:
        from masthead.pagecache.services import purge_keys
    except ImportError:  # page cache app absent: pages are rendered fresh anyway
        return
    purge_keys([f"page:{pk}" for pk in sorted(article_ids)])


def record_changes(article_ids, op: str) -> None:
    """Log that these articles changed, then bring the stored lists up to date.

    The events are committed even if applying them fails (a savepoint holds the apply), so
    the background job or the next change retries; a failure never undoes the publication.
    """
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return
    state.prepare()  # load or fit the engine now, not while holding the lock
    with state.locked() as st:
        # Inserted under the lock, so event ids follow commit order on every database.
        RelatedEvent.objects.bulk_create([RelatedEvent(article_id=pk, op=op) for pk in ids])
        built = bool(st.generation)
        if built:
            _apply_guarded(st)
    if not built:
        rebuild(lazy=True)
    elif st.refit_due and st.articles < SMALL_CORPUS and claim_refit():
        rebuild()


def claim_refit() -> bool:
    """Exactly one process wins a due refit (a conditional UPDATE is the lock)."""
    return bool(EngineState.objects.filter(pk=1, refit_due=True).update(refit_due=False))


def apply_pending() -> set[int]:
    """Apply logged changes not yet reflected in the stored lists (if the lists exist)."""
    state.prepare()
    with state.locked() as st:
        return _apply(st) if st.generation else set()


def _apply_guarded(st: EngineState) -> None:
    try:
        with transaction.atomic():
            _apply(st)
    except Exception:  # noqa: BLE001 - the article change is committed; lists catch up later
        log.exception("related lists not updated; the background job will retry")
        state.discard()


def _apply(st: EngineState) -> set[int]:
    engine = state.current(st)
    events = list(RelatedEvent.objects.filter(id__gt=st.written_event).order_by("id")
                  .values_list("id", "article_id"))
    if not events:
        return set()
    ids = list(dict.fromkeys(pk for _, pk in events))
    docs = documents.docs_for(ids)
    affected = set(ids)
    for pk in ids:
        affected |= state.apply_change(engine, pk, docs.get(pk))
    # Lists that show them now (spare rows included) and lists that pin them.
    affected |= set(RelatedArticle.objects.filter(related_id__in=ids)
                    .values_list("article_id", flat=True))
    affected |= set(RelatedOverride.objects.filter(related_id__in=ids,
                                                   kind=RelatedOverride.Kind.PIN)
                    .values_list("article_id", flat=True))
    changed = lists.write(engine, affected)
    last = events[-1][0]
    state.mark_applied(last)
    st.written_event = last
    st.changes += len(ids)
    st.refit_due = (st.refit_due or engine.needs_refit()
                    or st.changes >= REFIT_SHARE * max(st.articles, 1))
    if last - st.snapshot_event >= RESNAPSHOT_EVERY:
        _snapshot(st, engine, last)
    st.save()
    _purge(changed)
    return changed


def _snapshot(st: EngineState, engine, last: int) -> None:
    token = state.new_token()
    state.save_snapshot(engine, token, last)
    state.install(engine, token, last)
    st.snapshot, st.snapshot_event = token, last
    # Older events are in the snapshot; a process with an older token reloads it anyway.
    RelatedEvent.objects.filter(id__lte=last).delete()
    transaction.on_commit(lambda: state.forget_snapshots(keep=token))


def bulk_imported(runs) -> None:
    """After an import of the articles in `runs` (core/id_runs): one fit when the import is
    large, else the changes logged and applied."""
    st = EngineState.objects.filter(pk=1).first()
    if st is None or not st.generation:
        rebuild(lazy=True)
    elif id_runs.count(runs) >= max(BULK_REBUILD_MIN, BULK_REBUILD_SHARE * st.articles):
        rebuild()
    else:
        record_changes(id_runs.expand(runs), RelatedEvent.Op.UPSERT)


# -- full build -----------------------------------------------------------------------------------
@dataclass
class BuildReport:
    articles: int
    lists_changed: int
    fit_seconds: float
    write_seconds: float
    generation: int


def rebuild(*, lazy: bool = False, progress=None) -> BuildReport | None:
    """Fit on every visible story and rewrite every list in one transaction.

    The fit (minutes on a very large site) runs outside the lock, so publications go on;
    changes logged meanwhile are replayed onto the new engine before it is installed.
    `lazy`: only if nothing was built yet (a first publication, import or page edit).
    `progress`, when given, wraps the stories read for the fit and then the lists written
    (the CLI's bars, core/progress.py).
    """
    with state.build_lock:
        if lazy and lists_built():
            return None
        started_event = state.last_event_id()
        t0 = time.perf_counter()
        docs = documents.all_docs()
        if progress is not None:
            docs = progress(docs, documents.candidates().count(), "article")
        engine = state.fit(docs, lists.processes())
        fit_seconds = time.perf_counter() - t0
        with state.locked() as st:
            if lazy and st.generation:
                return None
            t1 = time.perf_counter()
            state.replay(engine, started_event)
            last = state.last_event_id()
            ids = list(documents.candidates().values_list("pk", flat=True))
            changed = lists.write(engine, ids, progress, visible=set(ids))
            lists.drop_invisible()
            # A first build fills a table the planner knew empty: without autovacuum, each
            # list was then read by a parallel worker (1M: 4.2 ms, not 0.1; performance.md).
            transaction.on_commit(lambda: planner_stats.refresh_stale(sample=False))
            _snapshot(st, engine, last)
            st.generation += 1
            st.written_event = last
            st.refit_due = False
            st.changes = 0
            st.built_at = timezone.now()
            st.articles = len(ids)
            st.build_seconds = round(fit_seconds + time.perf_counter() - t1, 3)
            st.save()
            _purge(changed)
            return BuildReport(len(ids), len(changed), fit_seconds,
                               time.perf_counter() - t1, st.generation)


def ensure_built() -> None:
    if not lists_built():
        rebuild(lazy=True)


# -- editors' pins and exclusions -----------------------------------------------------------------
def find_article(text: str) -> Article | None:
    """An article named by id, external key, public URL or newsroom editor URL."""
    from django.urls import Resolver404, resolve

    text = (text or "").strip()
    if not text:
        return None
    if is_row_id(text):
        return Article.objects.filter(pk=int(text)).first()
    by_key = Article.objects.filter(external_key=text).first()
    if by_key or "/" not in text:
        return by_key
    from urllib.parse import urlsplit

    path = urlsplit(text).path or "/"
    try:
        match = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return None
    if match.view_name == "articles:article":
        kw = match.kwargs
        return Article.objects.filter(
            slug=kw["slug"], pub_date__year=kw["year"], pub_date__month=kw["month"],
            pub_date__day=kw["day"], kind=Article.Kind.ARTICLE,
        ).first()
    if match.view_name == "newsroom:article_edit":
        return Article.objects.filter(pk=match.kwargs["pk"]).first()
    return None


def _check(article: Article, related: Article) -> None:
    if related.pk == article.pk:
        raise ValidationError("An article cannot be related to itself.")
    if related.kind != Article.Kind.ARTICLE:
        raise ValidationError("Only stories can be related articles, not standing pages.")


def pin(article: Article, related: Article, *, user=None) -> None:
    """Put `related` first in `article`'s list (after earlier pins); kept across rebuilds.
    A pinned article that is not visible yet appears once it is published."""
    _check(article, related)
    _set_override(article, related, RelatedOverride.Kind.PIN, user)


def exclude(article: Article, related: Article, *, user=None) -> None:
    """Never show `related` in `article`'s list, whatever the engine thinks."""
    _check(article, related)
    _set_override(article, related, RelatedOverride.Kind.EXCLUDE, user)


def clear_override(article: Article, related_id: int) -> None:
    """Unpin, or allow an excluded article again."""
    state.prepare()
    with state.locked() as st:
        RelatedOverride.objects.filter(article_id=article.pk, related_id=related_id).delete()
        _rewrite_one(st, article.pk)
    ensure_built()


def _set_override(article, related, kind, user) -> None:
    state.prepare()
    with state.locked() as st:
        existing = RelatedOverride.objects.filter(article_id=article.pk,
                                                  related_id=related.pk).first()
        if existing is None or existing.kind != kind:
            RelatedOverride.objects.update_or_create(
                article_id=article.pk, related_id=related.pk,
                defaults={"kind": kind, "created_by": user if getattr(user, "pk", None) else None,
                          "created_at": timezone.now()},
            )
        _rewrite_one(st, article.pk)
    ensure_built()


def _rewrite_one(st: EngineState, pk: int) -> None:
    if not st.generation:
        return  # the first build, right after, writes this list with its overrides
    _apply(st)
    changed = lists.write(state.current(st), [pk])
    _purge(changed)
