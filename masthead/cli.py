"""The `masthead` command: one dispatcher in front of the apps' management commands.

`masthead import wxr FILE` runs the `import_wxr` command, `masthead comments list` runs
`comments list`, and so on: two-word commands whose first word is a group (`import`, `export`)
are joined with an underscore; every other first word is a command of its own.

What this module adds to Django's own dispatch (STYLE habit 13, issue 16):
- the command is named as the user typed it (`masthead import jsonl`, never `import_jsonl`),
  and its `--help` leaves out Django's own options (`--settings`, `--pythonpath`, ...), which
  are still accepted;
- a usage error or a `CommandError` is one stderr line, `masthead import jsonl: error: ...`,
  exit 2 (or the error's own code);
- `masthead --version`, and `masthead import --help` listing the formats;
- a closed pipe (`masthead export jsonl | head`) and Ctrl-C end quietly, without a traceback;
- SIGTERM (`kill`, a container stopping) unwinds a one-shot command like Ctrl-C does, exit
  143, so its `finally` blocks run: an export removes its unfinished temporary file, a
  transaction rolls back. Python's default for SIGTERM is to die on the spot. `serve` and
  `worker` keep their own handling (a graceful stop).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

GROUPS = {"import": "bring content in", "export": "take content out"}

USAGE = """usage: masthead COMMAND [ARGS...]

commands:
  serve [--host H] [--port P] [--workers N]   production server (and a job worker beside it)
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
  jobs [list|retry ID...|ping]                queued, running and failed background jobs
  keys rotate                                 new encryption key; stored addresses re-encrypted
  check --deploy                              what is wrong for a site on several servers
  integrations {create NAME --role R [--json],list,revoke NAME}   API keys
  webhooks {add INTEGRATION EVENT URL,list,deliveries,redeliver ID}

'masthead COMMAND --help' describes a command; 'masthead --version' prints the version."""

# Django's own commands that would bypass Masthead's conventions are not offered.
_HIDDEN = {"runserver", "testserver", "flush"}
# Commands that check, before anything else, that what they will need answers (one line, exit 2).
_VERIFIED_AT_START = {"serve", "check", "worker"}
# Django's options on every command: accepted (`migrate -v0`), but not shown in `--help`.
_DJANGO_OPTIONS = {"--version", "--verbosity", "--settings", "--pythonpath", "--traceback",
                   "--no-color", "--force-color", "--skip-checks"}
# What a process killed by SIGPIPE reports to the shell (128 + 13), as `yes | head` does.
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process killed by it
_OWN_STOP_HANDLING = {"serve", "worker"}


class UsageError(Exception):
    """A mistake in the words before a command runs; printed as one line, exit 2."""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("masthead")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def resolve(argv: list[str]) -> list[str]:
    """Map the user's words to Django's `command args...`."""
    if argv[0] in GROUPS:
        if len(argv) < 2 or argv[1].startswith("-"):
            raise UsageError(
                f"masthead {argv[0]}: error: name a format, e.g. 'masthead {argv[0]} jsonl' "
                f"(see 'masthead {argv[0]} --help')"
            )
        return [f"{argv[0]}_{argv[1]}", *argv[2:]]
    return argv


def public_name(command: str) -> str:
    """`import_jsonl` → `import jsonl`: the words the user types."""
    group, _, rest = command.partition("_")
    return f"{group} {rest}" if group in GROUPS and rest else command


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        raise SystemExit(0 if argv else 2)
    if argv[0] in {"--version", "-V"}:
        print(f"masthead {version()}")
        raise SystemExit(0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    if argv[0] not in _OWN_STOP_HANDLING:
        signal.signal(signal.SIGTERM, _terminated)
    try:
        _main(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and point stdout at /dev/null so the
        # interpreter's final flush does not print a second error (Python docs, "SIGPIPE").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(EXIT_BROKEN_PIPE) from None
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise SystemExit(130) from None
    except Terminated:
        raise SystemExit(EXIT_TERMINATED) from None


class Terminated(BaseException):
    """Raised by SIGTERM in a one-shot command; a BaseException, as KeyboardInterrupt is, so
    that no `except Exception` on the way up mistakes it for a failure to carry on from."""


def _terminated(signum, frame):
    raise Terminated


def _main(argv: list[str]) -> None:
    import django
    from django.core.management import get_commands

    from masthead.config import ConfigError

    try:
        django.setup()
        if argv[0] in _VERIFIED_AT_START:
            from masthead.media.storage import verify as verify_media_storage

            verify_media_storage()
    except ConfigError as exc:
        raise UsageError(f"masthead: error: {exc}") from None
    commands = {name: app for name, app in get_commands().items() if name not in _HIDDEN}
    if argv[0] in GROUPS:
        _group(argv, commands)
    words = resolve(argv)
    if words[0] not in commands:
        raise UsageError(
            f"masthead: error: unknown command {' '.join(argv[:2])!r} (see 'masthead --help')"
        )
    run(commands[words[0]], words[0], words[1:])


def _group(argv: list[str], commands: dict) -> None:
    """`masthead import --help` lists the formats; an unknown format is one line."""
    group = argv[0]
    formats = sorted(n.partition("_")[2] for n in commands if n.startswith(f"{group}_"))
    if len(argv) >= 2 and argv[1] in {"-h", "--help"}:
        print(f"usage: masthead {group} FORMAT ...\n\n{group} formats ({GROUPS[group]}):")
        for name in formats:
            command = _load(commands[f"{group}_{name}"], f"{group}_{name}")
            print(f"  {name:<8} {command.help}")
        print(f"\n'masthead {group} FORMAT --help' describes a format's arguments.")
        raise SystemExit(0)
    if len(argv) >= 2 and not argv[1].startswith("-") and argv[1] not in formats:
        raise UsageError(f"masthead {group}: error: unknown format {argv[1]!r} "
                         f"(choose from {', '.join(formats)})")


def _load(app_name, name: str):
    from django.core.management import load_command_class
    from django.core.management.base import BaseCommand

    # get_commands() maps a name to its app, or to a command instance already loaded.
    return app_name if isinstance(app_name, BaseCommand) else load_command_class(app_name, name)


def run(app_name, name: str, args: list[str]) -> None:
    """Parse and execute one command as Django's `run_from_argv` does, with our messages."""
    from django.core.management.base import CommandError, handle_default_options
    from django.db import connections

    command = _load(app_name, name)
    prog = f"masthead {public_name(name)}"
    command.suppressed_base_arguments = set(_DJANGO_OPTIONS)
    parser = command.create_parser("masthead", name)
    _tidy(parser, prog)
    options = parser.parse_args(args)
    cmd_options = vars(options)
    positional = cmd_options.pop("args", ())
    handle_default_options(options)
    try:
        command.execute(*positional, **cmd_options)
    except CommandError as exc:
        if options.traceback:
            raise
        print(f"{prog}: error: {exc}", file=sys.stderr)
        raise SystemExit(exc.returncode) from None
    except _unusable_services() as exc:
        # A database or Redis that does not answer, or a key ring the secret key cannot open:
        # configuration, not a bug, so one line and no traceback (issue 14).
        if options.traceback:
            raise
        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"{prog}: error: {type(exc).__name__}: {line}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        try:
            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - as Django's run_from_argv: best effort
            pass


def _unusable_services() -> tuple[type[BaseException], ...]:
    from django.db import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError

    from masthead.config import ConfigError
    from masthead.keyring.ring import RingLocked

    return (ConfigError, OperationalError, RedisConnectionError, RingLocked)


def _tidy(parser: argparse.ArgumentParser, prog: str) -> None:
    """The public name in usage lines, Django's options out of help, one-line errors; for the
    command's sub-commands (`masthead comments list`) too."""
    parser.prog = prog

    def error(message: str):
        sys.stderr.write(f"{parser.prog}: error: {message} (see '{parser.prog} --help')\n")
        raise SystemExit(2)

    parser.error = error
    # argparse offers no public walk over a parser's arguments; `_actions` is stable since 2.7.
    for action in parser._actions:
        if set(action.option_strings) & _DJANGO_OPTIONS:
            action.help = argparse.SUPPRESS
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                _tidy(sub, f"{prog} {sub_name}")
