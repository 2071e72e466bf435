"""`masthead integrations create NAME --role ROLE [--json] | list [--json] | revoke NAME`.

`create` prints both keys once (with `--json`: `{"name", "content_key", "admin_key"}`); they
are stored only as digests. Bad input prints one line to stderr, exits 2 and stores nothing.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from masthead.integrations import services
from masthead.newsroom.roles import ROLES


def _iso(value) -> str | None:
    return value.isoformat() if value else None


class Command(BaseCommand):
    help = "API integrations: create (keys shown once), list, revoke."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        create = sub.add_parser("create", help="a new integration and its two keys")
        create.add_argument("name")
        create.add_argument("--role", required=True, choices=ROLES,
                            help="what the Admin key may do (the newsroom's roles)")
        create.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="integrations, their keys' last use")
        listing.add_argument("--json", action="store_true", help="one JSON object a line")
        sub.add_parser("revoke", help="stop both keys of an integration").add_argument("name")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as exc:
            raise CommandError(exc.messages[0], returncode=2) from None

    def _create(self, name, role, json=False, **_):  # noqa: A002 - the option's name
        issued = services.create_integration(name, role)
        if json:
            self.stdout.write(_dumps({"name": issued.integration.name,
                                      "content_key": issued.content_key,
                                      "admin_key": issued.admin_key}))
            return
        self.stdout.write(f"Integration {issued.integration.name!r} (role {role}) created.\n"
                          f"Content API key: {issued.content_key}\n"
                          f"Admin API key:   {issued.admin_key}\n"
                          "Store them now: they are not shown again.")

    def _list(self, json=False, **_):  # noqa: A002
        for integration in services.listing():
            keys = {k.kind: k for k in integration.keys.all()}
            row = {"name": integration.name, "role": integration.role,
                   "created_at": _iso(integration.created_at),
                   "revoked_at": _iso(integration.revoked_at)}
            for kind in ("content", "admin"):
                key = keys.get(kind)
                row[f"{kind}_key"] = key.prefix + "…" if key else None
                row[f"{kind}_last_used_at"] = _iso(key.last_used_at) if key else None
            if json:
                self.stdout.write(_dumps(row))
            else:
                state = "revoked" if integration.revoked_at else "active"
                self.stdout.write(
                    f"{integration.name}\t{integration.role}\t{state}\t"
                    f"content {row['content_key']} used {row['content_last_used_at'] or 'never'}"
                    f"\tadmin {row['admin_key']} used {row['admin_last_used_at'] or 'never'}")

    def _revoke(self, name, **_):
        integration = services.revoke_integration(services.find(name))
        self.stdout.write(f"Integration {integration.name!r} revoked; its keys no longer work.")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
