"""`masthead pagecache`: purge by key or path, clear, show a key's pages, print nginx config."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from masthead.pagecache.nginx import site_config

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[3] / "docs" / "deploy.md"


def run(*args) -> str:
    out = io.StringIO()
    call_command("pagecache", *args, stdout=out)
    return out.getvalue()


def test_purge_by_key_from_the_command_line(wsgi, make_article):
    article = make_article()
    path = article.get_absolute_url()
    wsgi.get(path)
    assert run("show", f"page:{article.pk}").split() == [path]
    assert run("purge", f"page:{article.pk}") == "purged 1 page(s)\n"
    assert wsgi.get(path).cache == "MISS"


def test_purge_by_path_and_clear(wsgi, make_article):
    first = make_article().get_absolute_url()
    second = make_article().get_absolute_url()
    wsgi.get(first)
    wsgi.get(second)
    run("purge", "--path", first)
    assert wsgi.get(first).cache == "MISS"
    assert wsgi.get(second).cache == "HIT"
    run("clear")
    assert wsgi.get(second).cache == "MISS"


def test_purge_without_keys_or_with_a_relative_path_is_a_usage_error(page_cache):
    with pytest.raises(CommandError):
        run("purge")
    with pytest.raises(CommandError):
        run("purge", "--path", "no-slash")


def test_nginx_config_in_the_deployment_guide_is_what_the_command_prints(page_cache):
    printed = run("nginx", "--data-dir", "/var/lib/masthead", "--server-name",
                  "news.example.org")
    assert printed == site_config(data_dir="/var/lib/masthead", server_name="news.example.org")
    assert printed in DOCS.read_text(), "docs/deploy.md: paste `masthead pagecache nginx` output"


def test_open_file_cache_is_off_by_default_and_bounded_when_asked_for(page_cache):
    plain = run("nginx", "--data-dir", "/srv/m")
    assert "open_file_cache" not in plain
    cached = run("nginx", "--data-dir", "/srv/m", "--open-file-cache", "2")
    assert "open_file_cache_valid 2s;" in cached
    assert "open_file_cache_errors off;" in cached  # a newly stored page is found at once
    assert cached.replace(site_config(data_dir="/srv/m", open_file_cache=2), "") == ""
