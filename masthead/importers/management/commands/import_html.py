"""`masthead import html FILE_OR_URL [--section S]`: one article page; prints its new URL path."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from masthead.articles.models import Section
from masthead.importers.inputs import DEFAULT_TIMEOUT, import_html_page
from masthead.importers.records import RecordError


class Command(BaseCommand):
    help = ("Import the article in one saved or fetched web page (boilerplate dropped) and "
            "print its URL path.")

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE_OR_URL")
        parser.add_argument("--section", help="slug of an existing section to file it under")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                            help="give up fetching a URL after this long (default %(default)s)")

    def handle(self, source, section=None, timeout=DEFAULT_TIMEOUT, **options):
        target = None
        if section:
            target = Section.objects.filter(slug=section).first()
            if target is None:
                raise CommandError(f"no section with slug {section!r}", returncode=2)
        if timeout <= 0:
            raise CommandError("--timeout must be a positive number of seconds", returncode=2)
        try:
            article, created = import_html_page(source, section=target, timeout=timeout)
        except RecordError as exc:
            raise CommandError(f"{source}: {exc} (nothing imported)", returncode=2) from None
        if not created:
            self.stderr.write("already imported; not imported again")
        # stdout carries only the URL path (the contract), so the summary goes to stderr.
        self.stderr.write(f"{int(created)} imported, {int(not created)} skipped, 0 errors")
        self.stdout.write(article.get_absolute_url())
