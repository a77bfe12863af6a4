"""Checkpoints: round trips, bit-exact resume, atomic writes, and one
CheckpointError for every way a file can be broken."""

from __future__ import annotations

import json
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minitorch.nn as nn
import minitorch.nn.checkpoint as checkpoint
import minitorch.optim as optim
import minitorch.tensor as mt
from minitorch.nn import CheckpointError
from minitorch.optim import lr_scheduler


def tiny_model():
    # backend named: the fuzz targets below are built at import, before conftest's fixture.
    return nn.Sequential(nn.Linear(3, 4, backend="python"), nn.ReLU(), nn.Dropout(0.25),
                         nn.Linear(4, 2, backend="python"))


def trained(steps=1):
    model = tiny_model()
    opt = optim.Adam(model.named_parameters(), lr=0.01, weight_decay=0.01)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    x = mt.tensor(np.linspace(-1, 1, 15).reshape(5, 3), dtype=mt.float32, backend="python")
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), [0, 1, 1, 0, 1]).backward()
        opt.step()
        sched.step()
    return model, opt, sched


def split(data: bytes) -> tuple[dict, bytes]:
    size = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + size]), data[8 + size:]


def join(header, body: bytes = b"") -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


@pytest.fixture
def saved(tmp_path):
    """A valid checkpoint of a trained tiny model, and its bytes."""
    path = tmp_path / "ckpt.safetensors"
    model, opt, sched = trained()
    nn.save(path, model=model, optimizer=opt, scheduler=sched, step=1, epoch=0)
    return path, path.read_bytes()


def load_bytes(tmp_path, data: bytes, **targets):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    return nn.load(path, **targets)


# -- round trips ----------------------------------------------------------------------
def test_round_trip_restores_everything(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    model, opt, sched = trained()
    nn.save(path, model=model, optimizer=opt, scheduler=sched, step=1, epoch=0)
    expected_rng = mt.get_rng_state()
    fresh = tiny_model()
    fresh_opt = optim.Adam(fresh.named_parameters(), lr=0.5, weight_decay=0.01)
    fresh_sched = lr_scheduler.StepLR(fresh_opt, step_size=2, gamma=0.5)
    mt.manual_seed(99)
    meta = nn.load(path, model=fresh, optimizer=fresh_opt, scheduler=fresh_sched)
    assert meta == {"step": 1, "epoch": 0}
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items(),
                                 strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert fresh_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    assert fresh_opt.state["0.weight"]["step"] == 1
    np.testing.assert_array_equal(fresh_opt.state["3.bias"]["exp_avg"].numpy(),
                                  opt.state["3.bias"]["exp_avg"].numpy())
    assert fresh_sched.last_epoch == sched.last_epoch
    assert mt.get_rng_state() == expected_rng


def test_the_file_is_standard_safetensors(saved):
    path, _ = saved
    tensors = safetensors.numpy.load_file(str(path))
    assert tensors["model/0.weight"].shape == (4, 3)
    assert tensors["optimizer/0.weight/exp_avg"].dtype == np.float32
    metadata = nn.checkpoint_metadata(path)
    assert metadata["format"] == "minitorch.checkpoint"
    assert json.loads(metadata["meta"])["step"] == 1


def test_reader_accepts_files_written_by_the_safetensors_library(tmp_path):
    arrays = {"b": np.arange(6, dtype=np.float64).reshape(2, 3), "a": np.ones(0, np.float32)}
    safetensors.numpy.save_file(arrays, str(tmp_path / "lib.safetensors"), metadata={"k": "v"})
    tensors, metadata = checkpoint.read_safetensors(tmp_path / "lib.safetensors")
    np.testing.assert_array_equal(tensors["b"], arrays["b"])
    assert tensors["a"].shape == (0,) and metadata == {"k": "v"}


def test_bit_exact_resume_with_dropout_adam_and_schedule(tmp_path):
    data = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    labels = [0, 1, 1, 0, 1, 0]

    def steps(model, opt, sched, count):
        for _ in range(count):
            opt.zero_grad()
            nn.functional.cross_entropy(model(mt.tensor(data)), labels).backward()
            opt.step()
            sched.step()

    def fresh(seed):
        mt.manual_seed(seed)
        model = tiny_model()
        opt = optim.Adam(model.named_parameters(), lr=0.05, weight_decay=0.01)
        return model, opt, lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    straight = fresh(0)
    steps(*straight, 5)
    first = fresh(0)
    steps(*first, 3)
    nn.save(tmp_path / "k.safetensors", *first, step=3)
    resumed = fresh(123)  # other init and RNG: everything must come from the file
    assert nn.load(tmp_path / "k.safetensors", *resumed)["step"] == 3
    steps(*resumed, 2)
    for (name, a), (_, b) in zip(straight[0].state_dict().items(),
                                 resumed[0].state_dict().items(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_float64_models_round_trip(tmp_path):
    model = nn.Linear(2, 2, dtype=mt.float64)
    nn.save(tmp_path / "d.safetensors", model=model)
    other = nn.Linear(2, 2, dtype=mt.float64)
    nn.load(tmp_path / "d.safetensors", model=other)
    np.testing.assert_array_equal(other.weight.numpy(), model.weight.numpy())


# -- atomic writes -------------------------------------------------------------------------
def test_a_crash_mid_save_leaves_the_previous_checkpoint(saved, monkeypatch):
    path, before = saved

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(path, model=tiny_model(), step=2)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["ckpt.safetensors"]


def test_save_refuses_non_json_meta(tmp_path):
    with pytest.raises(TypeError, match="meta is not JSON-serializable"):
        nn.save(tmp_path / "x.safetensors", model=tiny_model(), note=object())
    assert not list(tmp_path.iterdir())


# -- one CheckpointError per malformation --------------------------------------------
def mutate_header(data: bytes, change) -> bytes:
    header, body = split(data)
    change(header)
    return join(header, body)


def first_tensor(header):
    return next(v for k, v in header.items() if k != "__metadata__")


def overlap_biases(header):
    """Point 0.bias (16 bytes) at the bytes where 3.bias starts."""
    start = header["model/3.bias"]["data_offsets"][0]
    header["model/0.bias"]["data_offsets"] = [start, start + 16]


MALFORMED = {
    "empty file": lambda d: b"",
    "short length field": lambda d: d[:5],
    "oversized header": lambda d: struct.pack("<Q", 200 * 1024 * 1024) + d[8:],
    "header past end": lambda d: struct.pack("<Q", len(d)) + d[8:],
    "not json": lambda d: join(b"{not json" + b" " * 10, b""),
    "not utf-8": lambda d: join(b"\xff\xfe{}", b""),
    "header is a list": lambda d: join([1, 2]),
    "metadata not strings": lambda d: mutate_header(
        d, lambda h: h["__metadata__"].update(meta=3)),
    "entry not an object": lambda d: mutate_header(d, lambda h: h.update({"model/0.bias": 7})),
    "entry missing fields": lambda d: mutate_header(
        d, lambda h: h["model/0.bias"].pop("shape")),
    "unknown dtype": lambda d: mutate_header(d, lambda h: h["model/0.bias"].update(dtype="F16")),
    "negative shape": lambda d: mutate_header(d, lambda h: h["model/0.bias"].update(shape=[-4])),
    "offsets not a pair": lambda d: mutate_header(
        d, lambda h: h["model/0.bias"].update(data_offsets=[0])),
    "offsets out of range": lambda d: mutate_header(
        d, lambda h: h["model/0.bias"].update(data_offsets=[10**12, 10**12 + 16])),
    "length does not match shape": lambda d: mutate_header(
        d, lambda h: h["model/0.bias"].update(shape=[5])),
    "overlapping tensors": lambda d: mutate_header(d, overlap_biases),
    "trailing bytes": lambda d: d + b"\0" * 4,
    "truncated data": lambda d: d[:-3],
    "not a minitorch checkpoint": lambda d: mutate_header(
        d, lambda h: h["__metadata__"].update(format="other")),
    "newer format version": lambda d: mutate_header(
        d, lambda h: h["__metadata__"].update(format_version="2")),
    "meta not json": lambda d: mutate_header(d, lambda h: h["__metadata__"].update(meta="{")),
    "optimizer json wrong shape": lambda d: mutate_header(
        d, lambda h: h["__metadata__"].update(optimizer="[]")),
    "bad rng state": lambda d: mutate_header(
        d, lambda h: h["__metadata__"].update(rng='{"bit_generator": "MT19937"}')),
    "bad scheduler state": lambda d: mutate_header(
        d, lambda h: h["__metadata__"].update(scheduler='{"type": "StepLR"}')),
}

MESSAGES = {
    "empty file": "truncated: 0 bytes",
    "oversized header": "over the 104857600 byte limit",
    "header past end": "truncated: the header should be",
    "not json": "not valid UTF-8 JSON",
    "header is a list": "JSON list, expected an object",
    "metadata not strings": "__metadata__ must be",
    "entry not an object": "'model/0.bias': entry is a JSON int",
    "unknown dtype": "unsupported dtype 'F16'",
    "negative shape": "not a list of non-negative ints",
    "offsets out of range": "out of range",
    "length does not match shape": r"shape \(5,\) of F32 needs 20 bytes",
    "overlapping tensors": "overlap",
    "trailing bytes": "4 trailing bytes",
    "not a minitorch checkpoint": "not a minitorch checkpoint",
    "meta not json": "metadata 'meta' is not valid JSON",
    "bad rng state": "invalid RNG state",
    "bad scheduler state": "scheduler state",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_each_malformation_is_one_checkpoint_error(case, saved, tmp_path):
    _, data = saved
    model, opt, sched = trained()
    with pytest.raises(CheckpointError) as err:
        load_bytes(tmp_path, MALFORMED[case](data), model=model, optimizer=opt, scheduler=sched)
    assert str(err.value).startswith(str(tmp_path / "bad.safetensors") + ": ")
    if case in MESSAGES:
        assert err.match(MESSAGES[case])


def test_model_mismatches_are_listed_together_and_nothing_changes(saved):
    path, _ = saved
    other = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Dropout(0.25), nn.Linear(5, 2),
                          nn.Linear(2, 2))
    before = other[0].weight.numpy()
    with pytest.raises(CheckpointError) as err:
        nn.load(path, model=other)
    message = str(err.value)
    assert "'0.weight': checkpoint shape (4, 3), model shape (5, 3)" in message
    assert "'3.weight': checkpoint shape (2, 4), model shape (2, 5)" in message
    assert "missing key '4.weight'" in message
    np.testing.assert_array_equal(other[0].weight.numpy(), before)


def test_dtype_mismatch_with_the_model(saved):
    path, _ = saved
    with pytest.raises(CheckpointError, match="checkpoint dtype F32, model dtype F64"):
        nn.load(path, model=tiny_model().to(mt.float64))


def test_optimizer_mismatch_names_parameter_and_shapes(saved, tmp_path):
    path, data = saved
    header, body = split(data)
    header["__metadata__"]["optimizer"] = header["__metadata__"]["optimizer"].replace(
        '"0.weight"', '"renamed"')
    model, opt, _ = trained()
    with pytest.raises(CheckpointError, match="optimizer state does not fit Adam") as err:
        load_bytes(tmp_path, join(header, body), model=model, optimizer=opt)
    assert "'renamed'" in str(err.value)
    sgd = optim.SGD(model.named_parameters(), lr=0.1)
    with pytest.raises(CheckpointError, match="options differ"):
        nn.load(path, optimizer=sgd)


def test_missing_sections_and_missing_file(tmp_path):
    nn.save(tmp_path / "m.safetensors", model=tiny_model())
    model, opt, sched = trained()
    with pytest.raises(CheckpointError, match="has no optimizer state"):
        nn.load(tmp_path / "m.safetensors", optimizer=opt)
    with pytest.raises(CheckpointError, match="has no scheduler state"):
        nn.load(tmp_path / "m.safetensors", scheduler=sched)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nothing.safetensors", model=model)
    with pytest.raises(CheckpointError, match="cannot read"):
        nn.load(tmp_path, model=model)  # a folder


# -- fuzzing --------------------------------------------------------------------------
_MODEL, _OPT, _SCHED = trained()
with tempfile.TemporaryDirectory() as _folder:
    nn.save(Path(_folder) / "c.safetensors", model=_MODEL, optimizer=_OPT, scheduler=_SCHED)
    VALID = (Path(_folder) / "c.safetensors").read_bytes()
HEADER_END = 8 + struct.unpack("<Q", VALID[:8])[0]


def only_checkpoint_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.safetensors"
        path.write_bytes(data)
        try:
            nn.load(path, model=_MODEL, optimizer=_OPT, scheduler=_SCHED, restore_rng=False)
        except CheckpointError:
            pass


FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_checkpoint_errors(data):
    only_checkpoint_errors(data)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, HEADER_END + 64), st.integers(0, 255)), max_size=6),
       st.integers(0, len(VALID)))
def test_mutated_checkpoints_raise_only_checkpoint_errors(edits, cut):
    data = bytearray(VALID)
    for position, value in edits:
        data[position] = value
    only_checkpoint_errors(bytes(data[:cut] if cut % 3 == 0 else data))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8,
)


@FUZZ
@given(st.sampled_from(sorted(json.loads(VALID[8:HEADER_END]))), st.text(max_size=12), JSON)
def test_fuzzed_header_fields_raise_only_checkpoint_errors(entry, field, value):
    header, body = split(VALID)
    target = header[entry]
    if isinstance(target, dict) and target:
        key = field if field and field[0] == "x" else sorted(target)[len(field) % len(target)]
        target[key] = value if entry != "__metadata__" else json.dumps(value)
    else:
        header[entry] = value
    only_checkpoint_errors(join(header, body))


def test_the_unmutated_fuzz_seed_loads(tmp_path):
    (tmp_path / "seed.safetensors").write_bytes(VALID)
    nn.load(tmp_path / "seed.safetensors", model=_MODEL, optimizer=_OPT, scheduler=_SCHED)


def test_zero_dim_parameters_round_trip(tmp_path: Path) -> None:
    class Scaled(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(mt.tensor(2.5))

    nn.save(tmp_path / "s.safetensors", model=Scaled())
    fresh = Scaled()
    with mt.no_grad():
        fresh.scale.fill_(0.0)
    nn.load(tmp_path / "s.safetensors", model=fresh)
    assert fresh.scale.shape == () and fresh.scale.item() == 2.5
