"""The conformance op table: the one place each op's expected behaviour lives.

Every entry names an op, a tensor-level function, a numpy reference, sample
input shapes (including broadcasting) and the value domain its inputs are
drawn from. Error cases list inputs that must raise, and which exception.
Write cases are in-place writes checked against the same write on numpy
arrays (including writes whose source shares memory with the target: the
aliasing rules of `minitorch.tensor.overlap`); NaN cases run ops on inputs
holding nan and infinities, which must propagate as numpy's do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import minitorch.tensor as mt


def _linear(x: mt.Tensor, w: mt.Tensor, b: mt.Tensor | None = None) -> mt.Tensor:
    from minitorch.tensor.linear import linear

    return linear(x, w, b)


_CE_TARGET = np.array([2, 0, 1, 2, 1])  # classes for (5, C >= 3) logits


def _cross_entropy(x: mt.Tensor, mean: bool) -> mt.Tensor:
    from minitorch.tensor.cross_entropy import cross_entropy

    target = mt.tensor(_CE_TARGET[:x.shape[0]], backend=x.backend)
    out = cross_entropy(x, target, -100, mean)
    assert out is not None
    return out


def _cross_entropy_ref(x: np.ndarray, mean: bool) -> np.ndarray:
    picked = _log_softmax(x, 1)[np.arange(x.shape[0]), _CE_TARGET[:x.shape[0]]]
    return np.asarray(-(picked.mean() if mean else picked.sum()))


@dataclass(frozen=True)
class OpCase:
    name: str
    fn: Callable[..., mt.Tensor]
    ref: Callable[..., Any]
    shapes: tuple[tuple[tuple[int, ...], ...], ...]
    domain: str = "real"  # real | positive | nonzero (|x| >= 0.5: away from kinks)
    grad: bool = True
    distinct: bool = False  # inputs pairwise well apart (max / maximum ties)
    dtypes: tuple[str, ...] = ("float32", "float64")  # the dtypes the op accepts


FLOATS = ("float32", "float64")
NUMERIC = ("int32", "int64") + FLOATS  # ops PyTorch runs on integers and floats
ALL = ("bool",) + NUMERIC


@dataclass(frozen=True)
class ErrorCase:
    name: str
    fn: Callable[..., object]
    shapes: tuple[tuple[int, ...], ...]
    error: type[BaseException]
    match: str = ""
    extra: dict = field(default_factory=dict)


def _softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    s = x - x.max(axis=dim, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=dim, keepdims=True))


def _conv2d_ref(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    b, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((b, o, oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = np.einsum("bckl,ockl->bo", patch, w)
    return out


def _pool_ref(x: np.ndarray, k: int, stride: int, pad: int, kind: str) -> np.ndarray:
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=fill)
    oh = (x.shape[2] + 2 * pad - k) // stride + 1
    ow = (x.shape[3] + 2 * pad - k) // stride + 1
    out = np.zeros(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            out[:, :, i, j] = win.max(axis=(2, 3)) if kind == "max" else win.mean(axis=(2, 3))
    return out


def _idx(like: mt.Tensor, data: Any) -> mt.Tensor:
    """An index (or mask) tensor on `like`'s backend."""
    return mt.tensor(data, backend=like.backend)


GATHER_INDEX = [[0, 2], [1, 1]]  # into a (2, 3) input along dim 1


def _scatter_add_ref(x: np.ndarray, src: np.ndarray) -> np.ndarray:
    out = x.copy()
    for i, row in enumerate(GATHER_INDEX):
        for j, col in enumerate(row):
            out[i, col] += src[i, j]
    return out


def _scatter_ref(x: np.ndarray, src: np.ndarray) -> np.ndarray:
    out = x.copy()
    for i, col in enumerate([2, 0]):
        out[i, col] = src[i, 0]
    return out


def one(*shapes: tuple[int, ...]) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Cases of a one-input op: each case is a tuple holding one shape."""
    return tuple((s,) for s in shapes)


S2 = one((2, 3))
S3 = one((2, 3, 4))
UNARY = one((), (5,), (2, 3), (2, 3, 2))
BINARY_SHAPES = (((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1)), ((), (2, 2)), ((3, 1), (1, 4)))

OPS: list[OpCase] = [
    # -- elementwise, unary
    OpCase("neg", lambda a: -a, lambda a: -a, UNARY, dtypes=NUMERIC),
    OpCase("sin", lambda a: a.sin(), np.sin, UNARY, dtypes=NUMERIC),
    OpCase("cos", lambda a: a.cos(), np.cos, UNARY, dtypes=NUMERIC),
    OpCase("exp", lambda a: a.exp(), np.exp, UNARY, dtypes=NUMERIC),
    OpCase("log", lambda a: a.log(), np.log, UNARY, "positive", dtypes=NUMERIC),
    OpCase("sqrt", lambda a: a.sqrt(), np.sqrt, UNARY, "positive", dtypes=NUMERIC),
    OpCase("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), UNARY, "nonzero", dtypes=NUMERIC),
    OpCase("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), UNARY, dtypes=NUMERIC),
    OpCase("tanh", lambda a: a.tanh(), np.tanh, UNARY, dtypes=NUMERIC),
    OpCase("abs", lambda a: a.abs(), np.abs, UNARY, "nonzero", dtypes=NUMERIC),
    OpCase("inv", lambda a: 1.0 / a, lambda a: 1 / a, UNARY, "nonzero", dtypes=NUMERIC),
    OpCase("pow2", lambda a: a ** 2, lambda a: a ** 2, UNARY, dtypes=NUMERIC),
    OpCase("pow_half", lambda a: a ** 0.5, np.sqrt, UNARY, "positive", dtypes=NUMERIC),
    OpCase("scalar_affine", lambda a: 3.0 - a * 2.0 + 1.0, lambda a: 3.0 - a * 2.0 + 1.0, S2, dtypes=NUMERIC),
    # -- elementwise, binary with broadcasting
    OpCase("add", lambda a, b: a + b, np.add, BINARY_SHAPES, dtypes=NUMERIC),
    OpCase("sub", lambda a, b: a - b, np.subtract, BINARY_SHAPES, dtypes=NUMERIC),
    OpCase("mul", lambda a, b: a * b, np.multiply, BINARY_SHAPES, dtypes=NUMERIC),
    OpCase("div", lambda a, b: a / b, np.divide, BINARY_SHAPES, "nonzero", dtypes=NUMERIC),
    OpCase("maximum", lambda a, b: a.maximum(b), np.maximum, BINARY_SHAPES, distinct=True, dtypes=NUMERIC),
    OpCase("lt", lambda a, b: a < b, np.less, BINARY_SHAPES, grad=False, dtypes=ALL),
    OpCase("gt", lambda a, b: a > b, np.greater, BINARY_SHAPES, grad=False, dtypes=ALL),
    OpCase("le", lambda a, b: a <= b, np.less_equal, BINARY_SHAPES, grad=False, dtypes=ALL),
    OpCase("ge", lambda a, b: a >= b, np.greater_equal, BINARY_SHAPES, grad=False, dtypes=ALL),
    OpCase("ne", lambda a, b: a != b, np.not_equal, BINARY_SHAPES, grad=False, dtypes=ALL),
    OpCase("floordiv", lambda a, b: a // b, np.floor_divide, BINARY_SHAPES, "nonzero", grad=False,
           dtypes=NUMERIC),
    OpCase("mod", lambda a, b: a % b, np.mod, BINARY_SHAPES, "nonzero", grad=False, dtypes=NUMERIC),
    OpCase("pow_tensor", lambda a, b: a ** b, np.power, BINARY_SHAPES[:3], "positive"),
    OpCase("and", lambda a, b: a & b, np.logical_and, BINARY_SHAPES, grad=False, dtypes=("bool",)),
    OpCase("or", lambda a, b: a | b, np.logical_or, BINARY_SHAPES, grad=False, dtypes=("bool",)),
    OpCase("xor", lambda a, b: a ^ b, np.logical_xor, BINARY_SHAPES, grad=False, dtypes=("bool",)),
    OpCase("invert", lambda a: ~a, np.logical_not, UNARY, grad=False, dtypes=("bool",)),
    OpCase("mixed_int_float", lambda a: a.long() * 0.5 + a, lambda a: a.astype(np.int64) * 0.5 + a,
           S2, dtypes=FLOATS),
    OpCase("cast_float32", lambda a: a.float(), lambda a: a.astype(np.float32), S2, grad=False,
           dtypes=ALL),
    OpCase("cast_float64", lambda a: a.double() * 1.0, lambda a: a.astype(np.float64), S2, dtypes=ALL),
    OpCase("cast_int64", lambda a: a.long(), lambda a: a.astype(np.int64), S2, grad=False, dtypes=ALL),
    OpCase("cast_int32", lambda a: a.int(), lambda a: a.astype(np.int32), S2, grad=False, dtypes=ALL),
    OpCase("cast_bool", lambda a: a.bool(), lambda a: a.astype(bool), S2, grad=False, dtypes=ALL),
    OpCase("eq_self", lambda a: a == a, lambda a: np.ones_like(a, dtype=bool), S2, grad=False, dtypes=ALL),
    # -- reductions
    OpCase("sum_all", lambda a: a.sum(), lambda a: np.asarray(a.sum()), one((5,), (2, 3), (2, 3, 4)), dtypes=ALL),
    OpCase("sum_dim0", lambda a: a.sum(0), lambda a: a.sum(0), S3, dtypes=ALL),
    OpCase("sum_dim_keep", lambda a: a.sum(-1, keepdim=True), lambda a: a.sum(-1, keepdims=True), S3, dtypes=ALL),
    OpCase("sum_dims", lambda a: a.sum((0, 2)), lambda a: a.sum((0, 2)), S3, dtypes=ALL),
    OpCase("mean_dim", lambda a: a.mean(1), lambda a: a.mean(1), S3),
    OpCase("mean_all", lambda a: a.mean(), lambda a: np.asarray(a.mean()), S2),
    OpCase("max_dim", lambda a: a.max(1).values, lambda a: a.max(1), S3, distinct=True, dtypes=ALL),
    OpCase("max_keep", lambda a: a.max(0, keepdim=True)[0], lambda a: a.max(0, keepdims=True), S3,
           distinct=True, dtypes=ALL),
    OpCase("max_all", lambda a: a.max(), lambda a: np.asarray(a.max()), S2, distinct=True, dtypes=ALL),
    OpCase("max_0d", lambda a: a.max(0).values, lambda a: a, one(()), dtypes=NUMERIC),
    OpCase("softmax_0d", lambda a: a.softmax(0) * a, lambda a: a, one(())),
    OpCase("log_softmax_0d", lambda a: a.log_softmax(-1) + a, lambda a: a, one(())),
    OpCase("argmax", lambda a: a.argmax(1), lambda a: a.argmax(1), S3, grad=False, distinct=True, dtypes=NUMERIC),
    OpCase("softmax", lambda a: a.softmax(-1), lambda a: _softmax(a, -1), one((5,), (2, 3), (2, 3, 4))),
    OpCase("softmax_dim0", lambda a: a.softmax(0), lambda a: _softmax(a, 0), S3),
    OpCase("log_softmax", lambda a: a.log_softmax(-1), lambda a: _log_softmax(a, -1), one((5,), (2, 3), (2, 3, 4))),
    OpCase("log_softmax_dim1", lambda a: a.log_softmax(1), lambda a: _log_softmax(a, 1), S3),
    OpCase("cross_entropy", lambda a: _cross_entropy(a, True), lambda a: _cross_entropy_ref(a, True),
           one((5, 3), (4, 6))),
    OpCase("cross_entropy_sum", lambda a: _cross_entropy(a, False),
           lambda a: _cross_entropy_ref(a, False), one((5, 4))),
    # -- matmul
    OpCase("matmul", lambda a, b: a @ b, np.matmul,
           (((2, 3), (3, 4)), ((2, 2, 3), (3, 2)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (3, 2)),
            ((2, 3), (3,)), ((1, 1), (1, 1)))),
    OpCase("matmul_transposed", lambda a, b: a @ b.T, lambda a, b: a @ b.T,
           (((2, 3), (4, 3)), ((5, 2), (3, 2)))),
    OpCase("linear", lambda x, w, b: _linear(x, w, b), lambda x, w, b: x @ w.T + b,
           (((5, 3), (4, 3), (4,)), ((2, 3, 3), (2, 3), (2,)), ((3,), (4, 3), (4,)))),
    OpCase("linear_no_bias", lambda x, w: _linear(x, w), lambda x, w: x @ w.T,
           (((5, 3), (4, 3)), ((1, 2), (1, 2)))),
    # -- layout
    OpCase("contiguous", lambda a: a.contiguous(), lambda a: a.copy(), S3, dtypes=ALL),
    OpCase("reshape", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1), S3, dtypes=ALL),
    OpCase("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), S3, dtypes=ALL),
    OpCase("transpose_mul", lambda a: a.transpose(0, 1) * 2.0, lambda a: a.T * 2.0, S2, dtypes=NUMERIC),
    OpCase("unsqueeze_squeeze", lambda a: a.unsqueeze(1).squeeze(1) + a.unsqueeze(0)[0],
           lambda a: 2 * a, S2, dtypes=NUMERIC),
    OpCase("flatten", lambda a: a.flatten(1), lambda a: a.reshape(a.shape[0], -1), S3, dtypes=ALL),
    OpCase("expand", lambda a: a.expand(3, 2, 3), lambda a: np.broadcast_to(a, (3, 2, 3)).copy(),
           one((2, 1)), dtypes=ALL),
    OpCase("index_int", lambda a: a[1], lambda a: a[1], S3, dtypes=ALL),
    OpCase("index_slices", lambda a: a[:, 1:, ::2], lambda a: a[:, 1:, ::2], S3, dtypes=ALL),
    OpCase("cat", lambda a, b: mt.cat([a, b], 1), lambda a, b: np.concatenate([a, b], 1),
           (((2, 3), (2, 2)), ((2, 1, 3), (2, 4, 3))), dtypes=ALL),
    OpCase("stack", lambda a, b: mt.stack([a, b], -1), lambda a, b: np.stack([a, b], -1),
           (((2, 3), (2, 3)),), dtypes=ALL),
    OpCase("where", lambda a, b: mt.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b),
           (((2, 3), (2, 3)), ((2, 3), (3,))), "nonzero", dtypes=ALL),
    # The branch not taken holds nan (log of a negative): it must not leak.
    OpCase("where_log", lambda a, b: mt.where(a > 0, a.log(), b),
           lambda a, b: np.where(a > 0, np.log(np.abs(a)), b), (((2, 3), (2, 3)),), "nonzero"),
    # -- indexing: take / put / nonzero kernels
    OpCase("getitem_list", lambda a: a[[2, 0, 2]], lambda a: a[[2, 0, 2]], one((3, 2)), dtypes=ALL),
    OpCase("getitem_pairs", lambda a: a[_idx(a, [1, 0, -1]), _idx(a, [[2], [0]])],
           lambda a: a[[1, 0, -1], [[2], [0]]], S2, dtypes=ALL),
    OpCase("getitem_mask", lambda a: a[_idx(a, [[True, False, True], [False, True, True]])],
           lambda a: a[np.array([[True, False, True], [False, True, True]])], S2, dtypes=ALL),
    OpCase("getitem_separated", lambda a: a[[1, 0], :, [3, 3]], lambda a: a[[1, 0], :, [3, 3]],
           S3, dtypes=ALL),
    OpCase("gather", lambda a: a.gather(1, _idx(a, GATHER_INDEX)),
           lambda a: np.take_along_axis(a, np.array(GATHER_INDEX), 1), S2, dtypes=ALL),
    OpCase("index_select", lambda a: a.index_select(0, _idx(a, [1, 1, 0])),
           lambda a: a[[1, 1, 0]], S2, dtypes=ALL),
    OpCase("scatter_add", lambda a, b: a.scatter_add(1, _idx(a, GATHER_INDEX), b), _scatter_add_ref,
           (((2, 3), (2, 2)),), dtypes=NUMERIC),
    OpCase("scatter", lambda a, b: a.scatter(1, _idx(a, [[2], [0]]), b), _scatter_ref,
           (((2, 3), (2, 1)),), dtypes=ALL),
    OpCase("masked_fill", lambda a: a.masked_fill(_idx(a, [True, False, True]), 0),
           lambda a: np.where([True, False, True], np.zeros((), a.dtype), a), S2, dtypes=ALL),
    OpCase("nonzero", lambda a: (a > 0).nonzero(), lambda a: np.argwhere(a > 0), S3, grad=False,
           dtypes=ALL),
    OpCase("topk", lambda a: a.topk(2, dim=1).values, lambda a: -np.sort(-a, 1)[:, :2], S3,
           distinct=True, dtypes=NUMERIC),
    OpCase("einsum", lambda a, b: mt.einsum("ij,kj->ik", a, b), lambda a, b: a @ b.T,
           (((2, 3), (4, 3)),)),
    OpCase("clamp", lambda a: a.clamp(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), S3, distinct=True, dtypes=NUMERIC),
    OpCase("min_dim", lambda a: a.min(1).values, lambda a: a.min(1), S3, distinct=True, dtypes=NUMERIC),
    # -- convolution and pooling
    OpCase("conv2d", lambda x, w: mt.conv2d(x, w, padding=1), lambda x, w: _conv2d_ref(x, w, 1, 1),
           (((1, 2, 4, 4), (3, 2, 3, 3)),)),
    OpCase("conv2d_bias", lambda x, w, b: mt.conv2d(x, w, b, padding=1),
           lambda x, w, b: _conv2d_ref(x, w, 1, 1) + b[None, :, None, None],
           (((2, 2, 4, 3), (3, 2, 3, 3), (3,)),)),
    OpCase("conv2d_stride2", lambda x, w: mt.conv2d(x, w, stride=2), lambda x, w: _conv2d_ref(x, w, 2, 0),
           (((2, 1, 5, 5), (2, 1, 3, 3)),)),
    OpCase("conv1d", lambda x, w: mt.conv1d(x, w, padding="same"),
           lambda x, w: _conv2d_ref(np.pad(x, ((0, 0), (0, 0), (1, 1)))[:, :, None], w[:, :, None],
                                    1, 0)[:, :, 0],
           (((2, 2, 6), (3, 2, 3)),)),
    OpCase("max_pool2d", lambda x: mt.max_pool2d(x, 2), lambda x: _pool_ref(x, 2, 2, 0, "max"),
           one((1, 2, 4, 4)), distinct=True),
    OpCase("max_pool2d_pad", lambda x: mt.max_pool2d(x, 3, stride=2, padding=1),
           lambda x: _pool_ref(x, 3, 2, 1, "max"), one((1, 1, 5, 5)), distinct=True),
    OpCase("avg_pool2d", lambda x: mt.avg_pool2d(x, 2), lambda x: _pool_ref(x, 2, 2, 0, "avg"), one((1, 2, 4, 4))),
    OpCase("avg_pool2d_pad", lambda x: mt.avg_pool2d(x, 3, stride=2, padding=1),
           lambda x: _pool_ref(x, 3, 2, 1, "avg"), one((1, 1, 5, 5))),
]
ERRORS: list[ErrorCase] = [
    ErrorCase("broadcast", lambda a, b: a + b, ((2, 3), (4,)), ValueError,
              r"add: cannot broadcast \(2, 3\) with \(4,\): sizes 3 and 4 differ at dimension -1"),
    ErrorCase("matmul_inner", lambda a, b: a @ b, ((2, 3), (4, 2)), ValueError, "matmul"),
    ErrorCase("view_noncontiguous", lambda a: a.transpose(0, 1).view(6), ((2, 3),), RuntimeError,
              r"contiguous\(\)"),
    ErrorCase("view_size", lambda a: a.view(4, 2), ((2, 3),), ValueError, "view"),
    ErrorCase("bad_dim", lambda a: a.sum(3), ((2, 3),), IndexError, "dimension 3"),
    ErrorCase("bad_index", lambda a: a[5], ((2, 3),), IndexError, "dim 0 with size 2"),
    ErrorCase("permute_repeat", lambda a: a.permute(0, 0), ((2, 3),), ValueError, "permut"),
    ErrorCase("item_many", lambda a: a.item(), ((2, 3),), ValueError, "one-element"),
    ErrorCase("conv_channels", lambda x, w: mt.conv2d(x, w), ((1, 2, 4, 4), (1, 3, 3, 3)),
              ValueError, "3 channels|2 channels"),
    ErrorCase("grad_int", lambda a: a.long().requires_grad_(), ((2,),), RuntimeError,
              "only Tensors of floating point dtype can require gradients"),
    ErrorCase("float_into_int", lambda a: a.long().add_(0.5), ((2,),), RuntimeError,
              "result type float32 can't be cast to the desired output type int64"),
    ErrorCase("matmul_int", lambda a, b: a.long() @ b.long(), ((2, 2), (2, 2)), TypeError,
              "integer and bool tensors are not supported"),
    ErrorCase("bitwise_int", lambda a: a.long() & a.long(), ((2,),), TypeError, "bool tensors"),
    ErrorCase("where_float_condition", lambda a: mt.where(a, a, a), ((2,),), TypeError,
              "bool condition"),
    ErrorCase("mean_int", lambda a: a.long().mean(), ((2,),), TypeError, "floating point"),
    ErrorCase("write_shifted_self", lambda a: a.__setitem__(slice(1, None), a[:-1]), ((5,),),
              RuntimeError, "refer to a single memory location"),
    ErrorCase("write_transpose", lambda a: a.add_(a.T), ((3, 3),), RuntimeError,
              "refer to a single memory location"),
    ErrorCase("write_expanded", lambda a: a.expand(3, 4).add_(1.0), ((1, 4),), RuntimeError,
              "more than one element of the written-to tensor"),
    ErrorCase("write_grows", lambda a, b: a.add_(b), ((3,), (2, 3)), ValueError,
              r"cannot write a result of shape \(2, 3\) into a tensor of shape \(3,\)"),
    ErrorCase("max_empty", lambda a: a.max(0), ((0, 3),), IndexError, "non-zero size"),
]


@dataclass(frozen=True)
class WriteCase:
    """An in-place write: `fn(x, y)` on tensors, `ref(x, y)` doing the same to numpy
    arrays in place. `x` takes each layout the kit tries; `y` is contiguous."""

    name: str
    fn: Callable[[mt.Tensor, mt.Tensor], object]
    ref: Callable[[np.ndarray, np.ndarray], object]
    shapes: tuple[tuple[int, ...], tuple[int, ...]] = ((2, 3), (3,))


def _np_setitem(x: np.ndarray, key: Any, value: Any) -> None:
    x[key] = value


def _np_scatter_add(x: np.ndarray, columns: list[list[int]], y: np.ndarray) -> None:
    for i, cols in enumerate(columns):
        np.add.at(x[i], cols, y)


WRITES: list[WriteCase] = [
    WriteCase("add_", lambda x, y: x.add_(y), lambda x, y: np.add(x, y, out=x)),
    WriteCase("sub_alpha", lambda x, y: x.sub_(y, alpha=2.0), lambda x, y: np.subtract(x, 2 * y, out=x)),
    WriteCase("mul_self", lambda x, y: x.mul_(x), lambda x, y: np.multiply(x, x, out=x)),
    WriteCase("div_number", lambda x, y: x.div_(4.0), lambda x, y: np.divide(x, 4.0, out=x)),
    WriteCase("iadd", lambda x, y: x.__iadd__(y), lambda x, y: np.add(x, y, out=x)),
    WriteCase("copy_broadcast", lambda x, y: x.copy_(y), lambda x, y: np.copyto(x, y)),
    WriteCase("fill_", lambda x, y: x.fill_(-1.5), lambda x, y: x.fill(-1.5)),
    WriteCase("relu_", lambda x, y: x.relu_(), lambda x, y: np.maximum(x, 0, out=x)),
    WriteCase("setitem_column", lambda x, y: x.__setitem__((slice(None), 1), y[:2]),
              lambda x, y: _np_setitem(x, (slice(None), 1), y[:2])),
    WriteCase("setitem_number", lambda x, y: x.__setitem__((0, slice(1, None)), 7.0),
              lambda x, y: _np_setitem(x, (0, slice(1, None)), 7.0)),
    # Sources in the target's own memory: strided (copied first, numpy's result)
    # and disjoint (written directly).
    WriteCase("setitem_own_column", lambda x, y: x.__setitem__((slice(None), 0), x[:, 2]),
              lambda x, y: _np_setitem(x, (slice(None), 0), x[:, 2].copy())),
    WriteCase("add_own_row", lambda x, y: x[0].add_(x[1]), lambda x, y: np.add(x[0], x[1], out=x[0])),
    # Indexed writes: the put kernel into every layout of the target.
    WriteCase("setitem_list", lambda x, y: x.__setitem__((slice(None), [2, 0]), y[:2]),
              lambda x, y: _np_setitem(x, (slice(None), [2, 0]), y[:2])),
    WriteCase("setitem_mask", lambda x, y: x.__setitem__(x > 0, 0.0),
              lambda x, y: _np_setitem(x, x > 0, 0.0)),
    WriteCase("setitem_pairs", lambda x, y: x.__setitem__((_idx(x, [1, 0]), _idx(x, [2, 2])), y[:2]),
              lambda x, y: _np_setitem(x, ([1, 0], [2, 2]), y[:2])),
    WriteCase("index_add_pairs", lambda x, y: x.__setitem__([1], x[[1]] + y),
              lambda x, y: _np_setitem(x, [1], x[[1]] + y)),
    WriteCase("scatter_add_", lambda x, y: x.scatter_add_(1, _idx(x, [[0, 0, 1], [2, 2, 2]]),
                                                          y.expand(2, 3)),
              lambda x, y: _np_scatter_add(x, [[0, 0, 1], [2, 2, 2]], y)),
]

# Inputs holding nan and infinities, and what each op must give (numpy's answer).
NAN_INPUT = np.array([[np.nan, 1.0, -1.0], [2.0, np.nan, -np.inf]])
NAN_OTHER = np.array([[0.0, np.nan, 0.0], [np.inf, 1.0, 0.0]])

NAN_OPS: list[tuple[str, Callable[..., mt.Tensor], Callable[..., Any]]] = [
    ("relu", lambda a, b: a.relu(), lambda a, b: np.maximum(a, 0.0)),
    ("max_all", lambda a, b: a.max(), lambda a, b: np.asarray(a.max())),
    ("max_dim", lambda a, b: a.max(1).values, lambda a, b: a.max(1)),
    ("argmax_dim", lambda a, b: a.argmax(1), lambda a, b: np.argmax(a, 1)),
    ("maximum", lambda a, b: a.maximum(b), np.maximum),
    ("minimum", lambda a, b: a.minimum(b), np.minimum),
    ("clamp", lambda a, b: a.clamp(-0.5, 0.5), lambda a, b: np.clip(a, -0.5, 0.5)),
    ("sum_dim", lambda a, b: a.sum(1), lambda a, b: a.sum(1)),
    ("add", lambda a, b: a + b, np.add),
    ("mul", lambda a, b: a * b, np.multiply),
    ("exp", lambda a, b: a.exp(), np.exp),
    ("sigmoid", lambda a, b: a.sigmoid(), lambda a, b: 1 / (1 + np.exp(-a))),
    ("tanh", lambda a, b: a.tanh(), np.tanh),
    ("abs", lambda a, b: a.abs(), np.abs),
    ("softmax", lambda a, b: a.softmax(1), lambda a, b: _softmax(a, 1)),
    ("where", lambda a, b: mt.where(b > 0.5, a, b), lambda a, b: np.where(b > 0.5, a, b)),
]
