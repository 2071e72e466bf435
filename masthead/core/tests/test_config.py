"""`masthead.config`: the SQLite connection settings that decide a server process's memory."""

import sqlite3

import pytest

from masthead import config


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
