"""The reader site's Jinja2 environment (`masthead/templating.py`): escaping and helpers."""

import pytest
from django.template import engines


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_everything_a_reader_wrote_is_escaped():
    assert render("{{ x }}", x='<script>alert("x")</script>') == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")


def test_django_safe_strings_are_not_escaped_twice():
    from django.utils.safestring import mark_safe

    assert render("{{ x }}", x=mark_safe("<b>bold</b>")) == "<b>bold</b>"


@pytest.mark.parametrize(("value", "expected"), [(0, "s"), (1, ""), (2, "s"), ([1], ""),
                                                 ([], "s"), ("x", ""), (None, "")])
def test_pluralize_as_django_does(value, expected):
    assert render("{{ n|pluralize }}", n=value) == expected


def test_url_and_static_helpers():
    assert render("{{ url('articles:section', 'world') }}") == "/section/world/"
    assert render("{{ static('masthead/site.css') }}").endswith("masthead/site.css")
