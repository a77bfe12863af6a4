"""Run the op table against one backend: forward, backward and errors.

`conformance_suite("name")` returns a pytest test class. Every op runs on
four layouts of the same logical input (contiguous, permuted, offset view,
stride-0 broadcast) in every dtype it accepts (its `OpCase.dtypes`: the
floating point ones, and bool / int32 / int64 where PyTorch takes them);
gradients are checked against float64 central differences computed on the
backend itself.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest

import minitorch.tensor as mt

from .check import assert_close, numerical_grad
from .optable import ERRORS, NAN_INPUT, NAN_OPS, NAN_OTHER, OPS, WRITES, ErrorCase, OpCase, WriteCase

LAYOUTS = ("contiguous", "permuted", "offset", "expanded")

# Gradient tolerances (rtol, atol): float64 against central differences;
# float32 autodiff against the float64 reference.
GRAD_TOLERANCES = {"float64": (1e-5, 1e-6), "float32": (1e-3, 1e-4)}


ALL_DTYPES = ("bool", "int32", "int64", "float32", "float64")


def _sample(op: OpCase, case: int, seed: int, dtype: str = "float64") -> list[np.ndarray]:
    """Inputs for one case: floats for float dtypes, small integers for integer
    dtypes, random bits for bool (all held as float64 or bool numpy arrays)."""
    rng = np.random.default_rng(seed)
    shapes = op.shapes[case]
    if dtype == "bool":
        return [rng.random(s) > 0.5 for s in shapes]
    if dtype in ("int32", "int64"):
        if op.distinct:
            total = sum(int(np.prod(s)) for s in shapes)
            whole = rng.permutation(total) - total // 2
            ints: list[np.ndarray] = []
            start = 0
            for s in shapes:
                n = int(np.prod(s))
                ints.append(whole[start:start + n].reshape(s).astype(np.float64))
                start += n
            return ints
        low = 1 if op.domain == "positive" else -6
        xs = [rng.integers(low, 7, size=s).astype(np.float64) for s in shapes]
        if op.domain == "nonzero":
            xs = [np.where(x == 0, 3.0, x) for x in xs]
        return xs
    if op.distinct:
        # Values on a 0.37 grid, shuffled: no two inputs tie, so max and
        # maximum have one well-defined gradient.
        total = sum(int(np.prod(s)) for s in shapes)
        pool = (rng.permutation(total) - total / 2) * 0.37 + 0.05
        out, start = [], 0
        for s in shapes:
            n = int(np.prod(s))
            out.append(pool[start:start + n].reshape(s))
            start += n
        return out
    xs = [rng.standard_normal(s) for s in shapes]
    if op.domain == "positive":
        xs = [np.abs(x) + 0.5 for x in xs]
    elif op.domain == "nonzero":
        xs = [np.where(x >= 0, 1.0, -1.0) * (np.abs(x) + 0.5) for x in xs]
    return [np.asarray(x, dtype=np.float64) for x in xs]


def _expanded_source(x: np.ndarray) -> tuple[np.ndarray, int] | None:
    for d, size in enumerate(x.shape):
        if size > 1:
            return np.take(x, [0], axis=d), d
    return None


def logical_input(x: np.ndarray, layout: str) -> np.ndarray:
    """The values an input holds under `layout` (broadcast layouts repeat a slice)."""
    if layout == "expanded":
        found = _expanded_source(x)
        if found is not None:
            return np.broadcast_to(found[0], x.shape).copy()
    return x


def make_input(x: np.ndarray, layout: str, dtype: str, backend: str,
               requires_grad: bool = False) -> mt.Tensor:
    """A leaf tensor with the values of `x` laid out as `layout` says."""
    def make(a: np.ndarray) -> mt.Tensor:
        return mt.tensor(a, dtype=dtype, backend=backend)

    if x.ndim == 0 or layout == "contiguous":
        t = make(x)
    elif layout == "permuted":
        if x.ndim == 1:
            big = np.zeros(2 * x.shape[0])
            big[::2] = x
            t = make(big)[::2]
        else:
            order = tuple(reversed(range(x.ndim)))
            t = make(np.ascontiguousarray(x.transpose(order))).permute(*order)
    elif layout == "offset":
        big = np.zeros((x.shape[0] + 1,) + x.shape[1:])
        big[1:] = x
        t = make(big)[1:]
    elif layout == "expanded":
        found = _expanded_source(x)
        t = make(x) if found is None else make(found[0]).expand(*x.shape)
    else:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    return t.detach().requires_grad_(requires_grad)


_numeric_cache: dict[tuple, list[np.ndarray]] = {}


def _numeric_grads(op: OpCase, case: int, layout: str, backend: str,
                   xs: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    key = (op.name, case, layout, backend)
    rng = np.random.default_rng(1)
    inputs = [make_input(x, "contiguous", "float64", backend) for x in xs]
    out_shape = op.fn(*inputs).shape
    out_grad = rng.standard_normal(out_shape)
    if key not in _numeric_cache:
        _numeric_cache[key] = [numerical_grad(op.fn, inputs, i, out_grad) for i in range(len(xs))]
    return _numeric_cache[key], out_grad


def _case_ids(ops: Iterable[OpCase]) -> list[tuple[OpCase, int]]:
    return [(op, i) for op in ops for i in range(len(op.shapes))]


def _typed_cases(cases: list[tuple[OpCase, int]], dtypes: tuple[str, ...]
                 ) -> list[tuple[OpCase, int, str]]:
    return [(op, i, d) for op, i in cases for d in dtypes if d in op.dtypes]


def conformance_suite(backend: str, ops: Iterable[str] | None = None,
                      skip: Iterable[str] = (), layouts: Iterable[str] = LAYOUTS,
                      dtypes: Iterable[str] = ALL_DTYPES,
                      tolerances: dict[str, tuple[float, float]] | None = None) -> type:
    """A pytest class that runs the op table against `backend`.

    Args:
        ops / skip: restrict the table by op name (e.g. a slow simulator).
        dtypes: the dtypes to try (each op runs in those of them it accepts).
        tolerances: per-dtype (rtol, atol) overriding the kit's defaults for
            forward checks; a backend that needs this says why where it calls.
    """
    wanted = set(ops) if ops is not None else None
    table = [op for op in OPS if (wanted is None or op.name in wanted) and op.name not in set(skip)]
    cases = _case_ids(table)
    layouts, dtypes = tuple(layouts), tuple(dtypes)
    tol = tolerances or {}
    grad_cases = [(op, i) for op, i in cases if op.grad]
    grad_ids = [f"{op.name}-{i}" for op, i in grad_cases]
    typed = _typed_cases(cases, dtypes)
    typed_ids = [f"{op.name}-{i}-{d}" for op, i, d in typed]
    float_dtypes = tuple(d for d in dtypes if d.startswith("float"))

    class ConformanceSuite:
        backend_name = backend

        @pytest.fixture(autouse=True)
        def _backend_available(self):
            try:
                mt.get_backend(backend)
            except mt.BackendError as exc:
                pytest.skip(str(exc))

        @pytest.mark.conformance
        @pytest.mark.parametrize("layout", layouts)
        @pytest.mark.parametrize("op,case,dtype", typed, ids=typed_ids)
        def test_forward(self, op: OpCase, case: int, layout: str, dtype: str) -> None:
            if layout == "expanded" and op.distinct:
                pytest.skip("broadcast layouts repeat values; this op needs distinct inputs")
            xs = [logical_input(x, layout) for x in _sample(op, case, case, dtype)]
            inputs = [make_input(x, layout, dtype, backend) for x in xs]
            with np.errstate(divide="ignore", invalid="ignore"):
                expected = np.asarray(op.ref(*[x.astype(dtype) for x in xs]))
            if expected.dtype.kind == "f" and dtype.startswith("float"):
                expected = expected.astype(dtype)
            rtol, atol = tol.get(dtype, (None, None))
            assert_close(op.fn(*inputs), expected, rtol=rtol, atol=atol,
                         what=f"{op.name} forward on {backend}, {layout}, {dtype}")

        @pytest.mark.conformance
        @pytest.mark.parametrize("dtype", float_dtypes)
        @pytest.mark.parametrize("layout", layouts)
        @pytest.mark.parametrize("op,case", grad_cases, ids=grad_ids)
        def test_backward(self, op: OpCase, case: int, layout: str, dtype: str) -> None:
            if layout == "expanded" and op.distinct:
                pytest.skip("broadcast layouts repeat values; this op needs distinct inputs")
            xs = [logical_input(x, layout) for x in _sample(op, case, seed=case)]
            numeric, out_grad = _numeric_grads(op, case, layout, backend, xs)
            inputs = [make_input(x, layout, dtype, backend, requires_grad=True) for x in xs]
            out = op.fn(*inputs)
            out.backward(mt.tensor(out_grad, dtype=out.dtype, backend=backend))
            rtol, atol = GRAD_TOLERANCES[dtype]
            for i, (t, expected) in enumerate(zip(inputs, numeric)):
                if t.grad is None:
                    raise AssertionError(f"{op.name}: input {i} received no gradient")
                assert_close(t.grad, expected.astype(dtype), rtol=rtol, atol=atol,
                             what=f"{op.name} gradient of input {i} on {backend}, {layout}, {dtype}")

        @pytest.mark.conformance
        @pytest.mark.parametrize("err", ERRORS, ids=[e.name for e in ERRORS])
        def test_error(self, err: ErrorCase) -> None:
            inputs = [mt.ones(*s, backend=backend) for s in err.shapes]
            with pytest.raises(err.error, match=err.match or None):
                err.fn(*inputs)

        @pytest.mark.conformance
        @pytest.mark.parametrize("dtype", float_dtypes)
        @pytest.mark.parametrize("layout", [la for la in layouts if la != "expanded"])
        @pytest.mark.parametrize("case", WRITES, ids=[c.name for c in WRITES])
        def test_write(self, case: WriteCase, layout: str, dtype: str) -> None:
            rng = np.random.default_rng(7)
            x0 = rng.standard_normal(case.shapes[0]).astype(dtype)
            y0 = rng.standard_normal(case.shapes[1]).astype(dtype)
            x = make_input(x0.astype(np.float64), layout, dtype, backend)
            y = mt.tensor(y0, dtype=dtype, backend=backend)
            before = x._version
            case.fn(x, y)
            expected = x0.copy()
            case.ref(expected, y0.copy())
            rtol, atol = tol.get(dtype, (None, None))
            assert_close(x, expected, rtol=rtol, atol=atol,
                         what=f"{case.name} written into a {layout} tensor on {backend}, {dtype}")
            assert x._version > before, f"{case.name}: an in-place write must bump the version"

        @pytest.mark.conformance
        @pytest.mark.parametrize("dtype", float_dtypes)
        @pytest.mark.parametrize("name,fn,ref", NAN_OPS, ids=[n for n, _, _ in NAN_OPS])
        def test_nan_propagates(self, name: str, fn, ref, dtype: str) -> None:
            a = mt.tensor(NAN_INPUT, dtype=dtype, backend=backend)
            b = mt.tensor(NAN_OTHER, dtype=dtype, backend=backend)
            with np.errstate(invalid="ignore", over="ignore"):
                expected = np.asarray(ref(NAN_INPUT.astype(dtype), NAN_OTHER.astype(dtype)))
            if expected.dtype.kind == "f":
                expected = expected.astype(dtype)
            rtol, atol = tol.get(dtype, (None, None))
            assert_close(fn(a, b), expected, rtol=rtol, atol=atol,
                         what=f"{name} of inputs holding nan and inf on {backend}, {dtype}")

        def test_listed(self) -> None:
            names = [row["name"] for row in mt.list_backends()]
            if backend not in names:
                raise AssertionError(f"backend {backend!r} is not listed; listed: {names}")

    ConformanceSuite.__name__ = f"Conformance_{backend}"
    return ConformanceSuite
