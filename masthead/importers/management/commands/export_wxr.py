"""`masthead export wxr FILE`: the whole site as a WordPress export (WXR 1.2)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.importers.exporters.wxr import write_wxr


class Command(BaseCommand):
    help = "Export all articles, pages and comments as a WordPress WXR 1.2 file (- for stdout)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--with-private-data", action="store_true",
                            help="include commenter emails and IP addresses (handle with care)")

    def handle(self, file, with_private_data, **options):
        if file == "-":
            write_wxr(sys.stdout.buffer, with_private_data=with_private_data)
            return
        target = Path(file)
        # Written beside the target and renamed at the end: a failed export never leaves a
        # truncated file that looks like a complete one.
        try:
            fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".",
                                       prefix=f".{target.name}.", suffix=".tmp")
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        try:
            with os.fdopen(fd, "wb") as out:
                counts = write_wxr(out, with_private_data=with_private_data)
            os.replace(tmp, target)
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stderr.write(", ".join(f"{n} {kind}s" for kind, n in counts.items())
                          + f" exported to {file}")
