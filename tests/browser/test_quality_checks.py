"""The page-quality checks themselves (tests/browser/quality.py), on pages made here: each one
catches the fault it is for, and stays quiet on a correct page built from the constructs that
fooled naive checks (tight headings, inline links, visually hidden text, an off-screen skip
link, a flex navigation bar, a table, lazy images below the fold)."""

from __future__ import annotations

import base64
import io
import os

import pytest
from PIL import Image

from tests.browser.quality import AXE, VNU, axe_violations, layout_problems, nu_errors

pytestmark = pytest.mark.browser


def png(width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 90)).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


CORRECT = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>A correct page</title>
<style>
  body {{ font: 18px/1.5 Georgia, serif; margin: 0 auto; max-width: 40rem; padding: 0 1rem; }}
  h1 {{ font-size: 2.6rem; line-height: 1.0; margin: 0 0 .5rem; }}
  h2 {{ font-size: 1.4rem; line-height: 1.1; }}
  nav ul {{ display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; }}
  .skip-link {{ position: absolute; left: -999px; top: 0; }}
  .visually-hidden {{ position: absolute; width: 1px; height: 1px; overflow: hidden;
                      clip: rect(0 0 0 0); white-space: nowrap; }}
  .kicker {{ text-transform: uppercase; font-size: .8rem; letter-spacing: .05em; }}
  img {{ max-width: 100%; height: auto; display: block; }}
  table {{ border-collapse: collapse; width: 100%; }} td, th {{ padding: .25rem; }}
</style></head><body>
<a class="skip-link" href="#main">Skip to content</a>
<header><nav aria-label="Sections"><ul><li><a href="#">World</a></li><li><a href="#">Business
</a></li><li><a href="#">Science</a></li><li><a href="#">Culture and the arts</a></li>
<li><a href="#">Sport</a></li></ul></nav></header>
<main id="main"><p class="kicker">Science</p>
<h1>A headline long enough to wrap over three lines on a narrow phone screen</h1>
<p>By <a href="#">Ada Reporter</a> · <time datetime="2026-12-05">5 December 2026</time>
<span class="visually-hidden">Reading time:</span> 4 min</p>
<img src="{png(1200, 675)}" width="1200" height="675" alt="A green field">
<p>Text with <a href="#">an <em>inline</em> link</a>, <strong>bold words</strong> and
<code>code</code> running over several lines of the measure, as a body paragraph does.</p>
<details><summary>Keyboard shortcuts</summary><p>Closed, so this long paragraph is
not drawn over the text that follows it, though Chromium still gives it client rects.</p>
</details><p>Text right after the closed details element, where its content would be.</p>
<p hidden>A hidden paragraph that is not drawn either.</p>
<h2>A sub-heading that wraps onto a second line at narrow widths</h2>
<table><tr><th>Year</th><th>Value</th></tr><tr><td>2025</td><td>12.5</td></tr></table>
<div style="height: 2000px"></div>
<img src="{png(600, 400)}" width="600" height="400" alt="" loading="lazy">
</main></body></html>"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def test_a_correct_page_has_no_layout_problems(phone, browser):
    phone.set_content(CORRECT)
    assert layout_problems(phone) == []
    wide = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = wide.new_page()
    page.set_content(CORRECT)
    assert layout_problems(page) == []
    wide.close()


def test_text_drawn_over_text_is_reported(phone):
    overlapped = CORRECT.replace(
        "<h2>", '<p style="position: absolute; top: 120px; left: 20px; width: 300px">'
                "Positioned over the headline</p><h2>")
    phone.set_content(overlapped)
    problems = layout_problems(phone)
    assert any(p.startswith("text overlaps") and "Positioned over the headline" in p
               for p in problems), problems


def test_text_pulled_up_by_a_negative_margin_is_reported(phone):
    phone.set_content(CORRECT.replace("<h2>", '<h2 style="margin-top: -4em">'))
    problems = layout_problems(phone)
    assert any("text overlaps" in p and "h2" in p for p in problems), problems


def test_horizontal_overflow_is_reported_with_the_element_to_blame(phone):
    phone.set_content(CORRECT.replace("<table>", '<div class="too-wide" style="width: 640px">'
                                                 "x</div><table>"))
    problems = layout_problems(phone)
    assert any(p.startswith("horizontal overflow") and "div.too-wide" in p
               for p in problems), problems


def test_broken_and_undersized_images_are_reported(phone):
    phone.set_content(CORRECT.replace(
        "<h2>", '<img src="/no-such-image.png" width="10" height="10" alt="gone">'
                f'<img class="bare" src="{png(20, 20)}"><h2>'))
    problems = layout_problems(phone)
    assert any(p.startswith("image did not load") and "no-such-image.png" in p
               for p in problems), problems
    for attr in ("width", "height", "alt"):
        assert any(p.startswith(f"image without {attr}") and "img.bare" in p
                   for p in problems), problems
    # The correct page's lazy image below the fold was loaded and counted as fine.
    assert sum("did not load" in p for p in problems) == 1


def test_axe_reports_each_violation_with_rule_and_element(browser):
    if not os.path.exists(AXE):
        pytest.skip(f"axe-core not found at {AXE} (npm install --prefix /opt/axe axe-core)")
    context = browser.new_context()
    page = context.new_page()
    page.set_content(CORRECT.replace(
        "<h2>", f'<img class="no-alt" src="{png(20, 20)}" width="20" height="20">'
                '<p class="faint" style="color: #bbb; background: #fff">Faint text</p><h2>'))
    violations = axe_violations(page)
    context.close()
    assert any(v.startswith("image-alt (critical)") and ".no-alt" in v for v in violations)
    assert any(v.startswith("color-contrast (serious)") and ".faint" in v for v in violations)
    page_ok = browser.new_page()
    page_ok.set_content(CORRECT)
    assert axe_violations(page_ok) == []
    page_ok.close()


def test_nu_checker_reports_errors_per_document(tmp_path):
    if not os.path.exists(VNU):
        pytest.skip(f"Nu checker not found at {VNU} (npm install --prefix /opt/vnu vnu-jar)")
    broken = CORRECT.replace('<main id="main">', '<main id="main"><div><p>unclosed</span>')
    errors = nu_errors({"good": CORRECT, "broken": broken}, tmp_path)
    assert errors["good"] == []
    assert errors["broken"] and any("span" in e for e in errors["broken"]), errors
