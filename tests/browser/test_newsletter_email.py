"""Each newsletter's HTML email in Chromium at 320 and 700 px, light and dark, and through the
Nu HTML checker (vnu.jar; the npm package `vnu-jar`, installed by .ci/run)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from django.utils import timezone

from masthead.articles.models import Article, Section
from masthead.newsletters.mail import IssueMail
from masthead.newsletters.models import Issue, Newsletter, Subscriber

pytestmark = pytest.mark.browser
VNU = os.environ.get("MASTHEAD_VNU_JAR", "/opt/vnu/node_modules/vnu-jar/build/dist/vnu.jar")


@pytest.fixture
def emails():
    """Each kind of newsletter's email, rendered from unsaved rows: Playwright's sync API keeps
    an event loop in this thread, where Django refuses database access."""
    section = Section(name="Science", slug="science")
    stories = [Article(headline="A headline long enough to wrap on the narrowest phone "
                                "screens, with ünïcödé", slug="long", section=section,
                       standfirst="What happened, and why it matters."),
               Article(headline="Second story", slug="second", section=section)]
    reader = Subscriber(pk=1, email_digest="a" * 64, name="Zoë", created_at=timezone.now())
    rendered = {}
    for n, kind in enumerate(Newsletter.Kind.values, start=1):
        newsletter = Newsletter(pk=n, name=f"The {kind} letter", slug=kind, kind=kind,
                                sender_email="news@example.org")
        issue = Issue(pk=n, newsletter=newsletter, subject=f"{kind.title()} issue",
                      introduction="Good **morning**. A [link](https://example.org/).")
        mail = IssueMail(issue)
        mail.__dict__["articles"] = stories  # what the database would have answered
        msg = mail.message_for(reader, "zoe@example.org")
        rendered[kind] = msg.get_body(("html",)).get_content()
    # An article sent on publication (newsletters/article_mail.py): its whole body, with a
    # picture of a camera's width and a relative link, both made safe for the inbox.
    article = Article(pk=9, headline="Storm reaches the coast", slug="storm", section=section,
                      standfirst="Ferries cancelled; schools closed.",
                      body_html='<p>The storm arrived at noon. See <a href="/world/map/">the '
                                'map</a>.</p><figure><img src="/media/images/storm.jpg" '
                                'alt="Waves over the harbour wall"></figure>'
                                "<h2>What next</h2><p>The ferries stay in port.</p>")
    newsletter = Newsletter(pk=9, name="Breaking news", slug="breaking", kind="manual",
                            sender_email="news@example.org")
    mail = IssueMail(Issue(pk=9, newsletter=newsletter, subject=article.headline,
                           article_id=9))
    mail.__dict__["articles"] = [article]
    msg = mail.message_for(reader, "zoe@example.org")
    rendered["article"] = msg.get_body(("html",)).get_content()
    assert "The ferries stay in port." in rendered["article"]
    return rendered


@pytest.mark.parametrize("width", [320, 700])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_email_renders_without_overflow_in_light_and_dark(browser, emails, width, scheme,
                                                          artifacts_dir):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()
    for kind, html in emails.items():
        page.set_content(html)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{kind}: {overflow}px wider than {width}px"
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.nl-wrap')).backgroundColor")
        text = page.evaluate("getComputedStyle(document.querySelector('.nl-wrap')).color")
        dark_bg = background == "rgb(22, 22, 22)"
        assert dark_bg == (scheme == "dark"), (kind, scheme, background)
        assert text != background
        links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
        assert links and all(h.startswith(("http://", "https://")) for h in links)
        page.screenshot(path=os.path.join(artifacts_dir, f"email-{kind}-{width}-{scheme}.png"),
                        full_page=True)
    context.close()


def test_email_html_passes_the_nu_checker(emails, tmp_path):
    if not os.path.exists(VNU):
        pytest.skip(f"Nu checker not found at {VNU} (npm install --prefix /opt/vnu vnu-jar)")
    paths = []
    for kind, html in emails.items():
        path = tmp_path / f"{kind}.html"
        path.write_text(html)
        paths.append(str(path))
    done = subprocess.run(["java", "-jar", VNU, "--format", "json", *paths],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    assert not errors, errors
