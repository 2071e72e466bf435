"""The finished newsroom in Chromium (issue 16): no sideways scrolling on any newsroom page
from 360 to 1920 px, moderation by keyboard, the co-author filter.

Against a real `masthead serve` with the demo site (its own, as moderation changes state).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

PAGES = ["/newsroom/", "/newsroom/articles/", "/newsroom/articles/new/",
         "/newsroom/comments/?status=all", "/newsroom/front-page/"]
# Elements past the right edge, except inside a clipped box (visually hidden text, such as a
# table's header row on narrow screens, is laid out but never seen).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => { for (; el; el = el.parentElement) {
    if (getComputedStyle(el).clip !== 'auto') return true; } return false; };
  return Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .slice(0, 5).map(el => el.tagName + (el.id ? '#' + el.id : '') + ' ' + el.className);
}"""


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("newsroom-desk")
    env = {"MASTHEAD_DATABASE_URL": f"sqlite:///{data_dir}/masthead.sqlite3"}
    with running_server(data_dir, demo=True, workers=1, extra_env=env) as url:
        password = (data_dir / "demo_editor_password").read_text().strip()
        yield url, password


@pytest.fixture
def editor_page(desk_site, page):
    url, password = desk_site
    page.goto(url + "/newsroom/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1:text('Dashboard')")
    return url, page


@pytest.mark.parametrize("width", [360, 1280, 1920])
def test_no_newsroom_page_scrolls_sideways(editor_page, width):
    url, page = editor_page
    page.set_viewport_size({"width": width, "height": 900})
    article = page.goto(url + "/newsroom/articles/").ok and page.locator(
        "table.list a").first.get_attribute("href")
    for path in [*PAGES, article]:
        page.goto(url + path)
        assert page.evaluate(OVERFLOW) == [], (path, width)


def _pending(page) -> list[str]:
    return page.locator("tr.queue-row").evaluate_all("rows => rows.map(r => r.id)")


def _tab_count(page, label: str) -> int:
    text = page.get_by_role("link", name=re.compile(f"^{label} ")).inner_text()
    return int(text.split()[-1])


def test_moderating_with_the_keyboard(editor_page):
    url, page = editor_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "/newsroom/comments/")
    rows = _pending(page)
    assert len(rows) >= 3
    approved = _tab_count(page, "Approved")

    # Typing in a text field is typing, not moderating.
    page.get_by_label("Text").press("j")
    page.get_by_label("Text").press("a")
    assert page.evaluate("document.querySelectorAll('.queue-row.is-current').length") == 0
    assert page.get_by_label("Text").input_value() == "ja"

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == rows[0]
    page.keyboard.press("j")  # the second comment
    with page.expect_navigation():
        page.keyboard.press("a")
    assert _pending(page) == [rows[0], *rows[2:]]
    assert _tab_count(page, "Approved") == approved + 1
    # Focus comes back at the same place: the comment that followed the approved one.
    assert page.evaluate("document.activeElement.id") == rows[2]
    with page.expect_navigation():
        page.keyboard.press("s")
    with page.expect_navigation():
        page.keyboard.press("t")
    remaining = _pending(page)
    assert rows[2] not in remaining and rows[3] not in remaining
    page.goto(url + "/newsroom/comments/?status=spam")
    assert rows[2] in _pending(page)
    page.goto(url + "/newsroom/comments/?status=trash")
    assert rows[3] in _pending(page)
    assert errors == []


def test_the_shortcuts_are_documented_and_the_buttons_name_their_keys(editor_page):
    url, page = editor_page
    page.goto(url + "/newsroom/comments/?status=all")
    page.get_by_text("Keyboard shortcuts").click()
    assert "j next comment" in page.locator("#shortcuts").inner_text().replace("\n", " ")
    first = page.locator("tr.queue-row").first
    keys = first.locator("button[aria-keyshortcuts]").evaluate_all(
        "bs => bs.map(b => b.textContent.trim() + '=' + b.getAttribute('aria-keyshortcuts'))")
    assert set(keys) <= {"Approve=a", "Spam=s", "Trash=t"} and keys


def test_the_co_author_filter_narrows_the_list_and_keeps_ticked_names(editor_page):
    url, page = editor_page
    page.goto(url + "/newsroom/articles/new/")
    boxes = page.locator("#id_coauthors label")
    total = boxes.count()
    assert total >= 6
    ticked = boxes.nth(0)
    ticked.locator("input").check()
    name = boxes.nth(total - 1).inner_text().strip()
    page.get_by_label("Filter co-authors").fill(name)
    visible = page.locator("#id_coauthors label:visible")
    shown = visible.evaluate_all("ls => ls.map(l => l.textContent.trim())")
    assert name in shown and ticked.inner_text().strip() in shown and len(shown) < total
    assert re.search(r"\d+ of \d+ shown", page.locator("#id_coauthors ~ [role=status]").inner_text())
