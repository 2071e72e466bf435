"""Behind a trusted proxy each reader has their own rate limit and stored address; a forged
X-Forwarded-For from anyone else changes nothing (issue 14)."""

from __future__ import annotations

import ipaddress

import pytest

from masthead.comments.models import Comment

from .conftest import form_data

pytestmark = pytest.mark.django_db

PROXY = "10.9.0.2"


def send(client, article, i, *, peer, forwarded):
    return client.post("/comments/post/",
                       form_data(article, email=f"r{i}@example.org", comment=f"remark {i}"),
                       HTTP_ORIGIN="http://testserver", REMOTE_ADDR=peer,
                       HTTP_X_FORWARDED_FOR=forwarded).status_code


def test_ten_readers_through_the_proxy_are_ten_addresses(client, article, settings):
    settings.MASTHEAD_COMMENTS_RATE_PER_MINUTE = 2
    settings.MASTHEAD_TRUSTED_PROXIES = [ipaddress.ip_network("10.9.0.0/24")]
    codes = [send(client, article, i, peer=PROXY, forwarded=f"198.51.100.{i}")
             for i in range(10)]
    assert codes == [303] * 10
    assert sorted(Comment.objects.values_list("ip_address", flat=True)) == sorted(
        f"198.51.100.{i}" for i in range(10))


def test_one_reader_forging_the_header_is_still_one_address(client, article, settings):
    settings.MASTHEAD_COMMENTS_RATE_PER_MINUTE = 2
    settings.MASTHEAD_TRUSTED_PROXIES = [ipaddress.ip_network("10.9.0.0/24")]
    codes = [send(client, article, i, peer="203.0.113.7", forwarded=f"198.51.100.{i}")
             for i in range(3)]
    assert codes == [303, 303, 429]
    assert set(Comment.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_forging_through_the_proxy_does_not_escape_the_limit(client, article, settings):
    # The proxy appends what it saw; the reader's own prefix is ignored.
    settings.MASTHEAD_COMMENTS_RATE_PER_MINUTE = 2
    settings.MASTHEAD_TRUSTED_PROXIES = [ipaddress.ip_network("10.9.0.0/24")]
    codes = [send(client, article, i, peer=PROXY, forwarded=f"198.51.100.{i}, 203.0.113.7")
             for i in range(3)]
    assert codes == [303, 303, 429]
