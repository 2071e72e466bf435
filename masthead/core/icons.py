"""The site's icons, drawn here in code: a bold "M" over the masthead's red rule.

Owns the favicon and app icons in `static/masthead/icons/` (issue 16: the site had none, and
`/favicon.ico` was a 404). They are small committed files; this module is how they were made,
and `python -m masthead.core.icons` makes them again (a test checks the committed files are
what it makes, so the drawing and the files cannot drift apart). Public: `render() ->
dict[name, bytes]`, `ICON_DIR`, and `favicon_ico()` for the `/favicon.ico` view.

One shape, defined once on a 64-unit grid, becomes the SVG (for browsers that take it, sharp
at any size) and the PNG/ICO sizes (drawn 8x larger and reduced, for smooth edges without a
font, so the output is the same on every machine).
"""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

INK = "#1b1b1b"  # the site's --fg
PAPER = "#fdfcf9"  # --bg
RED = "#a4161a"  # --accent
GRID = 64
CORNER = 12
# A heavy, slightly flared M: outer outline, clockwise, in grid units.
LETTER = [(11, 46), (11, 14), (21, 14), (32, 31), (43, 14), (53, 14), (53, 46), (45, 46),
          (45, 27.5), (35, 43), (29, 43), (19, 27.5), (19, 46)]
RULE = (11, 50, 53, 54)  # the red rule under the letter: left, top, right, bottom
PNG_SIZES = {"apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}
ICO_SIZES = [16, 32, 48]
ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "masthead" / "icons"


def svg() -> bytes:
    points = " ".join(f"{x:g},{y:g}" for x, y in LETTER)
    left, top, right, bottom = RULE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">'
        f'<rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{INK}"/>'
        f'<polygon points="{points}" fill="{PAPER}"/>'
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
        f'fill="{RED}"/></svg>\n'
    ).encode()


def raster(size: int, *, rounded: bool = True):
    """The icon as a Pillow RGBA image of `size` pixels square."""
    from PIL import Image, ImageDraw

    scale = size * 8 / GRID
    big = Image.new("RGBA", (size * 8, size * 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    box = (0, 0, size * 8 - 1, size * 8 - 1)
    if rounded:
        draw.rounded_rectangle(box, radius=CORNER * scale, fill=INK)
    else:  # iOS rounds the corners itself and shows transparency as black
        draw.rectangle(box, fill=INK)
    draw.polygon([(x * scale, y * scale) for x, y in LETTER], fill=PAPER)
    left, top, right, bottom = RULE
    draw.rectangle((left * scale, top * scale, right * scale, bottom * scale), fill=RED)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def manifest() -> bytes:
    """A web app manifest naming the icons (relative URLs: beside it in static/)."""
    return (json.dumps({
        "icons": [
            {"src": "icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "favicon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
        "theme_color": INK,
        "background_color": PAPER,
        "display": "browser",
    }, indent=2) + "\n").encode()


def render() -> dict[str, bytes]:
    """Every icon file by name."""
    files = {"favicon.svg": svg(), "site.webmanifest": manifest()}
    for name, size in PNG_SIZES.items():
        files[name] = _png(raster(size, rounded=name != "apple-touch-icon.png"))
    ico = io.BytesIO()
    raster(max(ICO_SIZES)).save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    files["favicon.ico"] = ico.getvalue()
    return files


@functools.cache
def favicon_ico() -> bytes:
    """The committed favicon.ico (a file of the release: read once per process)."""
    return (ICON_DIR / "favicon.ico").read_bytes()


if __name__ == "__main__":
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    for name, data in render().items():
        (ICON_DIR / name).write_bytes(data)
        print(f"{ICON_DIR / name}: {len(data):,} bytes")
