"""Pillow work on uploaded images: check, decode safely, re-encode, make renditions.

Pure functions on bytes, no storage and no database, so every rule here is testable alone:

- The content decides, never the name or the browser's content type: Pillow must recognise
  the bytes as JPEG, PNG, WebP or GIF and `verify()` them.
- Size is checked twice: bytes before decoding, pixels from the header before decoding the
  pixel data, so a small "decompression bomb" file never gets expanded in memory.
- Everything is re-encoded from pixels, copied into a new image whose metadata is empty:
  Pillow carries a source's metadata along (`info`) and writes some of it back out unasked
  (a JPEG or GIF comment became a JPEG `COM` segment; issue 15), so nothing of the upload but
  its pixels and its ICC colour profile reaches the encoder. EXIF (GPS position, camera serial
  numbers), XMP, IPTC, PNG text chunks, comments and anything appended after the image data
  are dropped; the EXIF orientation is applied to the pixels first so the picture still
  stands the right way up. `tests/test_metadata.py` checks each container with crafted files.
- Renditions are WebP at fixed widths for `srcset`, plus one at the stored width, because with
  `w` descriptors browsers ignore `src` and would otherwise never fetch the full size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
DEFAULT_WIDTHS = (480, 800, 1200, 1600)
# The stored "original" is capped: nobody needs a 6000-pixel-wide camera file on a news page.
MAX_STORED_WIDTH = 2400
JPEG_QUALITY = 85
WEBP_QUALITY = 80


class ImageRejected(Exception):
    """The upload is not an image Masthead accepts; the message is for the person uploading."""


@dataclass
class Encoded:
    """One output file: its bytes, pixel width and file extension."""

    data: bytes
    width: int
    height: int
    extension: str


@dataclass
class Processed:
    main: Encoded
    renditions: list[Encoded] = field(default_factory=list)
    source_format: str = ""


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def check_and_open(data: bytes, *, max_bytes: int, max_pixels: int) -> tuple[Image.Image, str]:
    """Decode `data` if it is an acceptable image, else raise ImageRejected."""
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The file is {_megabytes(len(data))}; the limit is {_megabytes(max_bytes)}."
        )
    if not data:
        raise ImageRejected("The file is empty.")
    unreadable = "The file is not a JPEG, PNG, WebP or GIF image (its content was checked)."
    try:
        with Image.open(io.BytesIO(data)) as probe:
            source_format = probe.format or ""
            width, height = probe.size
            if source_format not in ALLOWED_FORMATS:
                raise ImageRejected(
                    f"{source_format or 'This'} images are not accepted; "
                    "use JPEG, PNG, WebP or GIF."
                )
            if width * height > max_pixels:
                raise ImageRejected(
                    f"The image is {width}×{height} pixels; the limit is "
                    f"{max_pixels / 1_000_000:g} million pixels."
                )
            probe.verify()
        # verify() leaves the image unusable, so decode again from the start.
        image = Image.open(io.BytesIO(data))
        image.seek(0)  # first frame of an animated GIF/WebP
        image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError, EOFError):
        raise ImageRejected(unreadable) from None
    return image, source_format


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _normalise(image: Image.Image) -> tuple[Image.Image, bytes | None]:
    """Upright pixels in RGB(A), with the colour profile kept only where it still applies."""
    icc = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    alpha = _has_alpha(image)
    upright = ImageOps.exif_transpose(image) or image
    upright = upright.convert("RGBA" if alpha else "RGB")
    return upright, icc


def _pixels_only(image: Image.Image) -> Image.Image:
    """The same pixels in a new image with no metadata at all. convert(), exif_transpose()
    and resize() carry `info` (comments, XMP, EXIF...) along, and encoders write some of it
    out by default, so stripping named keys would miss the next one Pillow learns to write."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _resize(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> Encoded:
    out = io.BytesIO()
    options: dict = {}
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    elif fmt == "PNG":
        options.update(optimize=True)
        extension = "png"
    else:
        options.update(quality=WEBP_QUALITY, method=4)
        extension = "webp"
    # No `exif=` argument: nothing from the source's metadata is written out.
    image.save(out, fmt, **options)
    return Encoded(out.getvalue(), image.width, image.height, extension)


def process(data: bytes, *, max_bytes: int, max_pixels: int,
            widths: tuple[int, ...] = DEFAULT_WIDTHS) -> Processed:
    """Check and re-encode an upload: a capped main file plus WebP renditions for `srcset`."""
    source, source_format = check_and_open(data, max_bytes=max_bytes, max_pixels=max_pixels)
    try:
        pixels, icc = _normalise(source)
    finally:
        source.close()
    # After the size cap, so the copy costs at most one stored-size image of memory.
    stored = _pixels_only(_resize(pixels, MAX_STORED_WIDTH))
    # Photographs as JPEG (what every feed reader and social card understands); images with
    # transparency as PNG so the transparency survives.
    main = _encode(stored, "PNG" if stored.mode == "RGBA" else "JPEG", icc)
    sizes = sorted({w for w in widths if w < stored.width} | {stored.width})
    renditions = [_encode(_resize(stored, w), "WEBP", icc) for w in sizes]
    return Processed(main=main, renditions=renditions, source_format=source_format)
