"""`masthead comments ...`: list, moderate, train, classify (privacy commands: test_privacy)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from masthead.comments.models import Comment, SpamModelRecord, TrainingExample
from masthead.comments.signals import comment_status_changed
from masthead.comments.spam import CommentText
from masthead.comments.spam import evaluation as ev
from masthead.comments.spam.corpus import load_youtube_spam, youtube_spam_path

from .conftest import approved_comment

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None) -> str:
    out = io.StringIO()
    if stdin is not None:
        import sys
        from unittest import mock

        with mock.patch.object(sys, "stdin", io.StringIO(stdin)):
            call_command("comments", *args, stdout=out)
    else:
        call_command("comments", *args, stdout=out)
    return out.getvalue()


def fails(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    return message


def test_list_json_has_one_object_a_line_with_the_contract_fields_and_no_email(article):
    from masthead.comments.privacy import email_digest, encrypt_email

    a = approved_comment(article, body="first\nline", email_encrypted=encrypt_email("l@x.org"),
                         email_digest=email_digest("l@x.org"))
    b = approved_comment(article, status="pending", body="second")
    lines = run("list", "--json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == [a.pk, b.pk]
    assert {"id", "article", "author", "status", "created_at", "body"} <= set(rows[0])
    assert rows[0]["article"] == article.pk and rows[0]["body"] == "first\nline"
    assert "l@x.org" not in "".join(lines)
    assert [json.loads(x)["id"] for x in run("list", "--status", "pending", "--json")
            .splitlines()] == [b.pk]
    assert str(b.pk) in run("list", "--status", "pending")


def test_cli_moderation_is_the_newsroom_service_with_its_side_effects(article,
                                                                      django_capture_on_commit_callbacks):
    comments = [approved_comment(article, status="pending") for _ in range(3)]
    seen = []

    def receiver(sender, comment, old_status, **kwargs):
        seen.append((comment.pk, comment.status))

    comment_status_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert run("approve", str(comments[0].pk)).strip() == "1 comment approved"
            run("spam", str(comments[1].pk), str(comments[2].pk))
            run("trash", str(comments[2].pk))
    finally:
        comment_status_changed.disconnect(receiver)
    assert seen == [(comments[0].pk, "approved"), (comments[1].pk, "spam"),
                    (comments[2].pk, "spam"), (comments[2].pk, "trash")]
    decided = Comment.objects.get(pk=comments[0].pk)
    assert decided.moderated_at is not None  # taught to the filter, as in the newsroom


def test_moderating_unknown_or_malformed_ids_exits_2_and_changes_nothing(article):
    comment = approved_comment(article, status="pending")
    assert "no comment with id 424242" in fails("approve", str(comment.pk), "424242")
    assert "numbers" in fails("spam", "abc")
    assert Comment.objects.get().status == "pending"


LABELLED = "\n".join(json.dumps(x) for x in (
    [{"body": f"cheap zanzibar flights deal {i}, book today", "label": "spam"}
     for i in range(12)]
    + [{"body": f"the harbour bridge vote, point {i}, was well reported", "author": "Reader",
        "label": "ham"} for i in range(12)]
))


def test_train_stores_the_examples_and_a_model_then_classify_prints_verdicts(tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text(LABELLED + "\n")
    out = run("train", str(path))
    assert "trained on 24 comments (12 spam, 12 ham; 24 new" in out
    assert TrainingExample.objects.count() == 24 and SpamModelRecord.objects.count() == 1
    assert "0 new" in run("train", str(path))  # the same file again teaches nothing new
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"body": "zanzibar flights deal, book today"}\n\n'
                       '{"body": "the harbour bridge vote, point 4, was well reported", "label": "spam"}\n')
    rows = [json.loads(line) for line in run("classify", str(queries)).splitlines()]
    assert [r["line"] for r in rows] == [1, 3]
    assert rows[0]["verdict"] == "spam" and rows[1]["verdict"] == "ham"
    assert all(0 <= r["score"] <= 1 for r in rows)


def test_classify_reads_stdin_and_holds_link_heavy_text_as_the_form_would():
    line = json.dumps({"body": "see http://a.example/1 http://a.example/2 http://a.example/3"})
    [row] = [json.loads(x) for x in run("classify", "-", stdin=line).splitlines()]
    assert row["verdict"] in ("hold", "spam")


@pytest.mark.parametrize("content, message", [
    ('{"body": "x", "label": "maybe"}', 'line 1: "label" must be "spam" or "ham"'),
    ('{"body": "x", "label": "spam"}\nnot json', "line 2: not JSON"),
    ('{"body": 3, "label": "spam"}', 'line 1: "body" must be a string'),
    ("", "no labelled comments"),
    ('{"body": "only spam", "label": "spam"}', "at least one spam and one ham"),
])
def test_bad_training_file_exits_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    assert message in fails("train", str(path))
    if "at least one" not in message:
        assert TrainingExample.objects.count() == 0
    assert SpamModelRecord.objects.count() == 0


def test_missing_file_exits_2(tmp_path):
    assert "cannot read" in fails("train", str(tmp_path / "nope.jsonl"))
    assert "cannot read" in fails("classify", str(tmp_path / "nope.jsonl"))


@pytest.mark.slow
@pytest.mark.skipif(not youtube_spam_path().exists(),
                    reason=f"shared YouTube spam corpus not found at {youtube_spam_path()}")
def test_cli_meets_the_spam_target_on_youtube_comments_it_never_saw(tmp_path):
    """Issue target: spam precision >= 0.97 with recall >= 0.93, trained on one part of the
    shared YouTube set through `train FILE`, judged on the other through `classify FILE`."""
    rows = load_youtube_spam()
    texts = [CommentText(body=r["text"], author=r["author"]) for r in rows]
    y = np.array([r["label"] == "spam" for r in rows])
    train_idx, test_idx = ev.holdout_split(y, ev.text_groups(texts))

    def write(name, idx):
        path = tmp_path / name
        path.write_text("\n".join(json.dumps({"body": rows[i]["text"], "author": rows[i]["author"],
                                              "label": rows[i]["label"]}) for i in idx))
        return str(path)

    run("train", write("train.jsonl", train_idx))
    verdicts = [json.loads(x)["verdict"] for x in
                run("classify", write("test.jsonl", test_idx)).splitlines()]
    called = np.array([v == "spam" for v in verdicts])
    truth = y[test_idx]
    precision = (called & truth).sum() / called.sum()
    recall = (called & truth).sum() / truth.sum()
    assert precision >= 0.97 and recall >= 0.93, (precision, recall)
