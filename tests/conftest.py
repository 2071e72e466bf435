"""Cross-app fixtures: a real `masthead serve` with the demo site, and Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.server import running_server

CHROMIUM = os.environ.get("MASTHEAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """Base URL of a served demo site (2 workers), shared by the e2e and browser tests."""
    data_dir = tmp_path_factory.mktemp("demo-site")
    with running_server(data_dir, demo=True, workers=2) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir():
    path = os.path.join(os.path.dirname(__file__), "browser", "artifacts")
    os.makedirs(path, exist_ok=True)
    return path


def pytest_collection_modifyitems(config, items):
    if shutil.which("nginx") is None:
        for item in items:
            if "needs_nginx" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="nginx is not installed"))
