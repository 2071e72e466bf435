"""Media storage configuration: MASTHEAD_STORAGE_URL / MASTHEAD_MEDIA_DIR / MASTHEAD_MEDIA_URL
are read as documented, and a bad or unreachable one stops `masthead check` and
`masthead serve` with one line and exit 2 (issue 14)."""

from __future__ import annotations

import pytest

from masthead import config
from tests.cli_helpers import run_cli
from tests.s3server import ACCESS_KEY, SECRET_KEY, free_port


def test_storage_url_gives_bucket_prefix_endpoint_and_region(monkeypatch):
    monkeypatch.setenv("MASTHEAD_STORAGE_URL", "s3://news-media/site-a/?endpoint_url="
                       "https://s3.example.net&region=eu-central-1")
    monkeypatch.delenv("MASTHEAD_MEDIA_DIR", raising=False)
    assert config.media_storage() == {
        "BACKEND": "masthead.media.s3.ObjectStorage",
        "OPTIONS": {"bucket_name": "news-media", "location": "site-a",
                    "endpoint_url": "https://s3.example.net", "region_name": "eu-central-1",
                    "addressing_style": "path"},
    }


def test_aws_itself_needs_only_the_bucket(monkeypatch):
    monkeypatch.setenv("MASTHEAD_STORAGE_URL", "s3://news-media")
    monkeypatch.delenv("MASTHEAD_MEDIA_DIR", raising=False)
    assert config.media_storage()["OPTIONS"] == {
        "bucket_name": "news-media", "location": "", "addressing_style": "auto"}


def test_without_a_storage_url_media_is_on_the_filesystem(monkeypatch, tmp_path):
    monkeypatch.delenv("MASTHEAD_STORAGE_URL", raising=False)
    monkeypatch.delenv("MASTHEAD_MEDIA_DIR", raising=False)
    monkeypatch.setenv("MASTHEAD_DATA_DIR", str(tmp_path))
    assert config.media_storage()["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config.media_dir() == tmp_path.resolve() / "media"
    monkeypatch.setenv("MASTHEAD_MEDIA_DIR", str(tmp_path / "shared"))
    assert config.media_dir() == tmp_path.resolve() / "shared"


@pytest.mark.parametrize("given, wanted", [
    ("", "/media/"), ("https://cdn.example.net/media", "https://cdn.example.net/media/"),
    ("/files/", "/files/"),
])
def test_media_url_is_a_path_or_a_cdn_base(monkeypatch, given, wanted):
    monkeypatch.setenv("MASTHEAD_MEDIA_URL", given)
    assert config.media_url() == wanted


@pytest.mark.parametrize("url, message", [
    ("http://bucket", "must start with s3://"),
    ("s3://", "is not a bucket name"),
    ("s3://Bad_Bucket", "is not a bucket name"),
    ("s3://key:secret@bucket", "put credentials in AWS_ACCESS_KEY_ID"),
    ("s3://bucket?endpoint=http://x", "unknown or repeated parameter 'endpoint'"),
    ("s3://bucket?region=a&region=b", "unknown or repeated parameter"),
    ("s3://bucket?endpoint_url=ftp://host", "endpoint_url must be an http(s) URL"),
    ("s3://bucket?endpoint_url=http://h&addressing_style=sideways", "addressing_style must be"),
])
def test_malformed_storage_urls_are_refused_with_the_reason(monkeypatch, url, message):
    monkeypatch.setenv("MASTHEAD_STORAGE_URL", url)
    monkeypatch.delenv("MASTHEAD_MEDIA_DIR", raising=False)
    with pytest.raises(config.ConfigError, match="MASTHEAD_STORAGE_URL") as caught:
        config.media_storage()
    assert message in str(caught.value)


def test_storage_url_and_media_dir_together_are_ambiguous(monkeypatch, tmp_path):
    monkeypatch.setenv("MASTHEAD_STORAGE_URL", "s3://bucket")
    monkeypatch.setenv("MASTHEAD_MEDIA_DIR", str(tmp_path))
    with pytest.raises(config.ConfigError, match="both set"):
        config.media_storage()


def test_media_url_must_be_a_url_or_a_path(monkeypatch):
    monkeypatch.setenv("MASTHEAD_MEDIA_URL", "cdn.example.net")
    with pytest.raises(config.ConfigError, match="MASTHEAD_MEDIA_URL"):
        config.media_url()


# The command line: one line on stderr and exit 2, before the server starts.
def _one_line_error(done) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_check_refuses_a_malformed_storage_url(tmp_path):
    done = run_cli(tmp_path, "check", MASTHEAD_STORAGE_URL="s3://bucket?endpoint=http://x")
    assert "MASTHEAD_STORAGE_URL" in _one_line_error(done)


@pytest.mark.slow
def test_check_and_serve_refuse_an_unreachable_object_store(tmp_path):
    port = free_port()  # nothing listens there
    env = {"MASTHEAD_STORAGE_URL": f"s3://media?endpoint_url=http://127.0.0.1:{port}",
           "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    line = _one_line_error(run_cli(tmp_path, "check", **env))
    assert f"cannot reach bucket 'media' at http://127.0.0.1:{port}" in line
    serve_port = free_port()
    done = run_cli(tmp_path, "serve", "--port", str(serve_port), "--workers", "1", **env)
    assert "cannot reach bucket" in _one_line_error(done)
    assert not (tmp_path / "static").exists()  # stopped before doing anything


@pytest.mark.slow
def test_check_names_a_missing_bucket_and_refused_credentials(tmp_path, s3_server):
    base = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    missing = f"s3://no-such-bucket?endpoint_url={s3_server.endpoint}"
    line = _one_line_error(run_cli(tmp_path, "check", MASTHEAD_STORAGE_URL=missing, **base))
    assert "no such bucket" in line
    wrong = {**base, "AWS_SECRET_ACCESS_KEY": "not-the-secret-key-at-all"}
    line = _one_line_error(run_cli(tmp_path, "check", MASTHEAD_STORAGE_URL=s3_server.storage_url,
                                   **wrong))
    assert "access denied" in line
    ok = run_cli(tmp_path, "check", MASTHEAD_STORAGE_URL=s3_server.storage_url, **base)
    assert ok.returncode == 0, ok.stderr


def test_check_refuses_a_media_dir_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = _one_line_error(run_cli(tmp_path / "data", "check",
                                   MASTHEAD_MEDIA_DIR=str(blocker / "media")))
    assert "media directory" in line and str(blocker) in line


def _nginx_media_block() -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("pagecache", "nginx", "--data-dir", "/srv/site", stdout=out)
    text = out.getvalue()
    start = text.index("location ^~ /media/")
    return text[start:text.index("}", start)]


def test_the_nginx_front_serves_a_media_dir_itself_with_the_apps_headers(settings, tmp_path):
    assert "alias /srv/site/media/images/;" in _nginx_media_block()  # default: the data dir's
    settings.MEDIA_ROOT = tmp_path / "nfs-media"
    block = _nginx_media_block()
    assert f"alias {tmp_path}/nfs-media/images/;" in block
    assert 'Cache-Control "public, max-age=31536000, immutable"' in block


def test_the_nginx_front_hands_media_in_a_bucket_to_the_app(s3_media):
    block = _nginx_media_block()
    assert "proxy_pass http://masthead_app;" in block and "alias" not in block


def test_a_site_on_a_filesystem_never_loads_boto3(tmp_path):
    """boto3 + django-storages cost ~35 MB and 0.3 s per process; only a bucket needs them."""
    import subprocess
    import sys

    probe = (
        "import os, sys\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'tests.settings'\n"
        "from masthead.wsgi import application\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"  # imports every app's views, media.views among them
        "from masthead.media.storage import open_stored\n"
        "try:\n"
        "    open_stored('images/2026/01/none-0123456789.jpg')\n"  # what serving a file does
        "except FileNotFoundError:\n"
        "    pass\n"
        "print(','.join(sorted(m for m in ('boto3', 'botocore', 'storages') if m in sys.modules)))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "MASTHEAD_STORAGE_URL"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1:] in ([], [""])
