"""Control characters typed into the newsroom are not stored (issue 15, item 1)."""

from __future__ import annotations

from lxml import etree

from masthead.articles.models import Article
from masthead.newsroom.services import author_for

from .conftest import editor_post


def test_article_published_in_the_newsroom_with_control_characters_is_stored_clean(
        make_user, client_for, client):
    editor = make_user("editor")
    form = editor_post(headline="Form\x0cfeed", body="Line one\x0c\x0b\n\nLine two\x1b.",
                       standfirst="Vertical\x0btab", tags="Ports\x1f, Docks",
                       action="publish", author=author_for(editor))
    response = client_for(editor).post("/newsroom/articles/new/", form)
    assert response.status_code in (302, 303), response.content[:300]
    article = Article.objects.get(headline="Formfeed")
    assert article.body == "Line one\n\nLine two." and article.standfirst == "Verticaltab"
    assert sorted(article.tags.values_list("name", flat=True)) == ["Docks", "Ports"]
    author = article.byline_authors[0]
    assert client.get(article.get_absolute_url()).status_code == 200
    for path in ["/feed/", "/feed/atom/", f"/author/{author.slug}/feed/",
                 f"/author/{author.slug}/feed/atom/", "/news-sitemap.xml"]:
        response = client.get(path)
        assert response.status_code == 200, path
        etree.fromstring(response.content)


def test_a_nul_character_is_refused_by_the_form_and_nothing_is_stored(make_user, client_for):
    """Django's form fields refuse NUL outright (ProhibitNullCharactersValidator): a 400 with
    the field's error, which is as good as cleaning it and tells the writer why."""
    editor = make_user("editor")
    before = Article.objects.count()
    response = client_for(editor).post("/newsroom/articles/new/", editor_post(
        headline="Null\x00byte", action="publish", author=author_for(editor)))
    assert response.status_code == 400
    assert b"Null characters are not allowed" in response.content
    assert Article.objects.count() == before
