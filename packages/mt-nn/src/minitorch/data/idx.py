"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension,
then the data in C order, big-endian::

    0x00 0x00 <type code> <ndim>  <dim 0> ... <dim ndim-1>  <data>

The files are usually distributed gzipped; :func:`read_idx` looks at the
first two bytes (``1f 8b``) to decide, never at the file name.

Example::

    write_idx("labels-idx1-ubyte.gz", np.arange(10, dtype=np.uint8))
    read_idx("labels-idx1-ubyte.gz")  # array([0, 1, ..., 9], dtype=uint8)
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDXError", "IDX_TYPE_CODES", "encode_idx", "parse_idx", "read_idx", "write_idx"]

GZIP_MAGIC = b"\x1f\x8b"

# Type code -> big-endian dtype stored in the file (the IDX spec's table).
IDX_TYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_TYPE_NAMES = {
    0x08: "ubyte",
    0x09: "byte",
    0x0B: "short",
    0x0C: "int",
    0x0D: "float",
    0x0E: "double",
}


class IDXError(ValueError):
    """A file is not a valid IDX file; the message names the file and the problem.

    Attributes:
        path: the file as it was given.
        problem: what is wrong with it, without the file name.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def _supported_codes() -> str:
    return ", ".join(f"0x{code:02x} ({name})" for code, name in _TYPE_NAMES.items())


def _format_shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _read_maybe_gzipped(path: str | os.PathLike[str]) -> bytes:
    """Return the uncompressed bytes of ``path``, gunzipping if it starts with ``1f 8b``.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        IDXError: if the file looks gzipped but cannot be decompressed.
    """
    raw = Path(path).read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise IDXError(
            path, f"starts like a gzip file (1f 8b) but cannot be decompressed: {err}"
        ) from err


def parse_idx(data: bytes, path: str | os.PathLike[str] = "<bytes>") -> np.ndarray:
    """Decode uncompressed IDX ``data``; ``path`` only names the source in errors.

    Returns:
        A writable array in native byte order with the header's shape.

    Raises:
        IDXError: bad magic number, unknown type code, or a data length that
            disagrees with the header.
    """
    if len(data) < 4:
        raise IDXError(path, f"only {len(data)} bytes long; an IDX header needs at least 4")
    if data[0] != 0 or data[1] != 0:
        raise IDXError(
            path,
            f"magic number starts with 0x{data[0]:02x} 0x{data[1]:02x}, expected 0x00 0x00; "
            "this is not an IDX file",
        )
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_TYPE_CODES:
        raise IDXError(
            path, f"unknown IDX type code 0x{type_code:02x}; supported: {_supported_codes()}"
        )
    if ndim == 0:
        raise IDXError(path, "header says 0 dimensions; an IDX file needs at least 1")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXError(
            path,
            f"header declares {ndim} dimensions ({header_size} header bytes) "
            f"but the file has only {len(data)} bytes",
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_TYPE_CODES[type_code]
    expected = math.prod(shape) * dtype.itemsize
    actual = len(data) - header_size
    if actual != expected:
        hint = "truncated?" if actual < expected else "trailing bytes?"
        raise IDXError(
            path,
            f"header says {_format_shape(shape)} {_TYPE_NAMES[type_code]} = {expected} bytes "
            f"of data but the file has {actual} ({hint})",
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header_size)
    # astype copies: the result is writable, owns its memory and is native-endian.
    return array.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file, gzipped or raw (decided by the magic bytes, not the name).

    Args:
        path: the file to read.

    Returns:
        A writable, native-endian array whose dtype follows the type code
        (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
        0x0E float64) and whose shape is the header's.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        IDXError: if the file is not a well-formed IDX file; the message
            names the file and what is wrong, e.g. ``"t10k-labels-idx1-ubyte:
            header says 10000 ubyte = 10000 bytes of data but the file has
            9000 (truncated?)"``.
    """
    return parse_idx(_read_maybe_gzipped(path), path)


def _type_code_for(dtype: np.dtype) -> int:
    for code, idx_dtype in IDX_TYPE_CODES.items():
        if dtype.kind == idx_dtype.kind and dtype.itemsize == idx_dtype.itemsize:
            return code
    supported = ", ".join(str(d.newbyteorder("=")) for d in IDX_TYPE_CODES.values())
    raise TypeError(
        f"IDX has no type code for {dtype}; supported dtypes: {supported} "
        "(convert first, e.g. array.astype(np.int32))"
    )


def encode_idx(array: np.ndarray) -> bytes:
    """Return the uncompressed IDX bytes (header and big-endian data) of ``array``.

    Raises:
        TypeError: if the dtype has no IDX type code (e.g. int64, bool).
        ValueError: if ``array`` is 0-dimensional, has more than 255
            dimensions, or a dimension that does not fit in a uint32.
    """
    array = np.asarray(array)
    code = _type_code_for(array.dtype)
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, got a {array.ndim}-D array")
    if any(d >= 2**32 for d in array.shape):
        raise ValueError(f"IDX dimensions must be below 2**32, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    body = np.ascontiguousarray(array, dtype=IDX_TYPE_CODES[code]).tobytes()
    return header + body


def write_idx(path: str | os.PathLike[str], array: np.ndarray, compress: bool = True) -> None:
    """Write ``array`` to ``path`` as an IDX file, gzipped when ``compress`` is true.

    The gzip header carries no time stamp and no file name, so the same array
    always gives the same bytes (the embedded MNIST files rely on this).

    Args:
        path: the file to write (replaced if it exists).
        array: uint8, int8, int16, int32, float32 or float64 data, 1-D or more.
        compress: gzip the file (the usual ``.gz`` distribution form).

    Raises:
        TypeError: if the dtype has no IDX type code.
        ValueError: if the shape cannot be stored in an IDX header.
    """
    data = encode_idx(array)
    with open(path, "wb") as f:
        if not compress:
            f.write(data)
            return
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(data)
