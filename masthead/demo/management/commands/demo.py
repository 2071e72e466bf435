"""`masthead demo`: load the demo site (idempotent) and make sure the demo editor exists."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from masthead.articles.services import get_or_create_author
from masthead.demo.loader import load_demo
from masthead.newsroom.roles import assign_role

DEMO_EDITOR = "editor"


def ensure_demo_editor() -> str:
    """Create the demo editor once; its password is kept in the data dir to be printed again."""
    User = get_user_model()
    password_file = settings.DATA_DIR / "demo_editor_password"
    user = User.objects.filter(username=DEMO_EDITOR).first()
    if user is None or not password_file.exists():
        password = secrets.token_urlsafe(12)
        if user is None:
            user = User.objects.create_user(username=DEMO_EDITOR, password=password)
        else:
            user.set_password(password)
            user.save()
        assign_role(user, "editor")
        author = get_or_create_author("Desk Editor", bio="The demo site's editor account.")
        if author.user_id is None:
            author.user = user
            author.save(update_fields=["user"])
        password_file.write_text(password, encoding="ascii")
        password_file.chmod(0o600)
    return password_file.read_text(encoding="ascii").strip()


class Command(BaseCommand):
    help = "Load the demo site (original fictional articles) and the demo editor account."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="load the articles only when the site has none yet")

    def handle(self, if_empty=False, **options):
        from masthead.articles.models import Article

        if not (if_empty and Article.objects.exists()):
            for line in load_demo().lines():
                self.stdout.write(line)
        password = ensure_demo_editor()
        self.stdout.write(
            f"Demo editor login: {settings.SITE_URL}/newsroom/  user: {DEMO_EDITOR}  "
            f"password: {password}"
        )
