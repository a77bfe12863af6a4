"""The IDX reader and writer, on hand-built good and bad files."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from minitorch.data.idx import IDXError, encode_idx, read_idx, write_idx


def header(type_code: int, *dims: int) -> bytes:
    return bytes([0, 0, type_code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


def write_bytes(path, data: bytes, compress: bool = False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# --- good files, built byte by byte so the reader is checked against the spec


@pytest.mark.parametrize("compress", [False, True])
def test_reads_1d_ubyte(tmp_path, compress):
    path = write_bytes(tmp_path / "labels", header(0x08, 4) + bytes([7, 0, 255, 3]), compress)
    array = read_idx(path)
    assert array.dtype == np.uint8
    np.testing.assert_array_equal(array, [7, 0, 255, 3])


@pytest.mark.parametrize("compress", [False, True])
def test_reads_3d_ubyte_in_c_order(tmp_path, compress):
    path = write_bytes(tmp_path / "images", header(0x08, 2, 2, 3) + bytes(range(12)), compress)
    array = read_idx(path)
    assert array.shape == (2, 2, 3)
    np.testing.assert_array_equal(array, np.arange(12).reshape(2, 2, 3))


@pytest.mark.parametrize(
    ("code", "fmt", "dtype"),
    [
        (0x09, ">3b", np.int8),
        (0x0B, ">3h", np.int16),
        (0x0C, ">3i", np.int32),
        (0x0D, ">3f", np.float32),
        (0x0E, ">3d", np.float64),
    ],
)
def test_reads_big_endian_types_into_native_order(tmp_path, code, fmt, dtype):
    values = (-2, 0, 100) if fmt[-1] in "bhi" else (-1.5, 0.0, 3.25)
    path = write_bytes(tmp_path / "data", header(code, 3) + struct.pack(fmt, *values), True)
    array = read_idx(path)
    assert array.dtype == np.dtype(dtype)
    assert array.dtype.isnative
    np.testing.assert_array_equal(array, values)


def test_gzip_is_detected_by_magic_bytes_not_name(tmp_path):
    data = header(0x08, 3) + bytes([1, 2, 3])
    raw_named_gz = write_bytes(tmp_path / "raw.gz", data, compress=False)
    gz_named_raw = write_bytes(tmp_path / "gz-idx1-ubyte", data, compress=True)
    np.testing.assert_array_equal(read_idx(raw_named_gz), [1, 2, 3])
    np.testing.assert_array_equal(read_idx(gz_named_raw), [1, 2, 3])


def test_result_is_writable(tmp_path):
    array = read_idx(write_bytes(tmp_path / "x", header(0x08, 2) + b"\x01\x02"))
    array[0] = 9
    assert array[0] == 9


def test_empty_dimension_reads_as_empty_array(tmp_path):
    array = read_idx(write_bytes(tmp_path / "x", header(0x08, 0, 28, 28)))
    assert array.shape == (0, 28, 28)


# --- round trips through write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (3, 4, 2)])
@pytest.mark.parametrize("compress", [False, True])
def test_write_then_read_round_trips(tmp_path, dtype, shape, compress):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal(shape) * 50).astype(dtype)
    path = tmp_path / "a.idx"
    write_idx(path, array, compress=compress)
    assert path.read_bytes().startswith(b"\x1f\x8b") == compress
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, array)


def test_write_is_byte_exact_and_reproducible(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    write_idx(tmp_path / "a", array, compress=False)
    assert (tmp_path / "a").read_bytes() == header(0x08, 2, 3) + bytes(range(6))
    write_idx(tmp_path / "b.gz", array)
    write_idx(tmp_path / "c.gz", array)
    assert (tmp_path / "b.gz").read_bytes() == (tmp_path / "c.gz").read_bytes()


def test_write_accepts_little_endian_and_non_contiguous_input(tmp_path):
    array = np.arange(12, dtype="<i4").reshape(3, 4)[:, ::2]
    write_idx(tmp_path / "a", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), array)


def test_write_rejects_dtypes_without_a_type_code(tmp_path):
    with pytest.raises(TypeError, match=r"IDX has no type code for int64.*astype"):
        write_idx(tmp_path / "a", np.arange(3, dtype=np.int64))
    with pytest.raises(TypeError, match="bool"):
        encode_idx(np.array([True, False]))


def test_write_rejects_0d_array(tmp_path):
    with pytest.raises(ValueError, match="1 to 255 dimensions, got a 0-D array"):
        write_idx(tmp_path / "a", np.uint8(3))


# --- bad files: each error names the file and the problem


def read_error(path) -> str:
    with pytest.raises(IDXError) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)
    return info.value.problem


def test_wrong_magic(tmp_path):
    path = write_bytes(tmp_path / "notes.txt", b"hello, world")
    assert "0x68 0x65, expected 0x00 0x00; this is not an IDX file" in read_error(path)


def test_unknown_type_code(tmp_path):
    path = write_bytes(tmp_path / "x", header(0x0A, 1) + b"\x00")
    problem = read_error(path)
    assert "unknown IDX type code 0x0a" in problem
    assert "0x08 (ubyte)" in problem and "0x0e (double)" in problem


def test_zero_dimensions(tmp_path):
    path = write_bytes(tmp_path / "x", header(0x08))
    assert "0 dimensions" in read_error(path)


def test_file_shorter_than_magic(tmp_path):
    assert "only 2 bytes long" in read_error(write_bytes(tmp_path / "x", b"\x00\x00"))
    assert "only 0 bytes long" in read_error(write_bytes(tmp_path / "y", b""))


def test_truncated_header(tmp_path):
    path = write_bytes(tmp_path / "x", header(0x08, 60000, 28, 28)[:10])
    assert "declares 3 dimensions (16 header bytes) but the file has only 10" in read_error(path)


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_data(tmp_path, compress):
    path = write_bytes(
        tmp_path / "train-images-idx3-ubyte.gz", header(0x08, 60000, 28, 28) + bytes(1234), compress
    )
    assert read_error(path) == (
        "header says 60000x28x28 ubyte = 47040000 bytes of data but the file has 1234 (truncated?)"
    )


def test_truncated_multibyte_data(tmp_path):
    path = write_bytes(tmp_path / "x", header(0x0D, 3) + struct.pack(">2f", 1, 2))
    assert "header says 3 float = 12 bytes of data but the file has 8" in read_error(path)


def test_extra_trailing_data(tmp_path):
    path = write_bytes(tmp_path / "x", header(0x08, 3) + bytes(5), compress=True)
    assert read_error(path) == (
        "header says 3 ubyte = 3 bytes of data but the file has 5 (trailing bytes?)"
    )


def test_corrupt_gzip(tmp_path):
    good = gzip.compress(header(0x08, 100) + bytes(100))
    path = write_bytes(tmp_path / "x.gz", good[: len(good) // 2])
    assert "starts like a gzip file (1f 8b) but cannot be decompressed" in read_error(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.gz")
