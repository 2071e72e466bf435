"""`html_text_opening` is the start of `html_to_text`, long enough for any snippet of it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.core.html import html_text_opening, html_to_text, render_markdown
from masthead.core.text import summarise

WORDS = st.sampled_from([
    "the", "minister", "said", "**noon**", "*quietly*", "&", "<b>", "a<c", "“quoted”",
    "[link](https://example.org/a?b=1&c=2)", "`code`", "café", "R&amp;D", ">", "x" * 40, "\n",
])
PARAGRAPH = st.lists(WORDS, min_size=0, max_size=60).map(" ".join)
BLOCK = st.one_of(
    PARAGRAPH,
    PARAGRAPH.map(lambda p: "## " + p.replace("\n", " ")),
    PARAGRAPH.map(lambda p: "> " + p),
    st.lists(PARAGRAPH.map(lambda p: "- " + p.replace("\n", " ")), max_size=4).map("\n".join),
)
MARKDOWN = st.lists(BLOCK, max_size=30).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(markdown=MARKDOWN, length=st.integers(min_value=0, max_value=400))
def test_opening_is_the_start_of_the_text(markdown, length):
    html = render_markdown(markdown)
    full, opening = html_to_text(html), html_text_opening(html, length)
    assert full.startswith(opening)
    assert len(opening) > length or opening == full
    assert summarise(opening, length) == summarise(full, length)


@settings(max_examples=200, deadline=None)
@given(html=st.text(alphabet="<>/ab p&;amp \n\t", max_size=3000),
       length=st.integers(min_value=0, max_value=300))
def test_any_markup_gives_the_same_start(html, length):
    full, opening = html_to_text(html), html_text_opening(html, length)
    assert full.startswith(opening)
    assert summarise(opening, length) == summarise(full, length)
