"""JSON Lines import/export through the store service, on the real news corpus."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from masthead.articles.models import Article
from masthead.comments.models import Comment
from masthead.importers.exporters.jsonl import export_lines

pytestmark = pytest.mark.django_db


def corpus_lines(shared_data) -> list[str]:
    lines = []
    for name in ("bbc", "ecbplus", "wikinews-sample"):
        for raw in (shared_data / "news" / f"{name}.jsonl").read_text().splitlines():
            o = json.loads(raw)
            record = {"id": o["id"], "title": o["title"], "body": o["body"]}
            if o.get("date"):
                record["published_at"] = o["date"]
            lines.append(json.dumps(record))
    return lines


@pytest.mark.slow
def test_shared_news_corpus_imports_in_bulk_and_round_trips(shared_data, tmp_path,
                                                           django_assert_max_num_queries):
    lines = corpus_lines(shared_data)
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(lines) + "\n")
    # Bulk inserts: the query count grows with batches, not with articles.
    with django_assert_max_num_queries(400):
        call_command("import_jsonl", str(source), stdout=io.StringIO())
    assert Article.objects.count() == len(lines)
    assert Article.objects.published().count() == len(lines)

    exported = [json.loads(line) for line in export_lines()]
    by_id = {o["id"]: o for o in exported}
    for raw in lines[:: max(1, len(lines) // 50)]:
        original = json.loads(raw)
        assert by_id[original["id"]]["title"] == original["title"]
        assert by_id[original["id"]]["body"] == original["body"]

    again = tmp_path / "again.jsonl"
    again.write_text("\n".join(json.dumps(o) for o in exported) + "\n")
    out = io.StringIO()
    call_command("import_jsonl", str(again), stdout=out)
    assert "0 created" in out.getvalue()
    assert Article.objects.count() == len(lines)


def test_comments_are_threaded_and_emails_stored_only_encrypted(tmp_path):
    source = tmp_path / "c.jsonl"
    source.write_text(json.dumps({
        "id": "x1", "title": "With comments", "body": "Body",
        "comments": [
            {"id": "a", "author": "A", "email": "Alice@Example.org", "body": "Top", "status": "approved"},
            {"id": "b", "author": "B", "email": "bob@example.org", "body": "Reply", "parent": "a"},
            {"id": "c", "author": "C", "email": "", "body": "Reply to reply", "parent": "b"},
        ]}) + "\n")
    call_command("import_jsonl", str(source), stdout=io.StringIO())
    a, b, c = Comment.objects.order_by("external_key")
    assert (b.parent, c.parent) == (a, b)
    assert (a.depth, b.depth, c.depth) == (0, 1, 2)
    for comment in (a, b):
        assert "example.org" not in comment.email_encrypted.lower()
        assert len(comment.email_digest) == 64
    from masthead.comments.privacy import decrypt_email, email_digest

    assert decrypt_email(a.email_encrypted) == "alice@example.org"
    assert a.email_digest == email_digest("alice@example.org ")


def test_a_bad_line_anywhere_means_nothing_is_imported(tmp_path):
    from django.core.management.base import CommandError

    source = tmp_path / "bad.jsonl"
    good = [json.dumps({"title": f"T{n}", "body": "b"}) for n in range(600)]
    source.write_text("\n".join(good + ['{"title": ""}']) + "\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_jsonl", str(source), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert "line 601" in str(caught.value)
    assert Article.objects.count() == 0


def test_imported_comments_are_scored_as_the_live_form_scores_them(tmp_path):
    """Issue 16: the moderation queue showed "–" for every imported comment."""
    from masthead.comments.filtering import as_text, content_verdict

    bodies = ["A fair point about the harbour vote.",
              "CHECK OUT MY CHANNEL http://a.example http://b.example http://c.example $$$"]
    source = tmp_path / "scored.jsonl"
    source.write_text(json.dumps({
        "id": "s1", "title": "Scored", "body": "Body",
        "comments": [{"id": str(n), "author": "R", "body": b, "status": "pending"}
                     for n, b in enumerate(bodies)]}) + "\n")
    call_command("import_jsonl", str(source), stdout=io.StringIO())
    for comment in Comment.objects.order_by("external_key"):
        live = content_verdict(as_text(comment.body, comment.author_name, comment.author_url))
        assert comment.spam_score == pytest.approx(live.score)
        assert comment.spam_verdict == live.verdict
        assert comment.status == "pending"  # the source's decision is kept
    scores = list(Comment.objects.order_by("external_key").values_list("spam_score", flat=True))
    assert scores[1] > scores[0]


def test_a_big_imports_comments_past_the_inline_budget_are_scored_by_worker_jobs(
        tmp_path, monkeypatch, settings):
    """Issue 20: a big import stores its comments past INLINE_SCORES unscored and queues jobs
    that give each the verdict the live form would, and never touch a comment already scored."""
    from django_tasks_db.models import DBTaskResult

    from masthead.comments.filtering import as_text, content_verdict
    from masthead.importers import services
    from masthead.jobs import running

    settings.MASTHEAD_JOBS_EAGER = "none"  # as served: the jobs wait for a worker
    monkeypatch.setattr(services, "BATCH_SIZE", 1)  # an article a batch
    monkeypatch.setattr(services, "INLINE_SCORES", 2)  # the first article's, not the second's
    monkeypatch.setattr(services, "SCORE_JOB_COMMENTS", 2)
    bodies = ["A fair point about the harbour vote.", "CHECK OUT MY CHANNEL http://a.example "
              "http://b.example http://c.example $$$", "Thanks for the report.",
              "Buy cheap watches now!!! http://spam.example", "I was there that day."]
    source = tmp_path / "deferred.jsonl"
    threads = [[0], [1, 2], [3, 4]]
    source.write_text("".join(json.dumps({
        "id": f"d{n}", "title": f"Deferred {n}", "body": "Body",
        "comments": [{"id": str(i), "author": "R", "body": bodies[i], "status": "approved"}
                     for i in thread]}) + "\n" for n, thread in enumerate(threads)))
    call_command("import_jsonl", str(source), stdout=io.StringIO())
    comments = {c.body: c for c in Comment.objects.all()}
    assert comments[bodies[0]].spam_verdict  # within the budget: scored as it was stored
    assert [c.spam_verdict for b, c in comments.items() if b != bodies[0]] == [""] * 4
    jobs = DBTaskResult.objects.filter(task_path="masthead.comments.tasks.score_comments")
    assert jobs.count() == 2  # four comments, two a job

    before = comments[bodies[0]].spam_score
    Comment.objects.filter(pk=comments[bodies[0]].pk).update(spam_score=0.123)
    while (row := running.claim_next("test-worker")) is not None:
        assert running.run_claimed(row)
    for comment in Comment.objects.exclude(body=bodies[0]):
        live = content_verdict(as_text(comment.body, comment.author_name, comment.author_url))
        assert (comment.spam_score, comment.spam_verdict) == (pytest.approx(live.score),
                                                              live.verdict)
        assert comment.status == "approved"  # the source's decision is kept
    assert Comment.objects.get(body=bodies[0]).spam_score == 0.123 != before  # left alone


def test_a_key_repeated_in_a_later_batch_of_the_same_file_is_stored_once(tmp_path, monkeypatch):
    """Only a batch's own keys are kept in memory (issue 20): the repeat in a later batch is
    found in the rows the import already wrote in its transaction."""
    from masthead.importers import services

    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    lines = [{"id": k, "title": f"T {k}", "body": "b"} for k in ("k1", "k2", "k3", "k1", "k4",
                                                                   "k4")]
    source = tmp_path / "repeats.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = io.StringIO()
    call_command("import_jsonl", str(source), stdout=out)
    assert sorted(Article.objects.values_list("external_key", flat=True)) == [
        "k1", "k2", "k3", "k4"]
    assert out.getvalue().strip().splitlines()[-1] == "4 imported, 2 skipped, 0 errors"


def _jsonl_state(out: str):
    # Not published_at: a record without a date is published at the moment it is stored.
    articles = sorted(Article.objects.values_list(
        "external_key", "headline", "body", "body_html", "word_count", "status",
        "section__name"))
    comments = sorted(Comment.objects.values_list("external_key", "body", "parent__body",
                                                  "spam_verdict"))
    tags = sorted(Article.objects.values_list("external_key", "tags__name"))
    return articles, comments, tags, sorted(out.splitlines())


@pytest.mark.parametrize("render_ahead", [0, 10**6], ids=["reader renders", "storer renders"])
def test_a_big_file_read_by_a_second_process_stores_exactly_the_same(shared_data, tmp_path,
                                                                     monkeypatch, render_ahead):
    """Issue 20: above reading_process.MIN_BYTES a forked process parses and renders while
    this one stores; what is stored, and what the command says, must not change."""
    from masthead.importers import reading_process

    lines = [json.loads(line) for line in corpus_lines(shared_data)[:120]]
    for n, record in enumerate(lines):
        record.update(section=("World", "Science")[n % 2], tags=[f"Topic {n % 5}"],
                      byline="A. Writer", comments=[
                          {"id": f"{n}-1", "author": "R", "body": f"First on {n}."},
                          {"id": f"{n}-2", "author": "S", "body": "A reply.",
                           "parent": f"{n}-1"}])
    lines[3]["unknown_field"] = "kept as a note"
    lines[5]["body"] += "\x01 A control character, cleaned away before rendering."
    source = tmp_path / "big.jsonl"
    source.write_text("".join(json.dumps(o) + "\n" for o in lines))

    def run() -> str:
        out = io.StringIO()
        call_command("import_jsonl", str(source), stdout=out)
        return out.getvalue()

    in_process = _jsonl_state(run())
    Article.objects.all().delete()
    monkeypatch.setattr(reading_process, "MIN_BYTES", 0)
    monkeypatch.setattr(reading_process, "BATCH", 7)  # several batches through the pipe
    monkeypatch.setattr(reading_process, "RENDER_AHEAD", render_ahead)
    assert reading_process.usable(source.stat().st_size)
    second = _jsonl_state(run())
    assert second == in_process
    assert any("unknown_field" in line for line in in_process[3])


def test_a_bad_line_found_by_the_reading_process_stores_nothing(tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    from masthead.importers import reading_process

    monkeypatch.setattr(reading_process, "MIN_BYTES", 0)
    monkeypatch.setattr(reading_process, "BATCH", 5)
    source = tmp_path / "bad.jsonl"
    good = [json.dumps({"title": f"T{n}", "body": "b"}) for n in range(40)]
    source.write_text("\n".join(good + ['{"title": ""}']) + "\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_jsonl", str(source), stdout=io.StringIO())
    assert caught.value.returncode == 2 and "line 41" in str(caught.value)
    assert Article.objects.count() == 0


def test_a_big_imports_related_job_carries_its_ids_as_runs(tmp_path, settings):
    """Issue 20: the ids of a 1M-article import went to the related-lists job as a JSON array
    of a million numbers (~106 MB at the end of the import); now as runs of consecutive ids,
    which the job expands into the same articles: a first import builds the engine on all of
    them, a small later one logs its articles as changes."""
    from django_tasks_db.models import DBTaskResult

    from masthead.jobs import running
    from masthead.recommendations.models import EngineState

    settings.MASTHEAD_JOBS_EAGER = "none"

    def import_and_run(name, keys):
        source = tmp_path / name
        source.write_text("".join(json.dumps({
            "id": key, "title": f"Harbour vote {key}", "section": "News",
            "body": f"The harbour vote {key} split the council over dredging."}) + "\n"
            for key in keys))
        call_command("import_jsonl", str(source), stdout=io.StringIO())
        job = DBTaskResult.objects.filter(
            task_path="masthead.recommendations.tasks.bulk_imported").latest("enqueued_at")
        while (row := running.claim_next("test-worker")) is not None:
            assert running.run_claimed(row)
        return job.args_kwargs["args"]

    first = import_and_run("many.jsonl", [f"r{n}" for n in range(12)])
    ids = sorted(Article.objects.values_list("pk", flat=True))
    assert first == [[[ids[0], ids[-1]]]]  # one argument: one run
    assert EngineState.objects.get().articles == 12

    later = import_and_run("one.jsonl", ["r12"])
    new = Article.objects.get(external_key="r12").pk
    assert later == [[[new, new]]]
    # Applied as one change, not a refit (the event rows themselves may already be folded
    # into a snapshot: event ids are not reset between tests on PostgreSQL).
    state = EngineState.objects.get()
    assert (state.generation, state.articles, state.changes) == (1, 12, 1)
