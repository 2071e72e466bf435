"""`masthead serve`: the production server (granian, WSGI), not Django's runserver."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site with the production server (granian)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--threads", type=int, default=4,
                            help="threads per worker for blocking (database) work")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, host, port, workers, threads, no_collectstatic, **options):
        from granian import Granian
        from granian.constants import Interfaces

        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, got {port}", returncode=2)
        if workers < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        from masthead.config import ConfigError
        from masthead.core.startup import check_can_start, check_port_free

        try:
            check_port_free(host, port)
            check_can_start()
        except ConfigError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        os.environ["MASTHEAD_SERVER"] = "1"  # wsgi.py starts the background jobs when set
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} worker(s)")
        Granian(
            "masthead.wsgi:application", address=host, port=port,
            interface=Interfaces.WSGI, workers=workers, blocking_threads=threads,
            log_access=False, respawn_failed_workers=True,
        ).serve()
