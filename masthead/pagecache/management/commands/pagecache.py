"""`masthead pagecache {purge,clear,show,nginx}`: purge by hand, inspect, print the nginx front."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from masthead.pagecache import services
from masthead.pagecache.nginx import site_config
from masthead.pagecache.stores import get_store, store_name


class Command(BaseCommand):
    help = "Purge pages by surrogate key or path, clear the page cache, or show a key's pages."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="purge pages by surrogate key (e.g. a:12, site)")
        purge.add_argument("keys", nargs="*")
        purge.add_argument("--path", action="append", default=[], help="also this URL path")
        sub.add_parser("clear", help="drop every stored page (e.g. after changing templates)")
        show = sub.add_parser("show", help="list the stored pages carrying a key")
        show.add_argument("key")
        front = sub.add_parser("nginx", help="print the nginx front (docs/deploy.md)")
        front.add_argument("--data-dir", default=str(settings.DATA_DIR))
        front.add_argument("--listen", default="80")
        front.add_argument("--server-name", default="_")
        front.add_argument("--upstream", default="127.0.0.1:8000",
                           help="address of `masthead serve`")
        front.add_argument("--open-file-cache", type=int, default=0, metavar="SECONDS",
                           help="keep stored pages' files open; a purged page may then be "
                                "served for up to SECONDS (default 0: off, always fresh)")

    def handle(self, action, **options):
        if action == "purge":
            if not options["keys"] and not options["path"]:
                raise CommandError("give at least one key or --path", returncode=2)
            bad = [p for p in options["path"] if not p.startswith("/")]
            if bad:
                raise CommandError(f"--path must start with '/': {bad[0]!r}", returncode=2)
            purged = services.purge_now(options["keys"], options["path"])
            self.stdout.write(f"purged {len(purged)} page(s)")
        elif action == "clear":
            services.clear()
            self.stdout.write(f"page cache ({store_name()}) cleared")
        elif action == "nginx":
            self.stdout.write(site_config(
                data_dir=options["data_dir"], listen=options["listen"],
                server_name=options["server_name"], upstream=options["upstream"],
                media_dir=_media_dir(), open_file_cache=max(0, options["open_file_cache"]),
            ), ending="")
        else:
            for path in sorted(get_store().paths_for(options["key"])):
                self.stdout.write(path)


def _media_dir() -> str | None:
    """Where nginx finds media: "" the data dir's, a MASTHEAD_MEDIA_DIR, None (a bucket)."""
    from pathlib import Path

    from django.core.files.storage import FileSystemStorage, default_storage

    if not isinstance(default_storage, FileSystemStorage):
        return None
    root = Path(settings.MEDIA_ROOT)
    return "" if root == Path(settings.DATA_DIR) / "media" else str(root)
