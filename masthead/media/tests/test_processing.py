"""Image checks and re-encoding (issue 5, point 5), on bytes only: no storage, no database."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from masthead.media.processing import ImageRejected, process

from .conftest import image_bytes

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}


def _open(encoded) -> Image.Image:
    return Image.open(io.BytesIO(encoded.data))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_allowed_format_is_accepted_and_re_encoded(fmt):
    result = process(image_bytes(fmt), **LIMITS)
    assert result.source_format == fmt
    assert _open(result.main).format == "JPEG"
    assert all(_open(r).format == "WEBP" for r in result.renditions)


def test_renditions_cover_standard_widths_and_the_stored_width():
    result = process(image_bytes(size=(2000, 1000)), **LIMITS)
    assert [r.width for r in result.renditions] == [480, 800, 1200, 1600, 2000]
    assert [r.height for r in result.renditions] == [240, 400, 600, 800, 1000]


def test_small_image_gets_a_single_rendition_at_its_own_width():
    result = process(image_bytes(size=(300, 200)), **LIMITS)
    assert [(r.width, r.height) for r in result.renditions] == [(300, 200)]


def test_very_wide_image_is_stored_at_most_2400_wide():
    result = process(image_bytes(size=(3000, 1000)), **LIMITS)
    assert (result.main.width, result.main.height) == (2400, 800)


def test_transparent_png_stays_transparent():
    result = process(image_bytes("PNG", mode="RGBA", color=(255, 0, 0, 0)), **LIMITS)
    main = _open(result.main)
    assert main.format == "PNG" and main.mode == "RGBA"
    assert main.getpixel((0, 0))[3] == 0


def test_exif_is_stripped_and_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS position
    data = image_bytes("JPEG", size=(600, 400), exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif()[0x010F] == "SpyCam Inc."
    result = process(data, **LIMITS)
    main = _open(result.main)
    assert (main.width, main.height) == (400, 600)  # stood upright
    assert dict(main.getexif()) == {}
    assert b"SpyCam" not in result.main.data
    assert all(b"SpyCam" not in r.data for r in result.renditions)


def test_animated_gif_keeps_its_first_frame():
    frames = [Image.new("RGB", (100, 100), c) for c in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    main = _open(process(out.getvalue(), **LIMITS).main).convert("RGB")
    red, green, _ = main.getpixel((50, 50))
    assert red > 200 and green < 50


def test_text_renamed_as_an_image_is_rejected():
    with pytest.raises(ImageRejected, match="not a JPEG, PNG, WebP or GIF"):
        process(b"GIF89a? no, just text pretending", **LIMITS)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_formats_pillow_reads_but_we_do_not_accept_are_rejected(fmt):
    with pytest.raises(ImageRejected, match="not accepted"):
        process(image_bytes(fmt, size=(64, 64)), **LIMITS)


def test_svg_is_rejected():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ImageRejected):
        process(svg, **LIMITS)


def test_truncated_image_is_rejected():
    data = image_bytes("JPEG", size=(800, 600))
    with pytest.raises(ImageRejected):
        process(data[: len(data) // 2], **LIMITS)


def test_file_over_the_byte_limit_is_rejected_before_decoding():
    with pytest.raises(ImageRejected, match="the limit is 1 MB"):
        process(b"\xff" * (1024 * 1024 + 1), max_bytes=1024 * 1024, max_pixels=10**6)


def test_decompression_bomb_is_rejected_from_its_header():
    # 8,000 × 8,000 of one colour compresses to a few kilobytes as PNG but would take 192 MB
    # as RGB pixels; it is refused from the header, before any pixel is decoded.
    bomb = image_bytes("PNG", size=(8_000, 8_000), mode="1", color=0)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ImageRejected, match="8000×8000 pixels; the limit is 40 million"):
        process(bomb, **LIMITS)


def test_empty_file_is_rejected():
    with pytest.raises(ImageRejected, match="empty"):
        process(b"", **LIMITS)
