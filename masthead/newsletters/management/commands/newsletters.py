"""`masthead newsletters ...`: define, send, and answer readers' privacy requests.

Subcommands: `list`, `create`, `send`, `progress`, `subscribers`, `import FILE`,
`export [FILE] | export --email ADDRESS`, `erase EMAIL`, `bounces [FILE]`. Each calls the same
services as the newsroom and the reader pages. Bad input prints one line and exits 2 with
nothing stored. Addresses are printed only by `export` and `subscribers --with-addresses`:
the operator's tools for access requests and moving lists out.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from masthead.newsletters import bounces, csvio, services
from masthead.newsletters.models import Issue, Newsletter, Subscriber


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _read(path: str | None) -> bytes:
    if not path or path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from None


def _newsletter(slug: str) -> Newsletter:
    found = Newsletter.objects.filter(slug=slug).first()
    if found is None:
        raise _fail(f"no newsletter {slug!r} (see 'masthead newsletters list')")
    return found


class Command(BaseCommand):
    help = "Newsletters: list, create, send, subscribers, import, export, erase, bounces."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        sub.add_parser("list", help="newsletters and their subscriber counts").add_argument(
            "--json", action="store_true")
        create = sub.add_parser("create", help="define a newsletter")
        create.add_argument("name")
        create.add_argument("--slug")
        create.add_argument("--sender", required=True, help="sender address")
        create.add_argument("--sender-name", default="")
        create.add_argument("--reply-to", default="")
        create.add_argument("--description", default="")
        create.add_argument("--kind", choices=Newsletter.Kind.values, default="manual")
        create.add_argument("--cadence", choices=Newsletter.Cadence.values, default="daily")
        create.add_argument("--hour", type=int, default=7)
        create.add_argument("--no-archive", action="store_true")
        send = sub.add_parser("send", help="write and send (or schedule) an issue")
        send.add_argument("newsletter")
        send.add_argument("--subject", required=True)
        send.add_argument("--intro", default="", help="introduction (Markdown)")
        send.add_argument("--article", type=int, action="append", default=[], metavar="ID")
        send.add_argument("--at", help="ISO 8601 time to send at (default: now)")
        progress = sub.add_parser("progress", help="an issue's deliveries by status")
        progress.add_argument("issue", type=int)
        subs = sub.add_parser("subscribers", help="subscriber counts (or addresses)")
        subs.add_argument("newsletter", nargs="?")
        subs.add_argument("--with-addresses", action="store_true")
        imp = sub.add_parser("import", help="a Ghost, Mailchimp or Substack CSV")
        imp.add_argument("file")
        imp.add_argument("--newsletter", action="append", default=[], metavar="SLUG")
        exp = sub.add_parser("export", help="all subscribers as CSV, or one reader as JSON")
        exp.add_argument("file", nargs="?")
        exp.add_argument("--format", default="ghost", choices=sorted(csvio.FORMATS))
        exp.add_argument("--email", help="a reader's access request: their data as JSON")
        sub.add_parser("erase", help="a reader's erasure request").add_argument("email")
        sub.add_parser("bounces", help="RFC 3464 bounces / ARF complaints from a message or "
                                       "mbox (stdin if no FILE)").add_argument("file",
                                                                               nargs="?")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action)(**options)
        except (services.NewsletterError, csvio.CsvError) as exc:
            raise _fail(str(exc)) from None

    def do_list(self, json=False, **_):  # noqa: A002
        for n in Newsletter.objects.all():
            count = n.subscriptions.filter(subscriber__status=Subscriber.Status.ACTIVE).count()
            row = {"slug": n.slug, "name": n.name, "kind": n.kind, "subscribers": count,
                   "active": n.is_active}
            self.stdout.write(_json(row) if json else f"{n.slug}\t{n.name}\t{n.kind}\t{count}")

    def do_create(self, name, slug, sender, sender_name, reply_to, description, kind, cadence,
                  hour, no_archive, **_):
        slug = slugify(slug or name)
        if not slug or Newsletter.objects.filter(slug=slug).exists():
            raise _fail(f"slug {slug!r} is empty or taken")
        if not 0 <= hour <= 23:
            raise _fail("--hour must be 0-23")
        services.clean_email(sender)
        if reply_to:
            services.clean_email(reply_to)
        n = Newsletter.objects.create(name=name, slug=slug, sender_email=sender,
                                      sender_name=services.clean_name(sender_name),
                                      reply_to=reply_to, description=description, kind=kind,
                                      cadence=cadence, send_hour=hour,
                                      public_archive=not no_archive)
        self.stdout.write(n.slug)

    def do_send(self, newsletter, subject, intro, article, at, **_):
        when = None
        if at:
            when = parse_datetime(at)
            if when is None or when.tzinfo is None:
                raise _fail(f"--at needs an ISO 8601 time with a zone, not {at!r}")
        issue = services.create_issue(_newsletter(newsletter), subject, introduction=intro,
                                      article_ids=article)
        issue = services.send_issue(issue, at=when)
        self.stdout.write(_json({"issue": issue.pk, "status": issue.status}))

    def do_progress(self, issue, **_):
        found = Issue.objects.filter(pk=issue).first()
        if found is None:
            raise _fail(f"no issue {issue}")
        self.stdout.write(_json({"issue": found.pk, "status": found.status,
                                 "deliveries": services.progress(found)}))

    def do_subscribers(self, newsletter=None, with_addresses=False, **_):
        subscribers = Subscriber.objects.order_by("pk")
        if newsletter:
            subscribers = subscribers.filter(subscriptions__newsletter=_newsletter(newsletter))
        if not with_addresses:
            for status in Subscriber.Status.values:
                self.stdout.write(f"{status}\t{subscribers.filter(status=status).count()}")
            return
        for s in subscribers.iterator(chunk_size=1000):
            self.stdout.write(f"{services.address_of(s)}\t{s.status}")

    def do_import(self, file, newsletter, **_):
        chosen = [_newsletter(s) for s in newsletter] or list(
            Newsletter.objects.filter(is_active=True))
        if len(chosen) > 1 and not newsletter:
            raise _fail("several newsletters exist: name the ones to import into with "
                        "--newsletter SLUG")
        report = csvio.import_csv(_read(file), chosen)
        for line in report.refused:
            self.stderr.write(f"refused {line}")
        self.stdout.write(_json({"format": report.format, "imported": report.imported,
                                 "refused": len(report.refused)}))

    def do_export(self, file=None, format="ghost", email=None, **_):  # noqa: A002
        if email:
            data = services.export_reader(email)
            if data is None:
                raise _fail("no subscriber has this address")
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if file and file != "-":
            with open(file, "w", encoding="utf-8", newline="") as out:
                csvio.export_csv(out, format)
        else:
            csvio.export_csv(self.stdout, format)

    def do_erase(self, email, **_):
        erased = services.erase(email)
        self.stdout.write(f"erased {erased} subscriber(s)")

    def do_bounces(self, file=None, **_):
        report = bounces.process(_read(file))
        for line in report.ignored:
            self.stderr.write(f"ignored {line}")
        self.stdout.write(_json({"messages": report.messages, "suppressed": report.suppressed,
                                 "ignored": len(report.ignored)}))


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
