"""`masthead related rebuild` and `masthead related export [FILE]` (CONTRACT.md, Command line).

`rebuild` fits the engine on every visible story and rewrites every stored list in one
transaction; `export` writes a JSON object, article key → related article keys, best first,
exactly as the pages list them (`-` or no FILE: standard output). A bad argument prints one
line to stderr and exits 2 (masthead/cli.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.core.files import atomic_output
from masthead.core.progress import Progress
from masthead.recommendations import services


def dumps(lists: dict[str, list[str]]) -> str:
    """One article per line, keys sorted: readable, diffable, and still one JSON object."""
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(lists.items())]
    return "{\n" + ",\n".join(lines) + ("\n" if lines else "") + "}\n"


class Command(BaseCommand):
    help = "Articles You May Like: 'rebuild' recomputes every list; 'export [FILE]' writes them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "export"], help="what to do")
        parser.add_argument("file", nargs="?", default="-",
                            help="export: where to write the JSON (default: standard output)")

    def handle(self, action, file, **options):
        if action == "rebuild":
            if file != "-":
                raise CommandError(f"'rebuild' takes no argument (got {file!r})", returncode=2)
            report = services.rebuild(progress=Progress("related rebuild").track)
            self.stdout.write(
                f"Rebuilt related lists for {report.articles} article(s) in "
                f"{report.fit_seconds + report.write_seconds:.1f} s (fit "
                f"{report.fit_seconds:.1f} s, lists {report.write_seconds:.1f} s); "
                f"{report.lists_changed} list(s) changed; generation {report.generation}."
            )
            return
        if file != "-":
            _check_writable(Path(file))  # before the work, not after
        text = dumps(services.export_lists())
        if file == "-":
            self.stdout.write(text, ending="")
            return
        _write(Path(file), text)


def _check_writable(target: Path) -> None:
    if target.is_dir():
        raise CommandError(f"{target} is a directory", returncode=2)
    if not target.parent.is_dir():
        raise CommandError(f"cannot write {target}: no such directory", returncode=2)


def _write(target: Path, text: str) -> None:
    try:
        with atomic_output(target) as fh:
            fh.write(text)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror}", returncode=2) from None
