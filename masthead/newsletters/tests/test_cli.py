"""`masthead newsletters ...` through the real dispatcher: create, send, import, export,
erase; bad input is one line on stderr, exit 2, nothing stored."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.newsletters import services
from masthead.newsletters.models import Newsletter, Subscriber

from .conftest import TRANSACTIONAL, make_subscribers

pytestmark = TRANSACTIONAL

GHOST = """id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers
1,ann@example.org,Ann,,true,false,,2023-01-02T03:04:05.000Z,,,
2,bob@example.org,Bob,,false,false,,2023-01-02T03:04:05.000Z,,,
3,not-an-address,Cy,,true,false,,2023-01-02T03:04:05.000Z,,,
4,ANN@example.org,Ann again,,true,false,,2023-01-02T03:04:05.000Z,,,
"""
MAILCHIMP = """Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LAST_CHANGED,TAGS
dee@example.org,Dee,Doe,2,2022-05-06 07:08:09,,2022-05-06 07:10:00,,2022-05-06 07:10:00,
eve@example.org,Eve,,2,,,,,2022-05-06 07:10:00,
"""
SUBSTACK = """email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at
fay@example.org,false,,,false,2021-01-01T00:00:00.000Z,
gus@example.org,false,,,true,2021-01-01T00:00:00.000Z,
"""


def run(*args, stdin: bytes | None = None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        import sys
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    call_command("newsletters", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("text, fmt, imported, refused", [
    (GHOST, "ghost", ["ann@example.org"], ["line 3: no consent", "line 4: Enter a valid",
                                           "line 5: repeats"]),
    (MAILCHIMP, "mailchimp", ["dee@example.org"], ["line 3: no consent"]),
    (SUBSTACK, "substack", ["fay@example.org"], ["line 3: no consent"]),
])
def test_import_keeps_consent_and_dates_and_reports_each_refused_row(
        tmp_path, newsletter, text, fmt, imported, refused):
    path = tmp_path / "list.csv"
    path.write_text(text)
    out, err = run("import", str(path), "--newsletter", "morning")
    assert json.loads(out) == {"format": fmt, "imported": len(imported),
                               "refused": len(refused)}
    for reason in refused:
        assert f"refused {reason}" in err
    assert [services.address_of(s) for s in Subscriber.objects.all()] == imported
    s = Subscriber.objects.get()
    assert s.status == "active" and s.source == f"import:{fmt}" and s.created_at.year < 2024
    assert s.subscriptions.get().newsletter == newsletter


def test_a_malformed_csv_stores_nothing(tmp_path, newsletter):
    path = tmp_path / "bad.csv"
    path.write_text("name,phone\nAnn,123\n")
    with pytest.raises(CommandError, match="not a Ghost, Mailchimp or Substack") as exc:
        run("import", str(path), "--newsletter", "morning")
    assert exc.value.returncode == 2
    path.write_bytes(b"email,subscribed_to_emails\n\xff\xfe,true\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        run("import", str(path), "--newsletter", "morning")
    assert not Subscriber.objects.exists()


def test_export_round_trips_through_import(tmp_path, newsletter):
    make_subscribers(newsletter, 3)
    out, _ = run("export", "--format", "ghost")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["email"] for r in rows] == [f"reader{n}@example.org" for n in range(3)]
    assert all(r["subscribed_to_emails"] == "true" and r["labels"] == "morning" for r in rows)
    Subscriber.objects.all().delete()
    (tmp_path / "out.csv").write_text(out)
    run("import", str(tmp_path / "out.csv"), "--newsletter", "morning")
    assert Subscriber.objects.filter(status="active").count() == 3


def test_access_and_erasure_requests(newsletter):
    make_subscribers(newsletter, 2)
    out, _ = run("export", "--email", "Reader1@example.org")
    data = json.loads(out)
    assert data["email"] == "reader1@example.org" and data["newsletters"] == ["morning"]
    assert run("erase", "reader1@example.org")[0].strip() == "erased 1 subscriber(s)"
    assert Subscriber.objects.count() == 1
    with pytest.raises(CommandError, match="no subscriber"):
        run("export", "--email", "reader1@example.org")
    with pytest.raises(CommandError, match="valid email"):
        run("erase", "not an address")


def test_create_list_send_and_progress(smtp):
    out, _ = run("create", "Breaking news", "--sender", "alerts@example.org")
    assert out.strip() == "breaking-news"
    newsletter = Newsletter.objects.get()
    make_subscribers(newsletter, 2)
    out, _ = run("list", "--json")
    assert json.loads(out)["subscribers"] == 2
    out, _ = run("send", "breaking-news", "--subject", "It happened")
    issue = json.loads(out)["issue"]
    assert len(smtp.ledger.received) == 2
    progress = json.loads(run("progress", str(issue))[0])
    assert progress["status"] == "sent" and progress["deliveries"]["sent"] == 2
    out, _ = run("subscribers", "breaking-news")
    assert "active\t2" in out and "@" not in out  # no addresses unless asked


def test_bad_cli_input_exits_2_and_stores_nothing(newsletter):
    for args, message in [
        (("create", "X", "--sender", "nope"), "valid email"),
        (("create", "Dup", "--slug", "morning", "--sender", "a@example.org"), "taken"),
        (("send", "nope", "--subject", "S"), "no newsletter"),
        (("send", "morning", "--subject", "S", "--at", "tomorrow"), "ISO 8601"),
        (("send", "morning", "--subject", "  "), "needs a subject"),
    ]:
        with pytest.raises(CommandError, match=message) as exc:
            run(*args)
        assert exc.value.returncode == 2
    assert Newsletter.objects.count() == 1 and not newsletter.issues.exists()


def test_the_masthead_command_dispatches_newsletters(tmp_path):
    import os
    import subprocess
    import sys
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("MASTHEAD_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "masthead", "migrate", "-v0"], env=env, check=True)
    done = subprocess.run([sys.executable, "-m", "masthead", "newsletters", "erase", "x"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.strip().endswith("Enter a valid email address.")
