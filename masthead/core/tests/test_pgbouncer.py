"""Server-side cursors off for PgBouncer's transaction mode, through a real PgBouncer.

`.iterator()` on PostgreSQL declares a cursor WITH HOLD and fetches from it in later
statements. In transaction mode PgBouncer may give each of those statements a different
server connection, and the cursor lives on only one: the first test shows the failure with
Django's default, the second that MASTHEAD_DATABASE_SERVER_SIDE_CURSORS=0 avoids it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from masthead import config
from masthead.articles.models import Tag

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.path.exists(PGBOUNCER),
                       reason="pgbouncer is not installed (apt-get install pgbouncer)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer():
    """A PgBouncer in transaction mode, two server connections, in front of the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (MASTHEAD_DATABASE_URL=postgres://...)")
    db = connection.settings_dict
    port = free_port()
    # Outside pytest's private temp tree: PgBouncer refuses to run as root and drops to the
    # postgres user, who must read its files.
    work = Path(tempfile.mkdtemp(prefix="masthead-pgbouncer-"))
    work.chmod(0o755)
    (work / "users.txt").write_text(f'"{db["USER"]}" "{db["PASSWORD"] or ""}"\n')
    (work / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"bounced = host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {work}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nserver_round_robin = 0\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    for f in work.iterdir():
        f.chmod(0o644)
    run_as = []
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("pgbouncer will not run as root, and there is no postgres user")
        run_as = ["-u", "postgres"]
    args = [PGBOUNCER, *run_as, str(work / "pgbouncer.ini")]
    log = work / "pgbouncer.log"  # written by us: the postgres user may not write in `work`
    proc = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not start: {log.read_text()[-1000:]}")
                time.sleep(0.1)
        yield f"postgres://{db['USER']}@127.0.0.1:{port}/bounced"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def bounced(pgbouncer, monkeypatch):
    """Open a Django connection alias "bounced" through PgBouncer; `server_side_cursors` as
    the operator would set it."""
    opened = []

    def open_alias(*, server_side_cursors: bool):
        monkeypatch.setenv("MASTHEAD_DATABASE_URL", pgbouncer)
        monkeypatch.setenv("MASTHEAD_DATABASE_SERVER_SIDE_CURSORS",
                           "1" if server_side_cursors else "0")
        settings = {**config.database(), "CONN_MAX_AGE": 0}
        # configure_settings fills in Django's defaults (it insists on a "default" alias). The
        # connection is set directly, not declared in settings: Django's test case then treats
        # it as created at run time and lets the test use it.
        settings = connections.configure_settings({"default": settings})["default"]
        connections["bounced"] = load_backend(settings["ENGINE"]).DatabaseWrapper(
            settings, "bounced")
        opened.append(connections["bounced"])
        return "bounced"

    yield open_alias
    for wrapper in opened:
        wrapper.close()
        del connections["bounced"]


def read_while_another_client_holds_a_server(alias: str, pgbouncer_url: str) -> list[str]:
    import psycopg

    # Written through PgBouncer (autocommit), outside the test's own transaction, so that
    # PgBouncer's server connections see the rows; removed again below.
    tags = Tag.objects.using(alias)
    tags.bulk_create(Tag(name=f"Bounced {i:02}", slug=f"bounced-{i:02}") for i in range(30))
    try:
        rows = tags.filter(slug__startswith="bounced-").order_by("pk") \
            .values_list("name", flat=True).iterator(chunk_size=5)
        names = [next(rows)]  # the cursor is declared; its server connection is released
        with psycopg.connect(pgbouncer_url) as other:  # takes that one, in a transaction
            other.execute("SELECT 1")
            names.extend(rows)  # so the next FETCH goes to the pool's other connection
            other.rollback()
        return names
    finally:
        tags.filter(slug__startswith="bounced-").delete()


def test_default_server_side_cursors_break_under_transaction_pooling(bounced, pgbouncer):
    import psycopg
    from django.db import DatabaseError

    alias = bounced(server_side_cursors=True)
    assert connections[alias].settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is False
    # Django wraps the failed FETCH; closing the cursor on the way out fails the same way,
    # unwrapped, and that is what propagates.
    with pytest.raises((DatabaseError, psycopg.Error), match="cursor .* does not exist"):
        read_while_another_client_holds_a_server(alias, pgbouncer)


def test_the_setting_turns_them_off_and_iteration_works(bounced, pgbouncer):
    alias = bounced(server_side_cursors=False)
    names = read_while_another_client_holds_a_server(alias, pgbouncer)
    assert names == [f"Bounced {i:02}" for i in range(30)]
