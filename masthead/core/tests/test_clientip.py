"""One client address for every per-client limit and record: X-Forwarded-For only from
trusted proxies, read from the right."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory

from masthead import config
from masthead.core.clientip import client_ip

PROXIES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("192.0.2.9/32"),
           ipaddress.ip_network("2001:db8::/64")]


def ip(settings, peer, forwarded=None, proxies=PROXIES):
    settings.MASTHEAD_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert ip(settings, "203.0.113.5", "198.51.100.1", proxies=[]) == "203.0.113.5"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(settings):
    assert ip(settings, "203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_through_a_trusted_proxy_the_forwarded_client_counts(settings):
    assert ip(settings, "10.0.0.7", "198.51.100.1") == "198.51.100.1"


def test_the_rightmost_untrusted_hop_wins_over_what_the_client_sent(settings):
    # The client sent "1.2.3.4" itself; nginx appended the address it saw; the balancer too.
    assert ip(settings, "192.0.2.9", "1.2.3.4, 198.51.100.1, 10.0.0.7") == "198.51.100.1"


def test_only_trusted_hops_leaves_the_leftmost(settings):
    assert ip(settings, "10.0.0.7", "10.0.0.8") == "10.0.0.8"


def test_garbage_hops_stop_the_walk_at_the_last_good_address(settings):
    assert ip(settings, "10.0.0.7", "evil, 198.51.100.1") == "198.51.100.1"
    assert ip(settings, "10.0.0.7", "198.51.100.1:5555 , ") == "198.51.100.1"
    assert ip(settings, "10.0.0.7", "not-an-ip") == "10.0.0.7"
    assert ip(settings, "10.0.0.7", "") == "10.0.0.7"


def test_ipv6_and_ipv4_mapped_addresses(settings):
    assert ip(settings, "2001:db8::1", "[2001:db8:1::5]:443") == "2001:db8:1::5"
    assert ip(settings, "::ffff:203.0.113.5") == "203.0.113.5"
    assert ip(settings, "::ffff:10.0.0.7", "198.51.100.1") == "198.51.100.1"


def test_no_parsable_peer_gives_none(settings):
    assert ip(settings, "") is None and ip(settings, "unix-socket", "198.51.100.1") is None


def test_the_setting_reads_addresses_and_ranges_and_refuses_garbage(monkeypatch):
    monkeypatch.setenv("MASTHEAD_TRUSTED_PROXIES", " 10.0.0.0/24, 192.0.2.9 ,2001:db8::/64,")
    assert [str(n) for n in config.trusted_proxies()] == [
        "10.0.0.0/24", "192.0.2.9/32", "2001:db8::/64"]
    monkeypatch.setenv("MASTHEAD_TRUSTED_PROXIES", "10.0.0.0/24,nginx")
    with pytest.raises(config.ConfigError, match="MASTHEAD_TRUSTED_PROXIES: 'nginx'"):
        config.trusted_proxies()


@pytest.mark.django_db
def test_login_throttle_and_comment_posts_use_the_same_address(settings, client):
    from masthead.comments import views as comment_views
    from masthead.newsroom import throttle

    assert comment_views.client_ip is client_ip
    settings.MASTHEAD_TRUSTED_PROXIES = PROXIES
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7",
                                   HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert throttle.client_ip(request) == "198.51.100.1"
