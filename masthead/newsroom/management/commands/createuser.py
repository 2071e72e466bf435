"""`masthead createuser NAME --role ROLE [--password-stdin]`: a newsroom account.

Without --password-stdin a strong password is generated and printed once.
"""

from __future__ import annotations

import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from masthead.articles.services import get_or_create_author
from masthead.newsroom.roles import ROLES, assign_role


class Command(BaseCommand):
    help = "Create a newsroom account with a role."

    def add_arguments(self, parser):
        parser.add_argument("name", help="login name")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from standard input")
        parser.add_argument("--display-name", default="", help="byline name (default: NAME)")

    def handle(self, name, role, password_stdin, display_name, **options):
        User = get_user_model()
        name = name.strip()
        if not name or len(name) > 150 or any(ch.isspace() for ch in name):
            raise CommandError("NAME must be 1-150 characters without spaces", returncode=2)
        if User.objects.filter(username=name).exists():
            raise CommandError(f"a user named {name!r} already exists", returncode=2)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError("password rejected: " + " ".join(exc.messages),
                                   returncode=2) from None
            generated = False
        else:
            password, generated = secrets.token_urlsafe(12), True
        with transaction.atomic():
            user = User.objects.create_user(username=name, password=password)
            assign_role(user, role)
            author = get_or_create_author(display_name or name)
            if author.user_id is None:
                author.user = user
                author.save(update_fields=["user"])
        self.stdout.write(f"created {role} {name!r}")
        if generated:
            self.stdout.write(f"password: {password}")
