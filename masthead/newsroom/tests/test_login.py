"""Login security (issue 5, point 8): throttling, argon2, sessions, CSRF, password change."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from masthead.newsroom.models import LoginFailure

from .conftest import PASSWORD


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/newsroom/login/", {"username": username, "password": password},
                       REMOTE_ADDR=ip)


@pytest.fixture
def editor(make_user):
    return make_user("editor", "ed")


def test_login_page_logs_a_newsroom_user_in(editor, client):
    assert client.get("/newsroom/login/").status_code == 200
    response = _login(client, "ed", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/newsroom/"
    assert client.get("/newsroom/").status_code == 200


def test_wrong_password_is_a_400_with_a_message(editor, client):
    response = _login(client, "ed", "wrong password")
    assert response.status_code == 400
    assert "correct username and password" in response.content.decode()


def test_account_is_throttled_after_repeated_failures_from_anywhere(editor, settings):
    for n in range(settings.MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT):
        assert _login(Client(), "ed", "wrong", ip=f"10.0.1.{n}").status_code == 400
    # Even the right password is not checked now, from a fresh address.
    response = _login(Client(), "ed", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_address_is_throttled_after_failures_across_accounts(editor, settings):
    settings.MASTHEAD_LOGIN_FAILURES_PER_IP = 3
    for name in ("a", "b", "c"):
        _login(Client(), name, "wrong", ip="10.0.0.7")
    assert _login(Client(), "ed", PASSWORD, ip="10.0.0.7").status_code == 429
    assert _login(Client(), "ed", PASSWORD, ip="10.0.0.8").status_code == 302


def test_throttle_lifts_after_the_window(editor, settings):
    for _ in range(settings.MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT):
        _login(Client(), "ed", "wrong")
    later = timezone.now() + dt.timedelta(seconds=settings.MASTHEAD_LOGIN_WINDOW_SECONDS + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _login(Client(), "ed", PASSWORD).status_code == 302


def test_successful_login_clears_the_accounts_failures(editor):
    _login(Client(), "ed", "wrong")
    _login(Client(), "ed", PASSWORD)
    assert not LoginFailure.objects.filter(username="ed").exists()


def test_throttle_counts_usernames_case_insensitively(editor, settings):
    for n in range(settings.MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT):
        _login(Client(), "ED" if n % 2 else "Ed", "wrong")
    assert _login(Client(), "ed", PASSWORD).status_code == 429


def test_user_without_newsroom_role_cannot_log_in(db, client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("reader", password=PASSWORD)
    response = _login(client, "reader", PASSWORD)
    assert response.status_code == 400
    assert "no newsroom role" in response.content.decode()


def test_passwords_are_hashed_with_argon2(make_user, settings):
    from masthead import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = make_user("author")
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_session_cookie_is_http_only_and_same_site(editor, client):
    response = _login(client, "ed", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_session_and_csrf_cookies_are_secure_on_https_sites(tmp_path):
    # Settings are built once per process from the environment, so ask a fresh process.
    import os
    import subprocess
    import sys

    env = {**os.environ, "MASTHEAD_SITE_URL": "https://news.example",
           "MASTHEAD_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", "import masthead.settings as s; "
         "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out == ["True", "True", "True"]


def test_login_form_enforces_csrf(editor):
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "ed", PASSWORD).status_code == 403


def test_editor_posts_enforce_csrf(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post("/newsroom/markdown-preview/", {"body": "x"}).status_code == 403
    assert client.post("/newsroom/articles/new/", {"headline": "x"}).status_code == 403


def test_changing_password_logs_out_every_other_session(editor):
    here, elsewhere = Client(), Client()
    _login(here, "ed", PASSWORD)
    _login(elsewhere, "ed", PASSWORD, ip="10.0.0.2")
    response = here.post("/newsroom/password/", {
        "old_password": PASSWORD, "new_password1": "another long password 99",
        "new_password2": "another long password 99",
    })
    assert response.status_code == 302
    assert here.get("/newsroom/").status_code == 200  # the session that changed it stays
    assert elsewhere.get("/newsroom/").status_code == 302  # the other one is logged out


def test_password_change_with_wrong_old_password_is_refused(editor, client_for):
    client = client_for(editor)
    response = client.post("/newsroom/password/", {
        "old_password": "nope", "new_password1": "another long password 99",
        "new_password2": "another long password 99",
    })
    assert response.status_code == 400
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)


def test_password_change_rejects_a_weak_password(editor, client_for):
    response = client_for(editor).post("/newsroom/password/", {
        "old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()


def test_logout_needs_a_post_and_ends_the_session(editor, client_for):
    client = client_for(editor)
    assert client.get("/newsroom/logout/").status_code == 405
    assert client.post("/newsroom/logout/").status_code == 302
    assert client.get("/newsroom/").status_code == 302


def test_deactivated_user_is_logged_out_at_once(editor, make_user, client_for):
    from masthead.newsroom import staff

    session = client_for(editor)
    staff.set_active(make_user("admin"), editor, False)
    assert session.get("/newsroom/").status_code == 302
    assert _login(Client(), "ed", PASSWORD).status_code == 400


def test_a_username_with_a_nul_is_refused_not_a_500(editor, client):
    """The throttle counts the attempt before the form validates the name; PostgreSQL's text
    cannot hold a NUL (found by the security suite on PostgreSQL)."""
    response = _login(client, "e\x00d", "wrong password")
    assert response.status_code == 400
