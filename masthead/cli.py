"""The `masthead` command: one dispatcher in front of the apps' management commands.

`masthead import wxr FILE` runs the `import_wxr` command, `masthead comments list` runs
`comments list`, and so on: two-word commands whose first word is a group (`import`, `export`)
are joined with an underscore; every other first word is a command of its own. Errors from a
command print one line to stderr and exit 2 (STYLE habit 13).
"""

from __future__ import annotations

import os
import sys

GROUPS = {"import", "export"}

USAGE = """usage: masthead COMMAND [ARGS...]

commands:
  serve [--host H] [--port P] [--workers N]   production server
  migrate                                     apply database migrations
  demo                                        load the demo site (idempotent)
  createuser NAME --role ROLE [--password-stdin]
  import {jsonl,wxr,feed,html} FILE           bring content in
  export {jsonl,wxr} [FILE]                   take content out
  related {rebuild,export}                    Articles You May Like
  search reindex                              rebuild the search index
  comments {list,approve,spam,trash,export,erase,train,classify,...}
  newsletters {list,create,send,progress,subscribers,import,export,erase,bounces}
  pagecache {purge,show,clear,nginx}          the full-page cache and its nginx front
  worker [--concurrency N]                    run background jobs until stopped
  jobs [list|retry ID...]                     queued, running and failed background jobs

'masthead COMMAND --help' describes a command."""


def resolve(argv: list[str]) -> list[str]:
    """Map the user's words to Django's `command args...`."""
    if argv[0] in GROUPS:
        if len(argv) < 2 or argv[1].startswith("-"):
            raise SystemExit(
                f"masthead: '{argv[0]}' needs a format, e.g. 'masthead {argv[0]} jsonl'"
            )
        return [f"{argv[0]}_{argv[1]}", *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        raise SystemExit(0 if argv else 2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    try:
        words = resolve(argv)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None

    import django
    from django.core.management import execute_from_command_line, get_commands

    from masthead.config import ConfigError

    try:
        django.setup()
    except ConfigError as exc:
        print(f"masthead: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if words[0] not in get_commands() or words[0] in _HIDDEN:
        print(f"masthead: error: unknown command {' '.join(argv[:2])!r} (see 'masthead --help')",
              file=sys.stderr)
        raise SystemExit(2)
    execute_from_command_line(["masthead", *words])


# Django's own commands that would bypass Masthead's conventions are not offered.
_HIDDEN = {"runserver", "testserver", "flush"}
