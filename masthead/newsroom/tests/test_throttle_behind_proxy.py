"""Failed logins behind a trusted proxy count per reader, not for everyone (issue 14)."""

from __future__ import annotations

import ipaddress

import pytest

pytestmark = pytest.mark.django_db


def fail(client, peer, forwarded, username="nobody"):
    return client.post("/newsroom/login/", {"username": username, "password": "wrong" * 3},
                       REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded).status_code


def test_one_readers_failures_through_the_proxy_do_not_lock_out_another(client, settings):
    settings.MASTHEAD_LOGIN_FAILURES_PER_IP = 3
    settings.MASTHEAD_TRUSTED_PROXIES = [ipaddress.ip_network("10.9.0.0/24")]
    for i in range(3):
        fail(client, "10.9.0.2", "198.51.100.1", username=f"guess{i}")
    assert fail(client, "10.9.0.2", "198.51.100.1", username="guess9") == 429
    assert fail(client, "10.9.0.2", "198.51.100.2", username="other") != 429


def test_a_forged_header_from_an_untrusted_peer_does_not_reset_the_count(client, settings):
    settings.MASTHEAD_LOGIN_FAILURES_PER_IP = 3
    settings.MASTHEAD_TRUSTED_PROXIES = [ipaddress.ip_network("10.9.0.0/24")]
    for i in range(3):
        fail(client, "203.0.113.7", f"198.51.100.{i}", username=f"guess{i}")
    assert fail(client, "203.0.113.7", "198.51.100.99", username="guess9") == 429
