"""A `SpamModel` as bytes for the database, and back — without pickle.

Layout: `MAGIC`, a 4-byte big-endian header length, a JSON header, then a NumPy `.npz` archive of
the arrays (read with `allow_pickle=False`, so loading can never run code). The header carries:
- `format` — this layout; `features` — `FEATURES_VERSION`, bumped whenever text cleaning or
  hand features change meaning, so an old model fails cleanly instead of scoring nonsense;
- `probe` — the hash buckets of a fixed text, rechecked on load in case a scikit-learn upgrade
  ever changed `HashingVectorizer`'s hashing;
- `sha256` of the archive, thresholds, training info.
Any mismatch or damage raises `SpamModelError`; the caller falls back to the rules filter.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct

import numpy as np
import sklearn

from .base import SpamModelError, Thresholds
from .features import (
    CHAR_HASHER,
    HAND_FEATURES,
    HASH_BITS,
    WORD_HASHER,
    HandScaler,
    TfidfBlock,
)

MAGIC = b"MASTHEAD-SPAM-MODEL\n"
FORMAT = 1
FEATURES_VERSION = 1
_PROBE_TEXT = "Check out my channel: zzlink zzhostexamplecom ¡Suscríbete! 订阅"
_MAX_HEADER = 64 * 1024
_ARRAYS = (
    "words_columns",
    "words_idf",
    "chars_columns",
    "chars_idf",
    "hand_mean",
    "hand_scale",
    "coef_words",
    "coef_chars",
    "coef_hand",
)


def _probe() -> list[list[int]]:
    return [
        sorted(int(i) for i in hasher.transform([_PROBE_TEXT]).indices)
        for hasher in (WORD_HASHER, CHAR_HASHER)
    ]


def dump(model) -> bytes:
    arrays = {
        "words_columns": model.words.columns,
        "words_idf": model.words.idf,
        "chars_columns": model.chars.columns,
        "chars_idf": model.chars.idf,
        "hand_mean": model.hand.mean,
        "hand_scale": model.hand.scale,
        "coef_words": model.coef_words,
        "coef_chars": model.coef_chars,
        "coef_hand": model.coef_hand,
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    payload = buffer.getvalue()
    header = json.dumps(
        {
            "format": FORMAT,
            "features": FEATURES_VERSION,
            "hand_features": list(HAND_FEATURES),
            "probe": _probe(),
            "sklearn": sklearn.__version__,
            "intercept": model.intercept,
            "thresholds": {"spam": model.thresholds.spam, "hold": model.thresholds.hold},
            "info": model.info,
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
    ).encode("utf-8")
    return MAGIC + struct.pack(">I", len(header)) + header + payload


def _header(data: bytes) -> tuple[dict, bytes]:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SpamModelError(f"a stored spam model must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise SpamModelError("not a Masthead spam model")
    (size,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if size > _MAX_HEADER or start + size > len(data):
        raise SpamModelError("spam model header is damaged")
    try:
        header = json.loads(data[start : start + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SpamModelError("spam model header is damaged") from None
    if not isinstance(header, dict):
        raise SpamModelError("spam model header is damaged")
    return header, data[start + size :]


def load(data: bytes):
    from .model import SpamModel

    header, payload = _header(data)
    if header.get("format") != FORMAT or header.get("features") != FEATURES_VERSION:
        raise SpamModelError(
            f"spam model was written by another filter version (format {header.get('format')}, "
            f"features {header.get('features')}; this is {FORMAT}/{FEATURES_VERSION}): retrain it"
        )
    if header.get("hand_features") != list(HAND_FEATURES) or header.get("probe") != _probe():
        raise SpamModelError("spam model features do not match this installation: retrain it")
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise SpamModelError("spam model data is damaged (checksum mismatch)")
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            a = {name: npz[name] for name in _ARRAYS}
        limits = header["thresholds"]
        thresholds = Thresholds(spam=float(limits["spam"]), hold=float(limits["hold"]))
        intercept = float(header["intercept"])
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise SpamModelError(f"spam model data is damaged ({exc})") from None
    n_hand = len(HAND_FEATURES)
    shapes_ok = (
        a["words_columns"].shape == a["words_idf"].shape == a["coef_words"].shape
        and a["chars_columns"].shape == a["chars_idf"].shape == a["coef_chars"].shape
        and a["hand_mean"].shape == a["hand_scale"].shape == a["coef_hand"].shape == (n_hand,)
    )
    columns_ok = all(
        a[k].dtype.kind == "i" and (a[k].size == 0 or 0 <= a[k].min() <= a[k].max() < 2**HASH_BITS)
        for k in ("words_columns", "chars_columns")
    )
    finite = all(
        a[k].dtype.kind == "f" and np.all(np.isfinite(a[k]))
        for k in _ARRAYS
        if not k.endswith("_columns")
    )
    if not (shapes_ok and columns_ok and finite):
        raise SpamModelError("spam model arrays are inconsistent")
    return SpamModel(
        words=TfidfBlock(a["words_columns"], a["words_idf"]),
        chars=TfidfBlock(a["chars_columns"], a["chars_idf"]),
        hand=HandScaler(a["hand_mean"], a["hand_scale"]),
        coef_words=a["coef_words"],
        coef_chars=a["coef_chars"],
        coef_hand=a["coef_hand"],
        intercept=intercept,
        thresholds=thresholds,
        info=dict(header.get("info") or {}),
    )
