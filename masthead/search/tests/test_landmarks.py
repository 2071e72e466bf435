"""Every search form is a landmark with a name of its own (issue 16: the search page's two
forms were both announced as "search", with nothing to tell them apart)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/search/", "/search/?q=harbour", "/no-such-page/"])
def test_search_landmarks_have_distinct_names(client, path):
    response = client.get(path)
    doc = lxml_html.fromstring(response.content)
    forms = doc.xpath("//*[@role='search'] | //search")
    names = [f.get("aria-label") or "" for f in forms]
    assert len(forms) == 2, path
    assert all(names) and len(set(names)) == len(names), names
