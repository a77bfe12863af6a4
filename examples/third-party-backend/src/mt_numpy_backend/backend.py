"""The "numpy" backend: every minitorch kernel as a few vectorized numpy calls.

Storage is the `Backend` default, a flat 1-D numpy array, so only kernels are
written here. Each kernel does the same three steps:

1. `load` each operand: view the flat storage through its shape and strides
   (in elements) with `as_strided`, and copy it out as float64;
2. compute on whole arrays with ufuncs (or `np.matmul`);
3. `store` the result through a strided view of `out`, rounding once to the
   storage's dtype.

Computing in float64 and rounding once on store is what the reference backend
does (it reads every element with `float(...)`), so the two agree to the last
bit except where libm and numpy's own exp/log/tanh differ by an ulp. Copying
on load also makes a kernel safe when `out` shares memory with an operand.

The ufuncs are picked so that the edge cases match `minitorch.tensor.ops`
exactly: division by zero gives ±inf or nan, `relu(nan) = nan` (as PyTorch;
`relu_back` at nan is 0), `sign(nan) = 0`, `max` lets NaN win, `argmax`
returns the first maximum as a float. `where` is a selection (`np.where`),
so the value not taken, inf or nan, never reaches `out` and -0.0 keeps its
sign.

The op names are mt-tensor's, not this file's: `minitorch.tensor.ops` holds
the vocabulary, and the tables here are built from it and checked against it
at import (`_vocabulary`), so a misspelt name fails loudly instead of being
an op nobody can call, and an unknown name gets `ops.unknown_op`'s error.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minitorch.tensor import Backend, ops
from minitorch.tensor.backend import Shape, Storage, Strides

Array = np.ndarray


# -- reading and writing strided operands ---------------------------------------
def strided(storage: Array, shape: Shape, strides: Strides) -> Array:
    """A view of the flat `storage` with `shape` and `strides` (in elements, not bytes).

    `as_strided` trusts its arguments: a wrong stride silently reads, or for
    `out` writes, memory the storage does not own. So the farthest element the
    view reaches is checked against the storage's length first.
    """
    if len(shape) != len(strides):
        raise ValueError(f"shape {shape} and strides {strides} differ in length")
    if any(s < 0 for s in strides):
        raise ValueError(f"negative strides are not part of the contract, got {strides}")
    if all(n > 0 for n in shape):
        last = sum((n - 1) * s for n, s in zip(shape, strides, strict=True))
        if last >= storage.size:
            raise ValueError(
                f"shape {shape} with strides {strides} reaches element {last} "
                f"of a storage holding {storage.size}"
            )
    item = storage.itemsize
    return as_strided(storage, shape=tuple(shape), strides=tuple(s * item for s in strides))


def load(storage: Array, shape: Shape, strides: Strides) -> Array:
    """A fresh float64 array with the operand's values (broadcast dims repeat)."""
    return np.array(strided(storage, shape, strides), dtype=np.float64)


def store(storage: Array, shape: Shape, strides: Strides, values: Array) -> None:
    """Write `values` through a strided view of `storage`, leaving other elements alone."""
    strided(storage, shape, strides)[...] = values


# -- the named ops, on float64 arrays ---------------------------------------------
def _sigmoid(x: Array) -> Array:
    # ops.py's stable form: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below;
    # in both branches the exponential is e^-|x|, which cannot overflow.
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _sign(x: Array) -> Array:
    # np.sign(nan) is nan; ops.py says 0.
    return np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0))


def _pow(a: Array, b: Array) -> Array:
    """a ** b with IEEE semantics, as ops._pow: nan for a negative base to a
    fractional power; 0 to a negative power is inf (-inf for -0 to an odd one)."""
    result = np.power(a, b)
    # numpy says nan for -inf to a positive fractional power; IEEE (and ops.py) +inf.
    return np.where(np.isneginf(a) & (b > 0) & (b != np.floor(b)), np.inf, result)


def _flag(mask: Array) -> Array:
    return mask.astype(np.float64)


_MAP: dict[str, Callable[[Array], Array]] = {
    "id": lambda x: x,
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,  # log(0) = -inf, log(x < 0) = nan, as ops._log
    "relu": lambda x: np.where((x > 0) | np.isnan(x), x, 0.0),  # nan stays nan, as ops.relu
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "inv": lambda x: np.divide(1.0, x),
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": _sign,
}

_ZIP: dict[str, Callable[[Array, Array], Array]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,  # IEEE division is exactly ops._div: ±inf, or nan for 0/0
    "pow": _pow,
    "max": lambda a, b: np.where((a >= b) | np.isnan(a), a, b),
    "lt": lambda a, b: _flag(a < b),
    "gt": lambda a, b: _flag(a > b),
    "eq": lambda a, b: _flag(a == b),
    "is_close": lambda a, b: _flag(np.abs(a - b) < 1e-2),
    "relu_back": lambda x, g: np.where(x > 0, g, 0.0),  # 0 at nan, unlike relu
    "log_back": lambda x, g: np.divide(g, x),
    "inv_back": lambda x, g: np.divide(-g, x * x),
    "sigmoid_back": lambda s, g: g * s * (1.0 - s),
    "tanh_back": lambda t, g: g * (1.0 - t * t),
}


def first_argmax(x: Array, dim: int) -> Array:
    """Index of the first maximum along `dim` (kept as size 1); a NaN counts as the
    maximum, so the first NaN wins, as in the reference's loop."""
    return np.argmax(x, axis=dim, keepdims=True)


def max_along(x: Array, dim: int) -> Array:
    """The maximum along `dim`, read at `first_argmax`: NaN propagates, and of two
    equal zeros the first one's sign is kept, exactly as the reference loop does."""
    return np.take_along_axis(x, first_argmax(x, dim), axis=dim)


def _sum(x: Array, dim: int) -> Array:
    # initial=0.0 as the reference's `acc = 0.0`: a sum of -0.0 is +0.0.
    return np.sum(x, axis=dim, keepdims=True, initial=0.0)


_REDUCE: dict[str, Callable[[Array, int], Array]] = {
    "sum": _sum,
    "max": max_along,
    "argmax": lambda x, dim: first_argmax(x, dim).astype(np.float64),
}


def _vocabulary(kind: str, impls: dict[str, Callable], names) -> dict[str, Callable]:
    """`impls` in the order of `names`, the op names ops.py defines for `kind`.

    A name of ours that ops.py lacks is a typo or a removed op: refused at
    import, so the registry reports this plugin as broken rather than it
    silently never being called. A name of ops.py we lack (an op added to
    mt-tensor after this backend was written) stays out of the table and is
    reported when called (`_kernel`).
    """
    unknown = sorted(set(impls) - set(names))
    if unknown:
        raise ImportError(f"mt_numpy_backend {kind}: ops not in minitorch.tensor.ops: "
                          f"{', '.join(unknown)}")
    return {name: impls[name] for name in names if name in impls}


MAP_OPS = _vocabulary("map", _MAP, ops.MAP_OPS)
ZIP_OPS = _vocabulary("zip", _ZIP, ops.ZIP_OPS)
REDUCE_OPS = _vocabulary("reduce", _REDUCE, ops.REDUCE_OPS)


def _kernel(kind: str, op: str, table: dict[str, Callable], names) -> Callable:
    """This backend's function for the `kind` op named `op`; `names` is ops.py's table."""
    fn = table.get(op)
    if fn is not None:
        return fn
    if op in names:
        raise NotImplementedError(f"backend 'numpy' does not implement the {kind} op {op!r}")
    raise ops.unknown_op(kind, op, names)


def _contiguous(storage: Array, shape: Shape) -> Array:
    size = int(np.prod(shape))
    return np.array(storage[:size], dtype=np.float64).reshape(shape)


# -- the backend ---------------------------------------------------------------------
class NumpyBackend(Backend):
    """Vectorized numpy kernels; storage is the default flat numpy array.

    Implements the five required kernels and the optional `softmax` and
    `log_softmax`; convolution and pooling use mt-tensor's composed fallbacks.
    """

    name = "numpy"
    priority = 10  # above the reference ("python", 0), below numba (50)

    def __init__(self) -> None:
        try:
            self.version = metadata.version("minitorch-numpy-backend")
        except metadata.PackageNotFoundError:
            self.version = "0+unknown"

    # -- required kernels ------------------------------------------------------
    @np.errstate(all="ignore")
    def map(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides) -> None:
        """out[idx] = op(a[idx]) for every index of `shape`."""
        fn = _kernel("map", op, MAP_OPS, ops.MAP_OPS)
        store(out, shape, out_strides, fn(load(a, shape, a_strides)))

    @np.errstate(all="ignore")
    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        """out[idx] = op(a[idx], b[idx]); a broadcast operand has stride 0."""
        fn = _kernel("zip", op, ZIP_OPS, ops.ZIP_OPS)
        store(out, shape, out_strides, fn(load(a, shape, a_strides), load(b, shape, b_strides)))

    @np.errstate(all="ignore")
    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        """sum / max / argmax of `a` along `dim` into `out` (that dim has size 1)."""
        fn = _kernel("reduce", op, REDUCE_OPS, ops.REDUCE_OPS)
        store(out, out_shape, out_strides, fn(load(a, a_shape, a_strides), dim))

    def where(self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
              cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage,
              b_strides: Strides) -> None:
        """out[idx] = a[idx] if cond[idx] != 0 else b[idx] (a nan condition is true).

        `np.where` selects, it does not compute: the value not taken never
        reaches `out`, and float64 holds every float32 exactly, so the chosen
        element is stored as it was, -0.0 and all.
        """
        pick = load(cond, shape, cond_strides) != 0
        store(out, shape, out_strides,
              np.where(pick, load(a, shape, a_strides), load(b, shape, b_strides)))

    @np.errstate(all="ignore")
    def matmul(self, out: Storage, out_strides: Strides, a: Storage, a_strides: Strides,
               b: Storage, b_strides: Strides, shape: tuple[int, int, int, int]) -> None:
        """(batch, n, k) @ (batch, k, m) -> (batch, n, m); a batch stride may be 0."""
        batch, n, k, m = shape
        product = np.matmul(load(a, (batch, n, k), a_strides), load(b, (batch, k, m), b_strides))
        store(out, (batch, n, m), out_strides, product)

    # -- optional kernels (contiguous operands) -----------------------------------
    @np.errstate(all="ignore")
    def softmax(self, out: Storage, x: Storage, shape: Shape, dim: int) -> None:
        """exp(x - max) / sum(exp(x - max)) along `dim`."""
        e = np.exp(self._shifted(x, shape, dim))
        out[: e.size] = (e / np.sum(e, axis=dim, keepdims=True)).reshape(-1)

    @np.errstate(all="ignore")
    def log_softmax(self, out: Storage, x: Storage, shape: Shape, dim: int) -> None:
        """(x - max) - log(sum(exp(x - max))) along `dim`."""
        s = self._shifted(x, shape, dim)
        result = s - np.log(np.sum(np.exp(s), axis=dim, keepdims=True))
        out[: s.size] = result.reshape(-1)

    @staticmethod
    def _shifted(x: Storage, shape: Shape, dim: int) -> Array:
        # Subtracting the max makes the largest entry 0, so exp cannot overflow.
        values = _contiguous(x, shape)
        return values - max_along(values, dim)
