"""Content negotiation and the compressed variants (core/compression.py)."""

from __future__ import annotations

import gzip

import pytest

from masthead.core import compression


@pytest.mark.parametrize("header, available, expected", [
    ("gzip, deflate, br, zstd", ("br", "gzip"), "br"),  # Chromium's header: brotli preferred
    ("gzip, deflate", ("br", "gzip"), "gzip"),
    ("br;q=0, gzip", ("br", "gzip"), "gzip"),
    ("gzip;q=0", ("gzip",), None),
    ("identity", ("br", "gzip"), None),
    ("*", ("br", "gzip"), "br"),
    ("*;q=0, gzip;q=0.5", ("br", "gzip"), "gzip"),
    ("GZIP", ("gzip",), "gzip"),
    ("gzip;q=0.2, br;q=0.8", ("gzip", "br"), "br"),  # the client's weights decide first
    ("gzip;q=nonsense", ("gzip",), None),
    ("", ("gzip",), None),
])
def test_negotiation_follows_the_clients_weights(header, available, expected):
    assert compression.negotiate(header, available) == expected


def test_variants_decompress_to_the_body_and_are_deterministic():
    body = b"<p>" + b"A paragraph of the story. " * 200 + b"</p>"
    made = compression.variants(body)
    assert gzip.decompress(made["gzip"]) == body
    assert len(made["gzip"]) < len(body) // 5
    assert compression.variants(body) == made  # no timestamp inside: the same bytes each time
    if compression.brotli is not None:
        assert compression.brotli.decompress(made["br"]) == body


def test_a_tiny_body_is_not_compressed():
    assert compression.variants(b"<p>short</p>") == {}
