"""The "numpy" backend: every minitorch kernel as a few vectorized numpy calls.

Storage is the `Backend` default, a flat 1-D numpy array of the tensor's dtype
(bool, int32, int64, float32 or float64), so only kernels are written here.
Each elementwise kernel does the same three steps:

1. `load` each operand: view the flat storage through its shape and strides
   (in elements) with `as_strided`, and copy it out: as float64 from a
   floating point storage, in its own dtype from an integer or bool one;
2. compute on whole arrays with ufuncs (or `np.matmul`), picked from the
   table for the operands' category (`FLOAT_*`, `INT_*`, `BOOL_*`);
3. `store` the result through a strided view of `out`, converting once to
   the storage's dtype.

That is what the reference backend does: it reads every element as an exact
Python number (a float64 for floating point, an unbounded int for integers)
and converts once when it writes. So floating point results agree with it to
the last bit except where libm and numpy's own exp/log/tanh/sin/cos differ by
an ulp, and integer results are exact: int64 is never routed through
float64 (``2**60 + 1`` stays ``2**60 + 1``). What an integer overflow gives
is unspecified by the contract; here it wraps, as numpy does. Copying on load
also makes a kernel safe when `out` shares memory with an operand.

The conversions on store are the contract's casts (the `id` map): float to
integer truncates toward zero, anything to bool is ``!= 0`` (nan is true),
bool to a number is 0 or 1. An integer stored into a floating point storage
goes through float64 first, because that is what the reference does (numpy
turns the Python int it writes into a double), so an int64 beyond 2**53 cast
to float32 rounds twice, as there.

The ufuncs are picked so that the edge cases match `minitorch.tensor.ops`
exactly: division by zero gives ±inf or nan, `relu(nan) = nan` (as PyTorch;
`relu_back` at nan is 0), `sign(nan) = 0`, `max` lets NaN win, float
`floordiv` is the floor of the IEEE quotient, float `mod` has the divisor's
sign and is nan for a zero divisor; on integers `floordiv` and `mod` by zero
give 0 and `pow` to a negative power is `ops._int_pow`'s truncated quotient.
Comparisons write bool, `argmax` writes the first maximum's index as int64.
`where` is a selection (`np.where`), so the value not taken, inf or nan,
never reaches `out` and -0.0 keeps its sign.

The indexing kernels compute every element position from shape and strides
(`positions`) and then index the flat storage: `take` gathers with fancy
indexing, `put` scatters with it ("set") or with `np.add.at` ("add"), which
accumulates every value landing on one element, in index order, so the
result is deterministic; `nonzero` is `np.nonzero` of the strided view.

The op names are mt-tensor's, not this file's: `minitorch.tensor.ops` holds
the vocabulary, and the tables here are built from it and checked against it
at import (`_vocabulary`), so a misspelt name fails loudly instead of being
an op nobody can call, and an unknown name gets `ops.unknown_op`'s error.
Which table an op is in says which operand dtypes it takes; that matches
`ops.op_dtypes` (tests/test_kernels.py checks it), and an op called with a
dtype it does not take is refused with a TypeError rather than computed in
the wrong arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minitorch.tensor import Backend, ops
from minitorch.tensor.backend import Shape, Storage, Strides
from minitorch.tensor.dtype import DTYPES

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


def compute_dtype(storage: Array) -> np.dtype:
    """The dtype a kernel computes in: float64 for floating point, else the storage's own."""
    return np.dtype(np.float64) if storage.dtype.kind == "f" else storage.dtype


def load(storage: Array, shape: Shape, strides: Strides) -> Array:
    """A fresh array with the operand's values (broadcast dims repeat): float64 from a
    floating point storage, the storage's own dtype from an integer or bool one."""
    return np.array(strided(storage, shape, strides), dtype=compute_dtype(storage))


def store(storage: Array, shape: Shape, strides: Strides, values: Array) -> None:
    """Write `values` through a strided view of `storage`, leaving other elements alone.

    The conversion to the storage's dtype is numpy's cast, which is the
    contract's: truncation toward zero from float to integer, ``!= 0`` to bool.
    Integers go to a floating point storage through float64, as in the reference.
    """
    values = np.asarray(values)
    if storage.dtype.kind == "f" and values.dtype.kind in "iu":
        values = values.astype(np.float64)
    strided(storage, shape, strides)[...] = values


def positions(shape: Shape, strides: Strides) -> Array:
    """pos(idx, strides) = sum(idx[d] * strides[d]) for every idx of `shape` (int64)."""
    pos = np.zeros(tuple(shape), dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides, strict=True)):
        pos += (np.arange(n, dtype=np.int64) * s).reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


def _offset_positions(kind: str, storage: Array, shape: Shape, strides: Strides,
                      offsets: Array, offsets_strides: Strides) -> Array:
    """The element of `storage` each idx of `shape` addresses: its strided position plus
    its offset, checked to lie inside the storage (fancy indexing would wrap a
    negative one around silently)."""
    at = positions(shape, strides) + load(offsets, shape, offsets_strides).astype(np.int64)
    if at.size and (at.min() < 0 or at.max() >= storage.size):
        bad = at.min() if at.min() < 0 else at.max()
        raise IndexError(f"{kind}: offset position {bad} outside a storage holding "
                         f"{storage.size}")
    return at


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


def _floordiv(a: Array, b: Array) -> Array:
    """ops._floordiv: the floor of the IEEE quotient (±inf and nan pass through).

    Not np.floor_divide, which floors the exact quotient (``1 // 0.1`` is 9 there,
    ``floor(1 / 0.1)`` is 10). `math.floor` returns an int, so a quotient of -0.0
    comes out +0.0: adding +0.0 does that and changes nothing else."""
    return np.floor(np.divide(a, b)) + 0.0


def _mod(a: Array, b: Array) -> Array:
    """ops._mod: fmod moved to the divisor's sign (Python's %); nan for a zero or nan
    divisor and a non-finite dividend. Not np.remainder: an exact zero keeps the
    dividend's sign here (fmod's), where numpy gives it the divisor's."""
    r = np.fmod(a, b)
    r = np.where((r != 0) & ((r < 0) != (b < 0)), r + b, r)
    return np.where((b == 0) | ~np.isfinite(a) | np.isnan(b), np.nan, r)


FLOAT_MAP: dict[str, Callable[[Array], Array]] = {
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
    "sin": np.sin,  # nan at ±inf, as ops.py
    "cos": np.cos,
}

FLOAT_ZIP: dict[str, Callable[[Array, Array], Array]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,  # IEEE division is exactly ops._div: ±inf, or nan for 0/0
    "pow": _pow,
    "max": lambda a, b: np.where((a >= b) | np.isnan(a), a, b),
    "lt": np.less,
    "gt": np.greater,
    "eq": np.equal,
    "is_close": lambda a, b: np.abs(a - b) < 1e-2,
    "relu_back": lambda x, g: np.where(x > 0, g, 0.0),  # 0 at nan, unlike relu
    "log_back": lambda x, g: np.divide(g, x),
    "inv_back": lambda x, g: np.divide(-g, x * x),
    "sigmoid_back": lambda s, g: g * s * (1.0 - s),
    "tanh_back": lambda t, g: g * (1.0 - t * t),
    "le": np.less_equal,
    "ge": np.greater_equal,
    "ne": np.not_equal,
    "floordiv": _floordiv,
    "mod": _mod,
}


# -- the named ops on int32 / int64 arrays: exact, in the operands' own dtype --------
def _int_pow(a: Array, b: Array) -> Array:
    """ops._int_pow: a ** b for b >= 0 (np.power is exact, repeated squaring); to a
    negative power the truncated quotient 1 / a**-b: 1 for a == 1, ±1 for a == -1,
    0 otherwise (np.power refuses negative integer exponents)."""
    negative = b < 0
    result = np.power(a, np.where(negative, 0, b).astype(b.dtype))
    odd = (b % 2) != 0
    at_negative = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, at_negative.astype(a.dtype), result)


INT_MAP: dict[str, Callable[[Array], Array]] = {
    "id": lambda x: x,
    "neg": np.negative,
    "relu": lambda x: np.maximum(x, 0).astype(x.dtype),
    "abs": np.abs,
    "sign": np.sign,
}

INT_ZIP: dict[str, Callable[[Array, Array], Array]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "pow": _int_pow,
    "max": np.maximum,
    "lt": np.less,
    "gt": np.greater,
    "eq": np.equal,
    "le": np.less_equal,
    "ge": np.greater_equal,
    "ne": np.not_equal,
    "floordiv": np.floor_divide,  # Python's floor; 0 for a zero divisor, as ops.INT_ZIP_OPS
    "mod": np.remainder,  # the divisor's sign; 0 for a zero divisor
}


# -- the named ops on bool arrays --------------------------------------------------
BOOL_MAP: dict[str, Callable[[Array], Array]] = {
    "id": lambda x: x,
    "not": np.logical_not,
}

BOOL_ZIP: dict[str, Callable[[Array, Array], Array]] = {
    "max": np.logical_or,  # True > False
    "lt": np.less,
    "gt": np.greater,
    "eq": np.equal,
    "le": np.less_equal,
    "ge": np.greater_equal,
    "ne": np.not_equal,
    "and": np.logical_and,
    "or": np.logical_or,
    "xor": np.logical_xor,
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
    # initial=0 as the reference's `acc = read(0)`: a sum of -0.0 is +0.0, and an
    # integer sum stays in the integer dtype (exact).
    return np.sum(x, axis=dim, keepdims=True, dtype=x.dtype, initial=x.dtype.type(0))


_REDUCE: dict[str, Callable[[Array, int], Array]] = {
    "sum": _sum,
    "max": max_along,
    "argmax": lambda x, dim: first_argmax(x, dim).astype(np.int64),
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


# The tables by operand category: numpy's dtype kind "f", "i" or "b".
MAP_TABLES: dict[str, dict[str, Callable]] = {
    "f": _vocabulary("map", FLOAT_MAP, ops.MAP_OPS),
    "i": _vocabulary("map", INT_MAP, ops.MAP_OPS),
    "b": _vocabulary("map", BOOL_MAP, ops.MAP_OPS),
}
ZIP_TABLES: dict[str, dict[str, Callable]] = {
    "f": _vocabulary("zip", FLOAT_ZIP, ops.ZIP_OPS),
    "i": _vocabulary("zip", INT_ZIP, ops.ZIP_OPS),
    "b": _vocabulary("zip", BOOL_ZIP, ops.ZIP_OPS),
}
REDUCE_OPS = _vocabulary("reduce", _REDUCE, ops.REDUCE_OPS)


def _implemented(tables: dict[str, dict[str, Callable]], names) -> tuple[str, ...]:
    return tuple(name for name in names if any(name in t for t in tables.values()))


# Every op name this backend implements for some dtype, in ops.py's order.
MAP_OPS = _implemented(MAP_TABLES, ops.MAP_OPS)
ZIP_OPS = _implemented(ZIP_TABLES, ops.ZIP_OPS)


def _kernel(kind: str, op: str, tables: dict[str, dict[str, Callable]], names,
            dtype: np.dtype) -> Callable:
    """This backend's function for the `kind` op named `op` on `dtype` operands;
    `names` is ops.py's table."""
    category = "i" if dtype.kind == "u" else dtype.kind
    fn = tables.get(category, {}).get(op)
    if fn is not None:
        return fn
    if op not in names:
        raise ops.unknown_op(kind, op, names)
    if any(op in t for t in tables.values()):
        raise TypeError(f"backend 'numpy': the {kind} op {op!r} does not take {dtype} "
                        f"operands (minitorch.tensor.ops.op_dtypes says which it does)")
    raise NotImplementedError(f"backend 'numpy' does not implement the {kind} op {op!r}")


def _contiguous(storage: Array, shape: Shape) -> Array:
    size = int(np.prod(shape))
    return np.array(storage[:size], dtype=np.float64).reshape(shape)


# -- the backend ---------------------------------------------------------------------
class NumpyBackend(Backend):
    """Vectorized numpy kernels; storage is the default flat numpy array.

    Stores all five dtypes. Implements the eight required kernels (`map`,
    `zip`, `reduce`, `where`, `take`, `put` and `nonzero` over every dtype the
    contract calls them with, `matmul` over floating point) and the optional
    `softmax` and `log_softmax`; convolution and pooling use mt-tensor's
    composed fallbacks. `read` is the default, ``storage[position].item()``: a
    Python bool, int or float by the storage's dtype.
    """

    name = "numpy"
    priority = 10  # above the reference ("python", 0), below numba (50)
    dtypes = tuple(DTYPES)  # bool, int32, int64, float32, float64

    def __init__(self) -> None:
        try:
            self.version = metadata.version("minitorch-numpy-backend")
        except metadata.PackageNotFoundError:
            self.version = "0+unknown"

    # -- required kernels ------------------------------------------------------
    @np.errstate(all="ignore")
    def map(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides) -> None:
        """out[idx] = op(a[idx]) for every index of `shape` (`id` casts to out's dtype)."""
        fn = _kernel("map", op, MAP_TABLES, ops.MAP_OPS, a.dtype)
        store(out, shape, out_strides, fn(load(a, shape, a_strides)))

    @np.errstate(all="ignore")
    def zip(self, op: str, out: Storage, out_strides: Strides, shape: Shape,
            a: Storage, a_strides: Strides, b: Storage, b_strides: Strides) -> None:
        """out[idx] = op(a[idx], b[idx]); a broadcast operand has stride 0."""
        fn = _kernel("zip", op, ZIP_TABLES, ops.ZIP_OPS, a.dtype)
        store(out, shape, out_strides, fn(load(a, shape, a_strides), load(b, shape, b_strides)))

    @np.errstate(all="ignore")
    def reduce(self, op: str, out: Storage, out_strides: Strides, out_shape: Shape,
               a: Storage, a_strides: Strides, a_shape: Shape, dim: int) -> None:
        """sum / max / argmax of `a` along `dim` into `out` (that dim has size 1);
        argmax's `out` is int64."""
        fn = REDUCE_OPS.get(op)
        if fn is None:
            raise ops.unknown_op("reduce", op, ops.REDUCE_OPS)
        store(out, out_shape, out_strides, fn(load(a, a_shape, a_strides), dim))

    @np.errstate(all="ignore")
    def where(self, out: Storage, out_strides: Strides, shape: Shape, cond: Storage,
              cond_strides: Strides, a: Storage, a_strides: Strides, b: Storage,
              b_strides: Strides) -> None:
        """out[idx] = a[idx] if cond[idx] != 0 else b[idx] (a nan condition is true).

        `np.where` selects, it does not compute: the value not taken never
        reaches `out`, and the chosen element is stored as it was (float64
        holds every float32 exactly; integers stay in their dtype), -0.0 and all.
        """
        pick = load(cond, shape, cond_strides) != 0
        store(out, shape, out_strides,
              np.where(pick, load(a, shape, a_strides), load(b, shape, b_strides)))

    @np.errstate(all="ignore")
    def matmul(self, out: Storage, out_strides: Strides, a: Storage, a_strides: Strides,
               b: Storage, b_strides: Strides, shape: tuple[int, int, int, int]) -> None:
        """(batch, n, k) @ (batch, k, m) -> (batch, n, m); a batch stride may be 0.
        Floating point only (the contract never calls it on integers)."""
        batch, n, k, m = shape
        product = np.matmul(load(a, (batch, n, k), a_strides), load(b, (batch, k, m), b_strides))
        store(out, (batch, n, m), out_strides, product)

    # -- indexing kernels -------------------------------------------------------
    def take(self, out: Storage, out_strides: Strides, shape: Shape, a: Storage,
             a_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        """out[idx] = a[pos(idx, a_strides) + offsets[pos(idx, offsets_strides)]]."""
        at = _offset_positions("take", a, shape, a_strides, offsets, offsets_strides)
        store(out, shape, out_strides, a[at])  # fancy indexing copies, in a's dtype

    @np.errstate(all="ignore")
    def put(self, op: str, out: Storage, out_strides: Strides, shape: Shape, src: Storage,
            src_strides: Strides, offsets: Storage, offsets_strides: Strides) -> None:
        """At p = pos(idx, out_strides) + offsets[pos(idx, offsets_strides)]:
        out[p] = src[idx] ("set") or out[p] += src[idx] ("add").

        "add" is `np.add.at`, which, unlike ``out[p] += v``, adds every value
        that lands on one element, one after the other in index order: the
        reference's loop, float64 arithmetic rounded to out's dtype after each
        addition included (on bool, adding is `or`, as the reference's
        ``True + True`` stored as bool). For repeated positions under "set",
        numpy keeps the last value (the contract leaves it unspecified).
        """
        if op not in ops.PUT_OPS:
            raise ops.unknown_op("put", op, ops.PUT_OPS)
        at = _offset_positions("put", out, shape, out_strides, offsets, offsets_strides).ravel()
        values = load(src, shape, src_strides).ravel()
        if out.dtype.kind == "f" and values.dtype.kind in "iu":
            values = values.astype(np.float64)
        if op == "set":
            out[at] = values
        else:
            np.add.at(out, at, values)

    def nonzero(self, out: Storage, a: Storage, a_strides: Strides, shape: Shape) -> None:
        """The index of every non-zero element of `a` (nan counts), in row-major order,
        as the rows of the contiguous int64 (count, len(shape)) `out`."""
        if not shape:
            return  # a 0-d tensor: `count` rows of no columns, nothing to write
        found = np.nonzero(strided(a, shape, a_strides) != 0)
        rows = np.stack(found, axis=1).astype(np.int64)
        if rows.size > out.size:
            raise ValueError(f"nonzero: {rows.shape[0]} non-zero elements, but out holds "
                             f"{out.size // len(shape)} rows")
        out[: rows.size] = rows.reshape(-1)

    # -- optional kernels (contiguous floating point operands) ---------------------
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
