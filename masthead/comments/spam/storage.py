"""A `SpamModel` as bytes for the database, and back — without pickle.

Layout: `MAGIC`, a 4-byte big-endian header length, a JSON header, then a NumPy `.npz` archive of
the arrays (read with `allow_pickle=False`, so loading can never run code). The header carries:
- `format` — this layout; `features` — `FEATURES_VERSION`, bumped whenever text cleaning or
  hand features change meaning, so an old model fails cleanly instead of scoring nonsense;
- `probe` — the hash buckets of a fixed text as scikit-learn's `HashingVectorizer` put them
  when the model was trained, rechecked on load against the pure-Python hashing that scores
  (`hashing.py`): a scikit-learn upgrade that changed its hashing would make training and
  scoring disagree, and such a model must not score;
- `sha256` of the archive, thresholds, training info.
Any mismatch or damage raises `SpamModelError`; the caller falls back to the rules filter.

Loading is on the comment form's path and imports neither NumPy nor scikit-learn (`npz.py`
reads the archive); writing follows training, so `dump` uses both.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct

from .base import SpamModelError, Thresholds
from .cues import HAND_FEATURES
from .hashing import CHAR, HASH_BITS, WORD
from .npz import NpzError, read_arrays
from .scoring import SpamModel, Standardiser, TfidfColumns

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
    """The probe's buckets as the scorer hashes them."""
    return [sorted(hasher.counts(_PROBE_TEXT)) for hasher in (WORD, CHAR)]


def _trained_probe() -> list[list[int]]:
    """The probe's buckets as training (scikit-learn) hashes them."""
    from .features import CHAR_HASHER, WORD_HASHER

    return [
        sorted(int(i) for i in hasher.transform([_PROBE_TEXT]).indices)
        for hasher in (WORD_HASHER, CHAR_HASHER)
    ]


def dump_model(model: SpamModel) -> bytes:
    # Writing follows training, where NumPy and scikit-learn are loaded already.
    import numpy as np
    import sklearn

    # Fixed dtypes whatever the model holds (NumPy arrays when trained, `array`s when loaded).
    arrays = {
        "words_columns": np.asarray(model.words.columns, dtype=np.int64),
        "words_idf": np.asarray(model.words.idf, dtype=np.float64),
        "chars_columns": np.asarray(model.chars.columns, dtype=np.int64),
        "chars_idf": np.asarray(model.chars.idf, dtype=np.float64),
        "hand_mean": np.asarray(model.hand.mean, dtype=np.float64),
        "hand_scale": np.asarray(model.hand.scale, dtype=np.float64),
        "coef_words": np.asarray(model.coef_words, dtype=np.float64),
        "coef_chars": np.asarray(model.coef_chars, dtype=np.float64),
        "coef_hand": np.asarray(model.coef_hand, dtype=np.float64),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    payload = buffer.getvalue()
    header = json.dumps(
        {
            "format": FORMAT,
            "features": FEATURES_VERSION,
            "hand_features": list(HAND_FEATURES),
            "probe": _trained_probe(),
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


def _strictly_increasing(values) -> bool:
    return all(a < b for a, b in zip(values, values[1:]))


def load_model(data: bytes) -> SpamModel:
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
        a = read_arrays(payload, _ARRAYS)
        limits = header["thresholds"]
        thresholds = Thresholds(spam=float(limits["spam"]), hold=float(limits["hold"]))
        intercept = float(header["intercept"])
    except (NpzError, KeyError, TypeError, ValueError) as exc:
        raise SpamModelError(f"spam model data is damaged ({exc})") from None
    n_hand = len(HAND_FEATURES)
    shapes_ok = (
        len(a["words_columns"]) == len(a["words_idf"]) == len(a["coef_words"])
        and len(a["chars_columns"]) == len(a["chars_idf"]) == len(a["coef_chars"])
        and len(a["hand_mean"]) == len(a["hand_scale"]) == len(a["coef_hand"]) == n_hand
    )
    # Scoring finds buckets by binary search, so columns must be sorted, as training writes them.
    columns_ok = all(
        a[k].typecode == "q"
        and (len(a[k]) == 0 or 0 <= a[k][0] and a[k][-1] < 2**HASH_BITS)
        and _strictly_increasing(a[k])
        for k in ("words_columns", "chars_columns")
    )
    finite = all(
        a[k].typecode == "d" and all(map(math.isfinite, a[k]))
        for k in _ARRAYS
        if not k.endswith("_columns")
    )
    if not (shapes_ok and columns_ok and finite):
        raise SpamModelError("spam model arrays are inconsistent")
    return SpamModel(
        words=TfidfColumns(a["words_columns"], a["words_idf"]),
        chars=TfidfColumns(a["chars_columns"], a["chars_idf"]),
        hand=Standardiser(a["hand_mean"], a["hand_scale"]),
        coef_words=a["coef_words"],
        coef_chars=a["coef_chars"],
        coef_hand=a["coef_hand"],
        intercept=intercept,
        thresholds=thresholds,
        info=dict(header.get("info") or {}),
    )
