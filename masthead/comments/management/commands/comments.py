"""`masthead comments ...`: moderation, privacy requests and the spam filter from the shell.

Subcommands (CONTRACT, Command line): `list [--status S] [--json]`, `approve|spam|trash ID...`
(the newsroom's own `moderation.moderate`, so the same side effects), `export EMAIL`,
`erase EMAIL`, `train FILE`, `classify FILE`, plus `retrain` (from stored examples and
moderation decisions) and `purge-ips [--days N]` (IP retention). FILE may be `-` for stdin.
Bad input prints one line to stderr and exits 2, with nothing changed.
"""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from masthead.comments import filtering, services
from masthead.comments.models import Comment
from masthead.comments.spam import LabelledDataError, read_labelled, read_unlabelled
from masthead.core.text import is_row_id


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise _fail(f"cannot read {path}: {reason}") from None


def _email(value: str) -> str:
    try:
        validate_email(value.strip())
    except ValidationError:
        raise _fail(f"not an email address: {value!r}") from None
    return value.strip()


class Command(BaseCommand):
    help = "Moderate comments, answer privacy requests and teach the spam filter."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        listing = sub.add_parser("list", help="comments, oldest first")
        listing.add_argument("--status", choices=Comment.Status.values)
        listing.add_argument("--json", action="store_true", help="one JSON object a line")
        for action in ("approve", "spam", "trash"):
            moderate = sub.add_parser(action, help=f"{action} comments by id")
            moderate.add_argument("ids", nargs="+", metavar="ID")
        for action in ("export", "erase"):
            sub.add_parser(action, help=f"{action} a commenter's data").add_argument("email")
        train = sub.add_parser("train", help="learn from a labelled JSON Lines file")
        train.add_argument("file")
        train.add_argument("--replace", action="store_true",
                           help="forget earlier training files first")
        sub.add_parser("classify", help="the form's verdict per line").add_argument("file")
        sub.add_parser("retrain", help="retrain from stored examples and moderation")
        purge = sub.add_parser("purge-ips", help="drop IP addresses older than the retention")
        purge.add_argument("--days", type=int, default=None)

    def handle(self, *args, action, **options):
        handler = getattr(self, "do_" + action.replace("-", "_"))
        handler(**options)

    def do_list(self, status=None, json=False, **_):  # noqa: A002 - the flag's name
        comments = Comment.objects.select_related("article").order_by("created_at", "id")
        if status:
            comments = comments.filter(status=status)
        for c in comments.iterator(chunk_size=500):
            if json:
                self.stdout.write(_json({
                    "id": c.pk, "article": c.article_id, "author": c.author_name,
                    "status": c.status, "created_at": c.created_at.isoformat(),
                    "body": c.body, "parent": c.parent_id, "spam_score": c.spam_score,
                }))
            else:
                excerpt = " ".join(c.body.split())[:60]
                self.stdout.write(f"{c.pk}\t{c.status}\t{c.created_at:%Y-%m-%d %H:%M}\t"
                                  f"{c.author_name}\t{c.article_id}\t{excerpt}")

    def _moderate(self, action: str, ids: list[str]) -> None:
        bad = [i for i in ids if not is_row_id(i)]
        if bad:
            raise _fail(f"comment ids are numbers, got {bad[0]!r}")
        try:
            changed = services.moderate(ids, action)
        except services.ModerationError as exc:
            raise _fail(str(exc)) from None
        done = {"approve": "approved", "spam": "marked as spam", "trash": "trashed"}[action]
        self.stdout.write(f"{len(changed)} comment{'s' if len(changed) != 1 else ''} {done}")

    def do_approve(self, ids, **_):
        self._moderate("approve", ids)

    def do_spam(self, ids, **_):
        self._moderate("spam", ids)

    def do_trash(self, ids, **_):
        self._moderate("trash", ids)

    def do_export(self, email, **_):
        data = services.export_commenter(_email(email))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def do_erase(self, email, **_):
        result = services.erase_commenter(_email(email))
        self.stdout.write(f"erased: {result.deleted} comment(s) deleted, "
                          f"{result.anonymised} emptied (others had replied to them)")

    def do_train(self, file, replace=False, **_):
        try:
            examples = read_labelled(_lines(file))
        except LabelledDataError as exc:
            raise _fail(f"{file}: {exc}") from None
        if not examples:
            raise _fail(f"{file}: no labelled comments")
        added = filtering.add_training_examples(examples, replace=replace)
        record = filtering.retrain_from_decisions()
        if record is None:
            raise _fail("training needs at least one spam and one ham comment "
                        "(in this file, earlier files or moderation decisions)")
        info = record.info
        figures = info.get("out_of_fold") or {}
        summary = (f"trained on {info.get('examples')} comments ({info.get('spam')} spam, "
                   f"{info.get('ham')} ham; {added} new from {file}, "
                   f"{info.get('site_decisions', 0)} moderation decisions)")
        if figures:
            summary += (f"; cross-validated spam precision {figures['precision']:.3f}, "
                        f"recall {figures['recall']:.3f}")
        self.stdout.write(summary)

    def do_classify(self, file, **_):
        try:
            rows = read_unlabelled(_lines(file))
        except LabelledDataError as exc:
            raise _fail(f"{file}: {exc}") from None
        verdicts = filtering.content_verdicts([text for _, text in rows])
        for (number, _), result in zip(rows, verdicts):
            self.stdout.write(_json({"line": number, "verdict": result.verdict,
                                     "score": round(result.score, 4)}))

    def do_retrain(self, **_):
        record = filtering.retrain_from_decisions()
        if record is None:
            raise _fail("nothing to learn from yet: train a file or moderate some comments")
        self.stdout.write(f"trained on {record.info.get('examples')} comments")

    def do_purge_ips(self, days=None, **_):
        if days is not None and days < 0:
            raise _fail("--days cannot be negative")
        self.stdout.write(f"forgot {services.forget_ip_addresses(days)} IP address(es)")


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
