"""Uploaded images keep no metadata but their colour profile (issue 15, item 5).

An outside attack found a JPEG comment segment (`COM`) surviving in the stored file. Each
crafted file here hides a marker in one metadata container — JPEG COM, XMP (APP1), IPTC
(Photoshop APP13), EXIF; PNG tEXt/zTXt/iTXt and eXIf chunks; a GIF comment extension;
WebP EXIF and XMP chunks — and every output file (the stored main file and every rendition)
is then read structurally: only the segments and chunks an image needs may be there, the
marker nowhere, and the ICC colour profile exactly as uploaded.
"""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from masthead.media.processing import process

from .conftest import image_bytes

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}
MARK = b"MARKER-where-the-photo-was-taken-51.5N"

# JPEG: SOI, APP0 (JFIF), APP2 (ICC_PROFILE), DQT, SOF0/1/2, DHT, DRI, SOS; EOI is not walked.
JPEG_ALLOWED = {0xD8, 0xE0, 0xE2, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA}
PNG_ALLOWED = {b"IHDR", b"PLTE", b"tRNS", b"iCCP", b"IDAT", b"IEND"}
WEBP_ALLOWED = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP"}


def jpeg_markers(data: bytes) -> list[int]:
    assert data[:2] == b"\xff\xd8"
    markers, pos = [0xD8], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"not a marker at {pos}"
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows until EOI
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker == 0xE0:
            assert data[pos + 4:pos + 9] == b"JFIF\0"
        if marker == 0xE2:
            assert data[pos + 4:pos + 16] == b"ICC_PROFILE\0"
        pos += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        chunks.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return chunks


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos < len(data):
        fourcc, (length,) = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])
        chunks.append(fourcc)
        pos += 8 + length + (length & 1)
    return chunks


def assert_clean(result):
    outputs = [result.main, *result.renditions]
    for out in outputs:
        assert MARK not in out.data, f"marker survived in a .{out.extension}"
        if out.extension == "jpg":
            assert set(jpeg_markers(out.data)) <= JPEG_ALLOWED, jpeg_markers(out.data)
        elif out.extension == "png":
            assert set(png_chunks(out.data)) <= PNG_ALLOWED, png_chunks(out.data)
        else:
            assert set(webp_chunks(out.data)) <= WEBP_ALLOWED, webp_chunks(out.data)
    return outputs


def with_jpeg_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    """`data` with one more segment right after SOI, as cameras and editors write them."""
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload \
        + data[2:]


def iptc_app13(text: bytes) -> bytes:
    """A Photoshop image resource block holding IPTC-IIM record 2:120 (caption)."""
    iim = b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text
    if len(iim) % 2:
        iim += b"\0"
    return b"Photoshop 3.0\0" + b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" \
        + struct.pack(">I", len(iim)) + iim


def xmp_packet() -> bytes:
    return (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + MARK
            + b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>")


def exif_bytes() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = MARK.decode()  # Artist
    exif[0x0112] = 1
    return exif.tobytes()


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


JPEG = image_bytes("JPEG", size=(900, 600))
CRAFTED = {
    "jpeg comment (COM)": lambda: image_bytes("JPEG", size=(900, 600), comment=MARK),
    "wide jpeg comment (resized)": lambda: image_bytes("JPEG", size=(3000, 1000), comment=MARK),
    "jpeg comment spliced in": lambda: with_jpeg_segment(JPEG, 0xFE, MARK),
    "jpeg XMP (APP1)": lambda: with_jpeg_segment(
        JPEG, 0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet()),
    "jpeg IPTC (APP13)": lambda: with_jpeg_segment(JPEG, 0xED, iptc_app13(MARK)),
    "jpeg EXIF (APP1)": lambda: image_bytes("JPEG", size=(900, 600), exif=exif_bytes()),
    "jpeg unknown APP15": lambda: with_jpeg_segment(JPEG, 0xEF, MARK),
    "png text chunks": lambda: image_bytes("PNG", size=(900, 600), pnginfo=_png_text()),
    "png eXIf chunk": lambda: image_bytes("PNG", size=(900, 600), exif=exif_bytes()),
    "transparent png text": lambda: image_bytes("PNG", size=(900, 600), mode="RGBA",
                                                color=(0, 0, 0, 0), pnginfo=_png_text()),
    "gif comment": lambda: image_bytes("GIF", size=(900, 600), comment=MARK),
    "webp exif and xmp": lambda: image_bytes("WEBP", size=(900, 600), exif=exif_bytes(),
                                             xmp=xmp_packet()),
}


def _png_text() -> PngInfo:
    info = PngInfo()
    info.add_text("Comment", MARK.decode())
    info.add_text("Author", MARK.decode(), zip=True)  # zTXt
    info.add_itxt("Description", MARK.decode(), lang="en", tkey="Description")
    info.add_itxt("XML:com.adobe.xmp", xmp_packet().decode())
    return info


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_metadata_leaves_no_trace_in_any_stored_file(name):
    data = CRAFTED[name]()
    assert MARK in data  # the crafted file really carries it
    assert_clean(process(data, **LIMITS))


def test_the_colour_profile_is_kept_in_every_output():
    profile = srgb_profile()
    data = with_jpeg_segment(image_bytes("JPEG", size=(900, 600), icc_profile=profile),
                             0xFE, MARK)
    for out in assert_clean(process(data, **LIMITS)):
        assert Image.open(io.BytesIO(out.data)).info.get("icc_profile") == profile


def test_orientation_is_applied_and_then_dropped_with_the_rest_of_exif():
    exif = Image.Exif()
    exif[0x0112] = 8  # rotate 90° counter-clockwise to display
    exif[0x013B] = MARK.decode()
    data = image_bytes("JPEG", size=(600, 400), exif=exif.tobytes(), comment=MARK)
    result = process(data, **LIMITS)
    for out in assert_clean(result):
        image = Image.open(io.BytesIO(out.data))
        assert image.width < image.height  # stood upright
        assert dict(image.getexif()) == {}


def test_bytes_after_the_end_of_the_image_are_dropped():
    assert_clean(process(JPEG + MARK * 20, **LIMITS))
