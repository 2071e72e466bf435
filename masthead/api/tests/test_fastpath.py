"""The page cache's key check (`fastpath.authorise`): the same answer as Django's own check
for every kind of key, the key's use recorded and counted against its rate limit."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from masthead.api.fastpath import authorise
from masthead.integrations.models import ApiKey
from masthead.integrations.services import authenticate, create_integration, revoke_integration

pytestmark = pytest.mark.django_db


def _env(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_live_keys_pass_and_their_use_is_recorded():
    issued = create_integration("App", "contributor")
    for raw in (issued.content_key, issued.admin_key):
        assert authorise(_env(raw))
    assert ApiKey.objects.filter(last_used_at__isnull=True).count() == 0


@pytest.mark.parametrize("header", ["Bearer mhc_unknown", "Bearer nonsense", "Basic x", "",
                                    "Bearer " + "mhc_" + "x" * 300])
def test_unknown_or_malformed_keys_fail(header):
    create_integration("App", "contributor")
    assert not authorise({"HTTP_AUTHORIZATION": header})


def test_revoked_keys_and_inactive_accounts_fail_like_djangos_check():
    first, second = create_integration("One", "author"), create_integration("Two", "author")
    revoke_integration(first.integration)
    get_user_model().objects.filter(pk=second.integration.user_id).update(is_active=False)
    for issued in (first, second):
        for raw in (issued.content_key, issued.admin_key):
            assert authenticate(raw) is None
            assert not authorise(_env(raw))


def test_a_key_over_its_rate_limit_is_sent_to_django(settings):
    settings.MASTHEAD_API_RATE_CONTENT = 3
    issued = create_integration("App", "contributor")
    assert [authorise(_env(issued.content_key)) for _ in range(4)] == [True, True, True, False]
