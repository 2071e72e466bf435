"""`masthead.config`: the SQLite connection settings that decide a server process's memory."""

import os
import sqlite3

import pytest

from masthead import config

from .live_redis import live_redis


def pragmas(monkeypatch, tmp_path, **env) -> dict:
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = config.database()
    connection = sqlite3.connect(settings["NAME"])
    try:
        connection.executescript(settings["OPTIONS"]["init_command"])
        return {name: connection.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("cache_size", "mmap_size", "journal_mode")}
    finally:
        connection.close()


def test_defaults_keep_each_connection_small(monkeypatch, tmp_path):
    monkeypatch.delenv("MASTHEAD_SQLITE_CACHE_MB", raising=False)
    monkeypatch.delenv("MASTHEAD_SQLITE_MMAP_MB", raising=False)
    assert pragmas(monkeypatch, tmp_path) == {
        "cache_size": -8 * 1024, "mmap_size": 0, "journal_mode": "wal"}


def test_cache_and_mmap_sizes_come_from_the_environment(monkeypatch, tmp_path):
    got = pragmas(monkeypatch, tmp_path, MASTHEAD_SQLITE_CACHE_MB="32",
                  MASTHEAD_SQLITE_MMAP_MB="64")
    assert got["cache_size"] == -32 * 1024
    assert got["mmap_size"] == 64 * 1024 * 1024


@pytest.mark.parametrize("value", ["lots", "-1"])
def test_a_bad_size_is_refused(monkeypatch, tmp_path, value):
    with pytest.raises(Exception, match="MASTHEAD_SQLITE_CACHE_MB"):
        pragmas(monkeypatch, tmp_path, MASTHEAD_SQLITE_CACHE_MB=value)


def page_size_of(monkeypatch, path, value=None) -> int:
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", f"sqlite:///{path}")
    if value is None:
        monkeypatch.delenv("MASTHEAD_SQLITE_PAGE_SIZE", raising=False)
    else:
        monkeypatch.setenv("MASTHEAD_SQLITE_PAGE_SIZE", value)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(config.database()["OPTIONS"]["init_command"])
        connection.execute("CREATE TABLE IF NOT EXISTS t (x)")
        return connection.execute("PRAGMA page_size").fetchone()[0]
    finally:
        connection.close()


def test_a_new_database_gets_16_kb_pages_by_default(monkeypatch, tmp_path):
    assert page_size_of(monkeypatch, tmp_path / "new.sqlite3") == 16384


def test_a_new_database_gets_the_page_size_and_an_existing_one_keeps_its_own(monkeypatch,
                                                                             tmp_path):
    assert page_size_of(monkeypatch, tmp_path / "new.sqlite3", "8192") == 8192
    assert page_size_of(monkeypatch, tmp_path / "new.sqlite3", "65536") == 8192  # no rewrite
    assert page_size_of(monkeypatch, tmp_path / "other.sqlite3", "1024") == 1024


@pytest.mark.parametrize("value", ["1000", "131072", "big"])
def test_a_bad_page_size_is_refused(monkeypatch, tmp_path, value):
    with pytest.raises(Exception, match="MASTHEAD_SQLITE_PAGE_SIZE"):
        page_size_of(monkeypatch, tmp_path / "db.sqlite3", value)
    assert not (tmp_path / "db.sqlite3").exists() or (tmp_path / "db.sqlite3").stat().st_size == 0


@pytest.mark.parametrize("url_option,env_value,disabled", [
    ("", None, False),
    ("", "0", True),
    ("?server_side_cursors=off", None, True),
    ("?server_side_cursors=on", "0", False),  # the URL is the more specific of the two
])
def test_server_side_cursors_can_be_turned_off_for_pgbouncer(monkeypatch, url_option,
                                                             env_value, disabled):
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", f"postgres://u@db:6432/site{url_option}")
    if env_value is None:
        monkeypatch.delenv("MASTHEAD_DATABASE_SERVER_SIDE_CURSORS", raising=False)
    else:
        monkeypatch.setenv("MASTHEAD_DATABASE_SERVER_SIDE_CURSORS", env_value)
    settings = config.database()
    assert settings["DISABLE_SERVER_SIDE_CURSORS"] is disabled
    assert (settings["NAME"], settings["PORT"]) == ("site", "6432")


def test_a_bad_server_side_cursors_option_is_refused(monkeypatch):
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", "postgres://u@db/site?server_side_cursors=maybe")
    with pytest.raises(config.ConfigError, match="server_side_cursors"):
        config.database()


def test_postgres_needs_a_shared_secret_and_sqlite_does_not(monkeypatch):
    monkeypatch.delenv("MASTHEAD_SECRET_KEY", raising=False)
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", "sqlite:///x.sqlite3")
    config.require_shared_secret()
    monkeypatch.setenv("MASTHEAD_DATABASE_URL", "postgres://u@db/site")
    with pytest.raises(config.ConfigError, match="MASTHEAD_SECRET_KEY must be set"):
        config.require_shared_secret()
    monkeypatch.setenv("MASTHEAD_SECRET_KEY", "shared-" * 8)
    config.require_shared_secret()


def test_fallbacks_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("MASTHEAD_SECRET_KEY_FALLBACKS", " old-one ,older-one,, ")
    assert config.secret_key_fallbacks() == ["old-one", "older-one"]


def test_two_sites_on_one_redis_keep_their_cache_keys_apart(monkeypatch):
    """A listing anchor is keyed by its section's id: without a prefix per site, a second site
    on the same Redis would read the first's anchor for its own section 1."""
    from django.core.cache.backends.redis import RedisCache

    monkeypatch.setenv("MASTHEAD_CACHE_URL", live_redis())
    sites = []
    for name in ("first", "second"):
        monkeypatch.setenv("MASTHEAD_CACHE_KEY_PREFIX", f"test-prefix-{os.getpid()}-{name}")
        options = config.cache()
        sites.append(RedisCache(options["LOCATION"], {"KEY_PREFIX": options["KEY_PREFIX"]}))
    try:
        sites[0].set("listing-anchor:1:20:5", "first's", 60)
        assert sites[1].get("listing-anchor:1:20:5") is None
        sites[1].set("listing-anchor:1:20:5", "second's", 60)
        assert sites[0].get("listing-anchor:1:20:5") == "first's"
    finally:
        for site in sites:
            site.delete("listing-anchor:1:20:5")
    monkeypatch.delenv("MASTHEAD_CACHE_KEY_PREFIX")
    assert config.cache()["KEY_PREFIX"] == ""  # existing sites keep their keys
