"""Reading the one-dimensional arrays of a NumPy `.npz` archive without NumPy.

A stored spam model's arrays are written by `numpy.savez_compressed` (`storage.dump_model`, on the
training side). The comment form only has to read them back, and importing NumPy for that alone
would cost a scoring worker ~20 MB (docs/spam.md, "Scoring without scikit-learn"). The format is
small and documented (numpy.lib.format, "NPY format versions 1.0-3.0"): a zip archive of
`NAME.npy` members, each a magic string, a version, a header that is a Python dict literal
(`descr`, `fortran_order`, `shape`), then the raw values. Only what the model uses is accepted:
1-D arrays of 4- or 8-byte integers or floats, either byte order; anything else is refused, as
is anything that is not data (no pickle, like `numpy.load(allow_pickle=False)`).
"""

from __future__ import annotations

import ast
import io
import sys
import zipfile
import zlib
from array import array

_MAGIC = b"\x93NUMPY"
_MAX_HEADER = 4096
# NPY type string (without byte order) -> (array typecode as read, typecode returned)
_TYPES = {"i4": ("i", "q"), "i8": ("q", "q"), "f4": ("f", "d"), "f8": ("d", "d")}


class NpzError(ValueError):
    """An archive or array this reader does not accept."""


def _parse_npy(data: bytes) -> array:
    if not data.startswith(_MAGIC) or len(data) < 10:
        raise NpzError("not an .npy array")
    major = data[6]
    if major == 1:
        size, start = int.from_bytes(data[8:10], "little"), 10
    elif major in (2, 3):
        size, start = int.from_bytes(data[8:12], "little"), 12
    else:
        raise NpzError(f".npy format version {major} is unknown")
    if size > _MAX_HEADER:
        raise NpzError(".npy header is too long")
    encoding = "utf-8" if major == 3 else "latin1"  # as the NPY versions define
    try:
        header = ast.literal_eval(data[start : start + size].decode(encoding))
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError):
        raise NpzError(".npy header is damaged") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise NpzError(".npy header is damaged")
    descr, shape = header["descr"], header["shape"]
    if not (isinstance(shape, tuple) and len(shape) == 1 and isinstance(shape[0], int)):
        raise NpzError(f"expected a 1-D array, got shape {shape!r}")
    if not (isinstance(descr, str) and len(descr) == 3 and descr[0] in "<>=|"):
        raise NpzError(f"array type {descr!r} is not accepted")
    if descr[1:] not in _TYPES:
        raise NpzError(f"array type {descr!r} is not accepted")
    read_as, returned = _TYPES[descr[1:]]
    values = array(read_as)
    body = data[start + size :]
    if len(body) != shape[0] * values.itemsize:
        raise NpzError("array data is truncated or too long")
    values.frombytes(body)
    big = descr[0] == ">" or (descr[0] == "=" and sys.byteorder == "big")
    if big != (sys.byteorder == "big"):
        values.byteswap()
    return values if read_as == returned else array(returned, values)


def read_arrays(payload: bytes, names: tuple[str, ...]) -> dict[str, array]:
    """The named 1-D arrays of an .npz archive: integers as 'q' arrays, floats as 'd' arrays."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            return {name: _parse_npy(archive.read(f"{name}.npy")) for name in names}
    except NpzError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, ValueError) as exc:
        raise NpzError(f"not a readable .npz archive ({exc})") from None
