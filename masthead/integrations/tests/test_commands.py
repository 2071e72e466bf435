"""`masthead integrations` and `masthead webhooks`: keys shown once, bad input refused whole."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from masthead.integrations.models import ApiKey, Integration
from masthead.integrations.services import authenticate
from masthead.webhooks.models import Subscription

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_prints_both_keys_once_as_json_and_stores_only_digests():
    printed = json.loads(run("integrations", "create", "Wire desk", "--role", "author", "--json"))
    assert set(printed) == {"name", "content_key", "admin_key"}
    assert printed["name"] == "Wire desk"
    stored = " ".join(ApiKey.objects.values_list("digest", flat=True))
    assert printed["admin_key"] not in stored and printed["content_key"] not in stored
    assert authenticate(printed["admin_key"]).kind == "admin"
    assert authenticate(printed["content_key"]).kind == "content"
    user = Integration.objects.get().user
    assert not user.has_usable_password() and user.has_perm("articles.publish_own_article")
    assert not user.has_perm("articles.publish_article")


def test_list_shows_prefixes_and_last_use_never_the_keys():
    printed = json.loads(run("integrations", "create", "Bot", "--role", "editor", "--json"))
    listed = [json.loads(line) for line in run("integrations", "list", "--json").splitlines()]
    assert [row["name"] for row in listed] == ["Bot"]
    assert printed["admin_key"] not in json.dumps(listed)
    assert listed[0]["admin_key"].endswith("…") and listed[0]["admin_last_used_at"] is None


def test_revoke_stops_both_keys():
    printed = json.loads(run("integrations", "create", "Bot", "--role", "editor", "--json"))
    run("integrations", "revoke", "Bot")
    assert authenticate(printed["admin_key"]) is None
    assert authenticate(printed["content_key"]) is None
    assert "revoked" in run("integrations", "list")


@pytest.mark.parametrize("args", [
    ("integrations", "create", "   ", "--role", "editor"),
    ("integrations", "revoke", "nobody"),
    ("webhooks", "add", "nobody", "article.published", "https://example.org/"),
])
def test_bad_input_exits_2_and_stores_nothing(args):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    assert Integration.objects.count() == 0 and Subscription.objects.count() == 0


def test_a_duplicate_name_is_refused():
    run("integrations", "create", "Bot", "--role", "editor")
    with pytest.raises(CommandError, match="already exists"):
        run("integrations", "create", "bot", "--role", "author")
    assert Integration.objects.count() == 1


def test_webhooks_add_refuses_private_targets_and_prints_the_secret(settings):
    run("integrations", "create", "Bot", "--role", "editor")
    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(CommandError, match="private") as caught:
        run("webhooks", "add", "Bot", "article.published", "http://127.0.0.1:9/hook")
    assert caught.value.returncode == 2 and Subscription.objects.count() == 0
    settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE = True
    printed = run("webhooks", "add", "Bot", "article.published", "http://127.0.0.1:9/hook")
    assert "whsec_" in printed
    assert "article.published" in run("webhooks", "list")
