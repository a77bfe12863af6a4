"""torch.save / torch.load over safetensors: round trips of state_dicts and nested
objects, interoperability with safetensors and PyTorch, and the refusals."""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
from collections import OrderedDict

import numpy as np
import pytest
import safetensors.numpy

import minitorch.nn as nn
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.nn import CheckpointError
from minitorch.nn.serialization import load, save


def tiny_model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def header_of(data: bytes) -> dict:
    size = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + size])


def assert_same(actual, expected, where="obj"):
    """Equal values of exactly the same types, tensors by dtype, shape and values."""
    assert type(actual) is type(expected), f"{where}: {type(actual)} != {type(expected)}"
    if isinstance(expected, mt.Tensor):
        assert actual.dtype is expected.dtype and actual.shape == expected.shape, where
        assert actual.requires_grad == expected.requires_grad, where
        np.testing.assert_array_equal(actual.numpy(), expected.numpy(), err_msg=where)
    elif isinstance(expected, dict):
        assert list(actual) == list(expected), where
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), where
    else:
        assert actual == expected, where


def round_trip(obj, **load_args):
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    return load(buffer, **load_args)


# -- state_dicts ------------------------------------------------------------------------
def test_a_state_dict_round_trips_and_loads_into_a_fresh_model(tmp_path):
    model, fresh = tiny_model(), tiny_model()
    path = tmp_path / "model.safetensors"
    save(model.state_dict(), path)
    loaded = load(path)
    assert_same(loaded, model.state_dict())  # an OrderedDict, in the model's key order
    fresh.load_state_dict(loaded)
    x = mt.randn(2, 3)
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())


def test_a_flat_dict_is_a_plain_safetensors_file_keyed_by_the_dict_keys(tmp_path):
    # Key order is not alphabetical (nor what the safetensors writer sorts by):
    # the saved metadata keeps it.
    state = {"z.weight": mt.randn(2, 2), "a.bias": mt.arange(3, dtype=mt.int32),
             "m.mask": mt.tensor([True, False])}
    path = tmp_path / "flat.safetensors"
    save(state, path)
    assert list(load(path)) == ["z.weight", "a.bias", "m.mask"]
    arrays = safetensors.numpy.load_file(path)
    assert sorted(arrays) == sorted(state)
    for key, t in state.items():
        assert arrays[key].dtype == t.numpy().dtype
        np.testing.assert_array_equal(arrays[key], t.numpy())
    assert header_of(path.read_bytes())["__metadata__"]["format"] == "pt"


def test_views_and_transposed_tensors_save_their_values():
    base = mt.arange(12.0).reshape(3, 4)
    state = {"t": base.transpose(0, 1), "row": base[1], "cols": base[:, 1:3]}
    loaded = round_trip(state)
    for key, t in state.items():
        assert loaded[key].shape == t.shape
        np.testing.assert_array_equal(loaded[key].numpy(), t.numpy())


def test_a_foreign_safetensors_file_loads_as_a_dict_in_header_order(tmp_path):
    path = tmp_path / "foreign.safetensors"
    arrays = {"b": np.ones((2,), np.float64), "a": np.arange(3, dtype=np.int64)}
    safetensors.numpy.save_file(arrays, path)
    loaded = load(path)
    header = [k for k in header_of(path.read_bytes()) if k != "__metadata__"]
    assert type(loaded) is dict and list(loaded) == header
    assert loaded["b"].dtype is mt.float64 and loaded["a"].dtype is mt.int64
    np.testing.assert_array_equal(loaded["a"].numpy(), [0, 1, 2])


def test_a_key_named_like_the_metadata_slot_still_round_trips():
    state = {"__metadata__": mt.ones(2), "w": mt.zeros(1)}
    assert_same(round_trip(state), state)


# -- PyTorch interoperability -----------------------------------------------------------
def test_a_torch_state_dict_saved_by_safetensors_loads_into_the_same_minitorch_model(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    path = tmp_path / "torch.safetensors"
    save_file(reference.state_dict(), path)
    model = tiny_model()
    model.load_state_dict(load(path))
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    expected = reference(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(mt.tensor(x)).numpy(), expected, rtol=1e-6, atol=1e-6)


def test_a_minitorch_state_dict_loads_into_the_same_torch_model(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    model = tiny_model()
    path = tmp_path / "minitorch.safetensors"
    save(model.state_dict(), path)
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    reference.load_state_dict(load_file(path))
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    expected = reference(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model(mt.tensor(x)).numpy(), expected, rtol=1e-6, atol=1e-6)


def test_plain_python_structures_come_back_as_torch_load_returns_them(tmp_path):
    torch = pytest.importorskip("torch")
    obj = {"a": (1, 2.5, None), 3: [True, "x", {"k": (0,)}], "epoch": 7, -1: 0.1}
    torch.save(obj, tmp_path / "ref.pt")
    expected = torch.load(tmp_path / "ref.pt", weights_only=True)
    assert_same(round_trip(obj), expected)


# -- nested objects ---------------------------------------------------------------------
def test_a_nested_object_round_trips_with_every_dtype_and_container():
    weight = nn.Parameter(mt.randn(2, 2))
    obj = {
        "tensors": [mt.tensor([True, False]), mt.tensor([1, -2], dtype=mt.int32),
                    mt.tensor([2**40, -3]), mt.randn(2, dtype=mt.float64), mt.tensor(1.5),
                    mt.zeros(0, 3), mt.randn(3, requires_grad=True)],
        "numbers": (0, -7, 2**70, 0.1, -0.0, math.inf, -math.inf, math.nan, True, False, None),
        7: {"nested": [[], (), {}, ("s", "")]},
        "ordered": OrderedDict([("b", 1), ("a", 2)]),
        "weight": weight,
    }
    loaded = round_trip(obj)
    assert_same(loaded, obj)
    assert isinstance(loaded["weight"], nn.Parameter) and loaded["weight"].requires_grad
    assert math.copysign(1.0, loaded["numbers"][4]) == -1.0


def test_numpy_scalars_save_as_python_numbers():
    loaded = round_trip({"lr": np.float32(0.5), "step": np.int64(3), "flag": np.bool_(True)})
    assert_same(loaded, {"lr": 0.5, "step": 3, "flag": True})


def test_a_tensor_reached_twice_is_stored_twice_and_loads_as_two_tensors():
    t = mt.ones(2)
    a, b = round_trip([t, t])
    assert a is not b
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("make", [
    lambda params: optim.Adam(params, lr=0.05, weight_decay=0.01),
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True),
])
def test_an_optimizer_state_round_trip_continues_training_identically(tmp_path, make):
    x, target = mt.randn(5, 3), mt.tensor([0, 1, 1, 0, 1])

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), target).backward()
            opt.step()

    model = tiny_model()
    opt = make(model.named_parameters())
    train(model, opt, 2)
    path = tmp_path / "snapshot.safetensors"
    save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2}, path)
    snapshot = load(path)
    assert snapshot["epoch"] == 2
    resumed = tiny_model()
    resumed_opt = make(resumed.named_parameters())
    resumed.load_state_dict(snapshot["model"])
    resumed_opt.load_state_dict(snapshot["optimizer"])
    assert_same(load(path)["optimizer"]["param_groups"], opt.state_dict()["param_groups"])
    train(model, opt, 2)
    train(resumed, resumed_opt, 2)
    for (name, p), (_, q) in zip(model.named_parameters(), resumed.named_parameters(),
                                 strict=True):
        np.testing.assert_array_equal(q.numpy(), p.numpy(), err_msg=name)


# -- files, file objects, devices -------------------------------------------------------
def test_file_objects_work_both_ways(tmp_path):
    state = {"w": mt.randn(2, 3)}
    path = tmp_path / "f.safetensors"
    with open(path, "wb") as f:
        save(state, f)
    with open(path, "rb") as f:
        assert_same(load(f), state)
    with pytest.raises(TypeError, match="binary mode"), open(tmp_path / "t", "w") as f:
        save(state, f)
    with pytest.raises(TypeError, match="text mode"), open(path) as f:
        load(f)


@pytest.mark.parametrize("where", ["cpu", "python", mt.device("cpu"), "backend"])
def test_map_location_places_every_tensor(where):
    where = mt.get_backend("python") if where == "backend" else where
    loaded = round_trip({"a": [mt.ones(2)], "b": mt.zeros(1)}, map_location=where)
    assert loaded["a"][0].backend.name == "python" and loaded["b"].backend.name == "python"


@pytest.mark.needs_backend("numba")
def test_map_location_names_another_backend():
    loaded = round_trip({"a": mt.ones(2, dtype=mt.int64)}, map_location="numba")
    assert loaded["a"].backend.name == "numba" and loaded["a"].dtype is mt.int64


@pytest.mark.needs_backend("cuda")
def test_cuda_tensors_save_from_host_copies_and_load_onto_cuda():
    state = {"w": mt.randn(2, 3, backend="cuda").transpose(0, 1), "n": mt.arange(3, backend="cuda")}
    on_cpu = round_trip(state)
    on_gpu = round_trip(state, map_location="cuda")
    for key, t in state.items():
        assert on_cpu[key].backend.name == "python" and on_gpu[key].backend.name == "cuda"
        np.testing.assert_array_equal(on_cpu[key].numpy(), t.numpy())
        np.testing.assert_array_equal(on_gpu[key].numpy(), t.numpy())


def test_map_location_and_weights_only_refuse_what_they_cannot_mean():
    with pytest.raises(TypeError, match="map_location"):
        round_trip({"a": mt.ones(1)}, map_location={"cuda:0": "cpu"})
    with pytest.raises(mt.BackendError, match="nmba"):
        round_trip({"a": mt.ones(1)}, map_location="nmba")
    with pytest.raises(TypeError, match="weights_only"):
        round_trip({"a": mt.ones(1)}, weights_only="yes")
    for weights_only in (True, False, None):  # all three load the same, safely
        assert_same(round_trip({"a": mt.ones(1)}, weights_only=weights_only), {"a": mt.ones(1)})


# -- refusals ---------------------------------------------------------------------------
PICKLE_HINT = "PyTorch pickle file"


@pytest.mark.parametrize("zipfile", [True, False])
def test_a_real_torch_save_file_is_refused_with_the_conversion_recipe(tmp_path, zipfile):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path, _use_new_zipfile_serialization=zipfile)
    with pytest.raises(CheckpointError, match=PICKLE_HINT) as err:
        load(path)
    message = str(err.value)
    assert str(path) in message and "never unpickles" in message
    assert "from safetensors.torch import save_file" in message
    assert f"save_file(torch.load({str(path)!r}), {str(tmp_path / 'model.safetensors')!r})" in message


@pytest.mark.parametrize("start", [b"PK\x03\x04\x14\x00\x00\x00\x00\x00", b"\x80\x02\x8a\x0al\xfc"])
def test_synthetic_pickle_and_zip_headers_are_refused(tmp_path, start):
    path = tmp_path / "weights.pth"
    path.write_bytes(start + b"\x00" * 32)
    with pytest.raises(CheckpointError, match=PICKLE_HINT):
        load(path)
    with pytest.raises(CheckpointError, match=PICKLE_HINT):
        load(io.BytesIO(start + b"\x00" * 32))


def rewrite_metadata(data: bytes, **changes) -> bytes:
    header = header_of(data)
    header["__metadata__"].update(changes)
    size = struct.unpack("<Q", data[:8])[0]
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data[8 + size:]


def saved_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("corrupt,problem", [
    (lambda d: d[:-3], r"out of range for a data buffer of 5 bytes \(truncated file\?\)"),
    (lambda d: d[:5], "truncated"),
    (lambda d: b"hello, not a model at all", "header length"),
    (lambda d: rewrite_metadata(d, **{"minitorch.object": "{nope"}), "not valid JSON"),
    (lambda d: rewrite_metadata(d, **{"minitorch.object": '{"tensor": "9"}'}), "does not hold"),
    (lambda d: rewrite_metadata(d, **{"minitorch.object": '{"set": [1]}'}), "unknown entry"),
    (lambda d: rewrite_metadata(d, **{"minitorch.object": '{"dict": []}'}), "not in the saved"),
    (lambda d: rewrite_metadata(d, **{"minitorch.version": "2"}), "layout version"),
    (lambda d: safetensors.numpy.save({"h": np.ones(2, np.float16)}), "unsupported dtype .F16."),
    (lambda d: safetensors.numpy.save({"w": np.ones(2, np.float32)},
                                      metadata={"format": "minitorch.checkpoint"}),
     "minitorch.nn.load"),
])
def test_a_malformed_file_is_one_error_that_names_the_file(tmp_path, corrupt, problem):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(corrupt(saved_bytes({"w": mt.ones(2)})))
    with pytest.raises(CheckpointError, match=problem) as err:
        load(path)
    assert str(err.value).startswith(str(path))

def test_bool_data_must_be_zeros_and_ones(tmp_path):
    # numpy would read the byte 2 as True; the safetensors format allows only 0 and 1.
    path = tmp_path / "mask.safetensors"
    path.write_bytes(saved_bytes({"m": mt.tensor([True, False])})[:-1] + b"\x02")
    with pytest.raises(CheckpointError, match="BOOL data holds bytes other than 0 and 1"):
        load(path)



def test_a_malformed_file_object_is_named_by_its_type():
    with pytest.raises(CheckpointError, match="^<BytesIO>: truncated"):
        load(io.BytesIO(b"\x01\x00"))


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.safetensors")


@pytest.mark.parametrize("obj,message", [
    ({"model": {"fc": nn.Linear(2, 2, backend="python")}},
     "obj['model']['fc'] is a Linear; save its state_dict()"),
    ({"hook": lambda: 0}, "obj['hook'] is a function"),
    ([1, {2: np.zeros(2)}], "obj[1][2] is a numpy array"),
    ({(1, 2): mt.ones(1)}, "obj has the key (1, 2) of type tuple"),
    ({"s": {1, 2}}, "obj['s'] is a set"),
])
def test_unsupported_objects_raise_type_error_naming_where(obj, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        saved_bytes(obj)


def test_a_cycle_is_refused():
    loop: list = [mt.ones(1)]
    loop.append(loop)
    with pytest.raises(TypeError, match=r"obj\[1\] contains itself"):
        saved_bytes(loop)


def test_a_failed_save_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    save({"w": mt.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save({"w": mt.zeros(2), "bad": object()}, path)
    with pytest.raises(TypeError):
        save({"bad": object()}, tmp_path / "new.safetensors")

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        save({"w": mt.zeros(2)}, path)
    assert os.listdir(tmp_path) == ["model.safetensors"]
    assert path.read_bytes() == before


def test_an_unsupported_object_writes_nothing_to_a_file_object():
    buffer = io.BytesIO()
    with pytest.raises(TypeError):
        save([mt.ones(3), object()], buffer)
    assert buffer.getvalue() == b""
