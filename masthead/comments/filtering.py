"""The spam filter as the site uses it: the stored model, scoring, training and retraining.

The classifier itself lives in `spam/` (another module's engine behind `SpamFilter`); this
module owns how it is persisted (`SpamModelRecord`, newest row wins), which verdict the live
form reaches (`content_verdict`, also what `masthead comments classify` prints), and learning
from the site's own moderation (`retrain_from_decisions`).

Each process keeps the loaded model in memory but asks the database for the newest model id
on every use (one indexed query), so a retrain in one process reaches all of them at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from . import spam
from .models import Comment, SpamModelRecord, TrainingExample
from .rendering import count_links
from .spam import CommentText, SpamFilter, dump_model, load_filter

log = logging.getLogger("masthead.comments")
KEEP_MODELS = 3
_lock = threading.Lock()
_loaded: tuple[tuple | None, SpamFilter] | None = None


@dataclass(frozen=True)
class ContentVerdict:
    verdict: str  # "ham" | "hold" | "spam"
    score: float
    reason: str  # why a comment is held or spam ("" for ham)


def active_filter() -> SpamFilter:
    """The newest stored model, or the rules filter before any model has been trained."""
    global _loaded
    # (id, created_at) names a model even where a rolled-back id is handed out again.
    newest = SpamModelRecord.objects.order_by("-id").values_list("id", "created_at").first()
    current = _loaded
    if current is not None and current[0] == newest:
        return current[1]
    with _lock:
        data = None
        if newest is not None:
            data = SpamModelRecord.objects.filter(pk=newest[0]).values_list("data", flat=True) \
                .first()
        engine = load_filter(bytes(data) if data is not None else None)
        _loaded = (newest, engine)
        return engine


def as_text(body: str, author: str = "", url: str = "") -> CommentText:
    return CommentText(body=body, author=author, url=url)


def content_verdict(text: CommentText, engine: SpamFilter | None = None) -> ContentVerdict:
    """What the live form decides from the content alone (no email, IP or history)."""
    engine = engine or active_filter()
    result = engine.classify(text)
    if result.verdict == "spam":
        return ContentVerdict("spam", result.score, "spam filter")
    max_links = getattr(settings, "MASTHEAD_COMMENTS_MAX_LINKS", 2)
    if count_links(text.body) > max_links:
        return ContentVerdict("hold", result.score, f"more than {max_links} links")
    if result.verdict == "hold":
        return ContentVerdict("hold", result.score, "spam filter unsure")
    return ContentVerdict("ham", result.score, "")


def content_verdicts(texts: list[CommentText]) -> list[ContentVerdict]:
    engine = active_filter()
    return [content_verdict(t, engine) for t in texts]


def score_unscored(first_id: int, last_id: int, batch: int = 2000) -> int:
    """Verdicts for the comments with ids from `first_id` to `last_id` that have none: those a
    big import stored unscored (importers/services.py), scored by worker jobs after it.
    Comments that have a verdict are left alone, so a run again (a retried job) is harmless."""
    engine = active_filter()
    scored, low = 0, first_id
    while low <= last_id:
        rows = list(Comment.objects.filter(pk__gte=low, pk__lte=last_id, spam_verdict="")
                    .order_by("pk").only("id", "body", "author_name", "author_url")[:batch])
        if not rows:
            break
        updates = []
        for comment in rows:
            verdict = content_verdict(
                as_text(comment.body, comment.author_name, comment.author_url), engine)
            updates.append((verdict.score, verdict.verdict, comment.pk))
        # One UPDATE a row by primary key: bulk_update's CASE of 2,000 branches made each row's
        # update scan the branches (0.44 ms a comment at 10k; the scoring itself is 0.16).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {connection.ops.quote_name(Comment._meta.db_table)} "
                               "SET spam_score = %s, "
                               "spam_verdict = %s WHERE id = %s", updates)
        scored += len(rows)
        low = rows[-1].pk + 1
    return scored


# Training --------------------------------------------------------------------------------------

def add_training_examples(examples: Iterable[tuple[CommentText, bool]], *, replace=False) -> int:
    """Add labelled comments to the base set (exact repeats skipped); returns how many added."""
    rows = []
    with transaction.atomic():
        if replace:
            TrainingExample.objects.all().delete()
        seen = set(TrainingExample.objects.values_list("body", "author", "url", "is_spam"))
        for text, is_spam in examples:
            key = (str(text.body), str(text.author)[:200], str(text.url)[:400], bool(is_spam))
            if key in seen:
                continue
            seen.add(key)
            rows.append(TrainingExample(body=key[0], author=key[1], url=key[2], is_spam=key[3]))
        TrainingExample.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _base_examples() -> list[tuple[CommentText, bool]]:
    return [
        (CommentText(body=b, author=a, url=u), s)
        for b, a, u, s in TrainingExample.objects.order_by("id")
        .values_list("body", "author", "url", "is_spam")
    ]


def _site_decisions() -> list[tuple[CommentText, bool]]:
    return [
        (CommentText(body=b, author=a, url=u), status == Comment.Status.SPAM)
        for b, a, u, status in Comment.objects.moderator_decisions()
        .values_list("body", "author_name", "author_url", "status")
    ]


def newest_decision_at():
    return Comment.objects.moderator_decisions().aggregate(m=Max("moderated_at"))["m"]


def needs_retraining() -> bool:
    newest = newest_decision_at()
    if newest is None:
        return False
    model = SpamModelRecord.objects.order_by("-id").first()
    return model is None or model.trained_through is None or model.trained_through < newest


def retrain_from_decisions() -> SpamModelRecord | None:
    """Train on the base set plus every moderator decision, store it, re-score the queue.

    Returns None (and keeps the current model) while there is not yet a spam and a ham
    example to learn from.
    """
    through = newest_decision_at()
    base, site = _base_examples(), _site_decisions()
    labels = {s for _, s in base} | {s for _, s in site}
    if labels != {True, False}:
        log.info("spam filter not retrained: it needs at least one spam and one ham example")
        return None
    model = spam.retrain(base, site)  # imports NumPy/SciPy/sklearn on first use (spam/)
    record = store_model(dump_model(model), model.info, trained_through=through)
    rescore_pending()
    return record


def store_model(data: bytes, info: dict, trained_through=None) -> SpamModelRecord:
    with transaction.atomic():
        record = SpamModelRecord.objects.create(
            data=data, info=info, trained_through=trained_through
        )
        old = SpamModelRecord.objects.order_by("-id").values_list("id", flat=True)[KEEP_MODELS:]
        SpamModelRecord.objects.filter(id__in=list(old)).delete()
    return record


def rescore_pending(limit: int = 5000) -> int:
    """New scores for the moderation queue, so its order follows the newest model."""
    pending = list(
        Comment.objects.filter(status=Comment.Status.PENDING)
        .order_by("-created_at").only("id", "body", "author_name", "author_url")[:limit]
    )
    if not pending:
        return 0
    engine = active_filter()
    texts = [as_text(c.body, c.author_name, c.author_url) for c in pending]
    for comment, score in zip(pending, engine.score_many(texts)):
        comment.spam_score = score
    Comment.objects.bulk_update(pending, ["spam_score"], batch_size=500)
    return len(pending)
