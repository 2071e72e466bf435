"""`image_tag(image, ...)`: the one place reader pages write an `<img>` for a library image.

Every picture on a reader page goes through here so each gets the same care: `srcset` from
the stored WebP renditions with a `sizes` that says how wide the layout shows it (the browser
then fetches the smallest file that fills those pixels), `width`/`height` so the page does
not jump as images arrive, the alt text, and loading hints: `fetchpriority="high"` for the
one image that is the page's largest paint (an article's lead, the front page's lead),
`loading="lazy"` and `decoding="async"` for the rest, most of which start below the fold.

An image whose renditions are not made yet (an import queued them, a job is behind) still
shows: `src` is then the stored original and there is no `srcset`. With renditions, `src`
is the one closest to `fallback_width`, for the rare browser without `srcset` support.

Built in Python rather than as a Jinja2 macro: a front page shows ~30 images, and a macro
call costs several times an f-string (docs/performance.md on the reader templates).
"""

from __future__ import annotations

from functools import lru_cache

from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from markupsafe import Markup

from masthead.core.html import esc

# `sizes` for the layouts of site.css: keep in step with its breakpoints (72rem page, 44rem
# article column).
SIZES = {
    "lead": "(min-width: 46rem) 44rem, 100vw",
    "front-lead": "(min-width: 72rem) 46rem, (min-width: 48rem) 64vw, 100vw",
    "card": "(min-width: 64rem) 16rem, (min-width: 48rem) 45vw, 100vw",
    "thumb": "(min-width: 48rem) 12rem, 7.5rem",
    "avatar": "6rem",
}


@lru_cache(maxsize=16384)
def storage_url(name: str) -> str:
    """`default_storage.url(name)`, remembered: stored names never change content (media
    services give each file a random part), and building a URL costs ~10 µs (quoting and
    joining), which thirty pictures with four renditions each made a fifth of a front page.
    Object storage URLs are unsigned (s3.py: `querystring_auth=False`), so they never expire."""
    return default_storage.url(name)


@receiver(setting_changed)
def _storage_changed(setting, **kwargs):
    # Django builds a new default storage when these change (tests); so must the URLs.
    if setting in ("STORAGES", "MEDIA_URL", "MEDIA_ROOT"):
        storage_url.cache_clear()
        _sources.cache_clear()


def _renditions_key(image) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((r["width"], r["name"]) for r in image.renditions or ()))


def rendition_urls(image) -> list[tuple[int, str]]:
    """(width, URL) of each rendition, smallest first; [] until they are made."""
    return [(w, storage_url(n)) for w, n in _renditions_key(image)]


def _main_url(image) -> str:
    return storage_url(image.file.name) if image.file else image.original_url


@lru_cache(maxsize=8192)
def _sources(main: str, renditions: tuple, width: int) -> tuple[str, str]:
    """(src, srcset) for an image with these renditions: the smallest rendition at least
    `width` wide (else the largest) or the main file, and the srcset."""
    if not renditions:
        return main, ""
    urls = [(w, storage_url(n)) for w, n in renditions]
    src = next((u for w, u in urls if w >= width), urls[-1][1])
    return src, ", ".join(f"{u} {w}w" for w, u in urls)


def best_url(image, width: int) -> str:
    """The smallest rendition at least `width` wide (else the largest), or the original."""
    return _sources(_main_url(image), _renditions_key(image), width)[0]


def image_tag(image, alt: str | None = None, layout: str = "thumb", *, priority: bool = False,
              fallback_width: int = 640, css_class: str = "") -> Markup:
    """An `<img>` for `image` (a media.Image, or None: then nothing) laid out as `layout`.

    `alt`: the text for this use (an article's `lead_image_alt`), else the image's own.
    `priority`: the page's main picture: fetched first, never lazily.
    """
    if image is None or not (image.file or image.original_url):
        return Markup("")
    text = image.alt if alt is None or alt == "" else alt
    src, srcset = _sources(_main_url(image), _renditions_key(image), fallback_width)
    parts = ['<img src="', esc(src), '"']
    if srcset:
        parts += [' srcset="', esc(srcset), '" sizes="', SIZES.get(layout, SIZES["thumb"]), '"']
    if image.width and image.height:
        parts.append(f' width="{image.width}" height="{image.height}"')
    parts += [' alt="', esc(text or ""), '"']
    if css_class:
        parts += [' class="', esc(css_class), '"']
    parts.append(' fetchpriority="high"' if priority else ' loading="lazy" decoding="async"')
    return Markup("".join(parts) + ">")  # noqa: S704 - every value escaped above
