"""`image_tag`: the `<img>` every reader page writes for a library image (docs/images.md)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from masthead.media.html import SIZES, best_url, image_tag
from masthead.media.models import Image


def _img(markup) -> dict:
    element = lxml_html.fragment_fromstring(str(markup))
    assert element.tag == "img"
    return dict(element.attrib)


def _image(**fields) -> Image:
    fields.setdefault("renditions", [{"width": 800, "name": "images/x-800w.webp"},
                                     {"width": 480, "name": "images/x-480w.webp"},
                                     {"width": 1200, "name": "images/x-1200w.webp"}])
    image = Image(width=1200, height=675, alt="A map of the coast", **fields)
    image.file.name = "images/x.jpg"
    return image


def test_srcset_lists_every_rendition_smallest_first_with_sizes_and_dimensions(settings):
    settings.MEDIA_URL = "/media/"
    attrs = _img(image_tag(_image(), None, "lead"))
    assert attrs["srcset"] == ("/media/images/x-480w.webp 480w, /media/images/x-800w.webp 800w, "
                               "/media/images/x-1200w.webp 1200w")
    assert attrs["sizes"] == SIZES["lead"]
    assert (attrs["width"], attrs["height"]) == ("1200", "675")
    # `src` for browsers without srcset: the smallest rendition at least 640 px wide.
    assert attrs["src"] == "/media/images/x-800w.webp"
    assert attrs["alt"] == "A map of the coast"


def test_below_the_fold_is_lazy_and_async_the_main_picture_is_high_priority():
    lazy = _img(image_tag(_image(), "", "thumb"))
    assert (lazy["loading"], lazy["decoding"]) == ("lazy", "async")
    assert "fetchpriority" not in lazy
    first = _img(image_tag(_image(), "", "lead", priority=True))
    assert first["fetchpriority"] == "high"
    assert "loading" not in first and "decoding" not in first


def test_alt_for_this_use_wins_and_empty_falls_back_to_the_librarys():
    assert _img(image_tag(_image(), 'The "old" harbour & quay'))["alt"] == \
        'The "old" harbour & quay'
    assert _img(image_tag(_image(), ""))["alt"] == "A map of the coast"
    assert 'alt="The &#34;old&#34; harbour &amp; quay"' in str(
        image_tag(_image(), 'The "old" harbour & quay'))


def test_without_renditions_yet_the_original_is_shown_never_a_broken_image(settings):
    settings.MEDIA_URL = "/media/"
    attrs = _img(image_tag(_image(renditions=[]), None, "lead"))
    assert attrs["src"] == "/media/images/x.jpg"
    assert "srcset" not in attrs and "sizes" not in attrs
    imported = Image(original_url="https://example.org/pic.jpg", alt="Imported")
    attrs = _img(image_tag(imported))
    assert attrs["src"] == "https://example.org/pic.jpg"
    assert "width" not in attrs  # unknown size: no guess


def test_no_image_writes_nothing():
    assert str(image_tag(None)) == ""
    assert str(image_tag(Image())) == ""  # neither a file nor an address


@pytest.mark.parametrize(("wanted", "expected"), [(100, "x-480w"), (480, "x-480w"),
                                                  (481, "x-800w"), (5000, "x-1200w")])
def test_best_url_picks_the_smallest_wide_enough(wanted, expected):
    assert expected in best_url(_image(), wanted)
