"""The key ring on its own: versions, wrapping under the secret key and its fallbacks."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from masthead.keyring import crypto
from masthead.keyring.models import DataKey
from masthead.keyring.ring import RingLocked, load
from masthead.keyring.services import rotate

pytestmark = pytest.mark.django_db

OLD, NEW = "old-secret-key-0123456789-abcdefghijklmnop", "new-secret-key-9876543210-zyxwvutsrq"


def test_the_first_key_is_made_on_first_use_and_wrapped_not_stored_in_clear(settings):
    settings.SECRET_KEY = OLD
    token = load().encrypt("ada@example.org")
    [key] = DataKey.objects.all()
    assert token.startswith("k1:") and "ada" not in token
    assert len(key.wrapped) > 40 and crypto.unwrap(key.wrapped, (OLD,)) == load().roots[1]
    assert load().decrypt(token) == "ada@example.org"


def test_digests_are_keyed_stable_and_differ_between_keys(settings):
    settings.SECRET_KEY = OLD
    ring = load()
    assert ring.digest("a@x.org") == load().digest("a@x.org") != ring.digest("b@x.org")
    rotate()
    assert load().digest("a@x.org") != ring.digest("a@x.org")


def test_a_changed_secret_key_opens_the_ring_only_with_the_old_one_as_a_fallback(settings):
    settings.SECRET_KEY = OLD
    token = load().encrypt("ada@example.org")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []
    with pytest.raises(RingLocked, match="MASTHEAD_SECRET_KEY_FALLBACKS"):
        load()
    settings.SECRET_KEY_FALLBACKS = [OLD]
    assert load().decrypt(token) == "ada@example.org"


def test_rotate_rewraps_the_ring_so_the_fallback_can_be_dropped(settings):
    settings.SECRET_KEY = OLD
    token = load().encrypt("ada@example.org")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    assert rotate().version == 2
    settings.SECRET_KEY_FALLBACKS = []
    ring = load()
    assert ring.current == 2 and ring.decrypt(token) == "ada@example.org"


def test_rotate_keeps_the_current_and_the_previous_key_only(settings):
    settings.SECRET_KEY = OLD
    load()
    for _ in range(3):
        rotate()
    assert sorted(DataKey.objects.values_list("version", flat=True)) == [3, 4]


def test_keys_rotate_with_a_wrong_secret_key_exits_2_and_changes_nothing(settings):
    settings.SECRET_KEY = OLD
    load()
    before = list(DataKey.objects.values_list("version", "wrapped"))
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []
    with pytest.raises(CommandError, match="does not open") as caught:
        call_command("keys", "rotate", stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert list(DataKey.objects.values_list("version", "wrapped")) == before


def test_a_token_of_an_unknown_version_or_tampered_is_not_decrypted(settings):
    settings.SECRET_KEY = OLD
    ring = load()
    token = ring.encrypt("ada@example.org")
    assert ring.decrypt("k9" + token[2:]) is None
    assert ring.decrypt(token[:-4] + "AAAA") is None
