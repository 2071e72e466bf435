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

from django.core.files.storage import default_storage
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


def rendition_urls(image) -> list[tuple[int, str]]:
    """(width, URL) of each rendition, smallest first; [] until they are made."""
    return [(r["width"], default_storage.url(r["name"]))
            for r in sorted(image.renditions or (), key=lambda r: r["width"])]


def best_url(image, width: int) -> str:
    """The smallest rendition at least `width` wide (else the largest), or the original."""
    urls = rendition_urls(image)
    if not urls:
        return image.url
    for w, u in urls:
        if w >= width:
            return u
    return urls[-1][1]


def image_tag(image, alt: str | None = None, layout: str = "thumb", *, priority: bool = False,
              fallback_width: int = 640, css_class: str = "") -> Markup:
    """An `<img>` for `image` (a media.Image, or None: then nothing) laid out as `layout`.

    `alt`: the text for this use (an article's `lead_image_alt`), else the image's own.
    `priority`: the page's main picture: fetched first, never lazily.
    """
    if image is None or not (image.file or image.original_url):
        return Markup("")
    text = image.alt if alt is None or alt == "" else alt
    urls = rendition_urls(image)
    parts = ['<img src="', esc(best_url(image, fallback_width) if urls else image.url), '"']
    if urls:
        parts += [' srcset="', esc(", ".join(f"{u} {w}w" for w, u in urls)), '" sizes="',
                  SIZES.get(layout, SIZES["thumb"]), '"']
    if image.width and image.height:
        parts.append(f' width="{image.width}" height="{image.height}"')
    parts += [' alt="', esc(text or ""), '"']
    if css_class:
        parts += [' class="', esc(css_class), '"']
    parts.append(' fetchpriority="high"' if priority else ' loading="lazy" decoding="async"')
    return Markup("".join(parts) + ">")  # noqa: S704 - every value escaped above
