"""`masthead createuser NAME --role ROLE [--password-stdin]`: a newsroom account.

Without --password-stdin a strong password is generated and printed once. Bad input (unknown
role, taken or malformed name, weak password) prints one line to stderr and exits 2. The
account is made by `newsroom.staff.create_staff_user`, as on the newsroom's Users page.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from masthead.newsroom.roles import ROLES
from masthead.newsroom.staff import create_staff_user


class Command(BaseCommand):
    help = "Create a newsroom account with a role."

    def add_arguments(self, parser):
        parser.add_argument("name", help="login name")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from standard input (first line)")
        parser.add_argument("--display-name", default="", help="byline name (default: NAME)")

    def handle(self, name, role, password_stdin, display_name, **options):
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input", returncode=2)
        try:
            user, generated = create_staff_user(name, role, password=password,
                                                display_name=display_name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from None
        self.stdout.write(f"created {role} {user.get_username()!r}")
        if generated:
            self.stdout.write(f"password: {generated}")
