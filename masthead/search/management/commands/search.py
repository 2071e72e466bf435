"""`masthead search reindex`: rebuild the search index from the visible articles."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from masthead.core.progress import Progress
from masthead.search.services import rebuild_index


class Command(BaseCommand):
    help = "Search index maintenance. 'reindex' rebuilds it from every visible article."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reindex"], help="what to do")

    def handle(self, action, **options):
        started = time.monotonic()
        count = rebuild_index(progress=Progress("search reindex").track)
        self.stdout.write(f"Indexed {count} article(s) in {time.monotonic() - started:.1f} s")
