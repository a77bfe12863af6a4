"""Elementwise activations as Modules (for use inside Sequential), with the
functional forms that are not in ``functional.py`` beside their Modules.

Each follows PyTorch 2's signature and defaults. ``inplace=True`` writes the
result into the input and returns that same tensor object, as PyTorch does
(so it refuses a leaf that requires grad).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Function, Tensor

from . import functional as F
from .module import Module

# Numerical Recipes in C (2nd ed., section 6.2, "erfcc"): a Chebyshev fit,
# erfc(z) ~ t * exp(-z^2 + P(t)) with t = 1 / (1 + z / 2), for z >= 0, whose
# relative error is below 1.2e-7 for every z. P's coefficients, lowest first:
_ERFC_COEFFS = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_SCALE = math.sqrt(2.0 / math.pi)
GELU_APPROXIMATIONS = ("none", "tanh")


# -- the exact GELU ------------------------------------------------------------------
def _erfc_nonnegative(z: Tensor) -> Tensor:
    """erfc(z) for z >= 0 from tensor ops (relative error < 1.2e-7)."""
    t = 1.0 / (z * 0.5 + 1.0)
    poly = t * _ERFC_COEFFS[-1]
    for c in reversed(_ERFC_COEFFS[1:-1]):
        poly = (poly + c) * t
    return t * (poly + _ERFC_COEFFS[0] - z * z).exp()


def _normal_cdf(x: Tensor) -> Tensor:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, from erfc so that tails keep their relative error."""
    tail = _erfc_nonnegative(x.abs() * _SQRT_HALF) * 0.5
    return mt.where(x >= 0, 1.0 - tail, tail)


class _GeluErf(Function):
    """gelu(x) = x Phi(x); d/dx = Phi(x) + x exp(-x^2 / 2) / sqrt(2 pi).

    Phi comes from a Chebyshev erfc fit (Numerical Recipes' erfcc, relative
    error < 1.2e-7), since minitorch has no erf kernel: the forward differs
    from PyTorch's libm erf by at most about 1.4e-8 absolute (x Phi(x) damps
    the erfc error), and the backward is the exact derivative with that Phi.
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        cdf = _normal_cdf(x)
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, cdf = ctx.saved_tensors
        density = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return grad * (cdf + x * density)


def _check_approximate(approximate: str) -> None:
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x) ("none"), or 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))) ("tanh")."""
    _check_approximate(approximate)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * _GELU_TANH_SCALE
        return input * 0.5 * (inner.tanh() + 1.0)
    return _GeluErf.apply(input)


# -- the other functional forms ------------------------------------------------------
def _write_back(input: Tensor, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """``input`` overwritten with ``fn(input)``; fn reads a clone, so what its
    backward saved is not the memory this write changes."""
    return input.copy_(fn(input.clone()))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x (the gradient at 0 is negative_slope)."""
    if inplace:
        factor = mt.where(input > 0, input.new_ones(()), negative_slope)
        return input.mul_(factor)
    return mt.where(input > 0, input, input * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1) (exp(x) - 1 rather than expm1:
    at most one float eps absolute error near 0)."""
    def compute(x: Tensor) -> Tensor:
        positive = x > 0
        # exp only of the non-positive side, so a large x cannot make inf * 0 = nan.
        negative = (mt.where(positive, 0.0, x).exp() - 1.0) * alpha
        return mt.where(positive, x, negative)

    return _write_back(input, compute) if inplace else compute(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    if inplace:
        return _write_back(input, lambda x: x * x.sigmoid())
    return input * input.sigmoid()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 0 at and beyond the bounds, as PyTorch."""
    if inplace:
        input.masked_fill_(input <= min_val, min_val)
        return input.masked_fill_(input >= max_val, max_val)
    return mt.where(input <= min_val, min_val, mt.where(input >= max_val, max_val, input))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def softmin(input: Tensor, dim: int | None = None) -> Tensor:
    """softmax(-x) along ``dim`` (None: PyTorch's implicit choice, with a warning)."""
    return F.softmax(-input, _softmax_dim("softmin", input, dim))


def _softmax_dim(name: str, input: Tensor, dim: int | None) -> int:
    """PyTorch's implicit dimension for softmax-like ops: 0 for 0-, 1- and 3-d inputs, else 1."""
    if dim is not None:
        return dim
    chosen = 0 if input.dim() in (0, 1, 3) else 1
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated (as in PyTorch): "
                  f"using dim={chosen} for a {input.dim()}-d input; pass dim= explicitly.",
                  UserWarning, stacklevel=3)
    return chosen


# -- modules -------------------------------------------------------------------------
class _Inplace(Module):
    """An activation with PyTorch's ``inplace`` flag (shown in repr only when set)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """relu(x) = max(x, 0), elementwise.

    Args:
        inplace: overwrite the input (``relu_``) and return it.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return input.relu_() if self.inplace else F.relu(input)


class LeakyReLU(_Inplace):
    """x where x > 0, else negative_slope * x.

    Args:
        negative_slope: the slope for x <= 0 (default 0.01).
        inplace: overwrite the input and return it.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [f"negative_slope={self.negative_slope}",
                                       super().extra_repr()]))


class GELU(Module):
    """gelu(x) = x Phi(x), Phi the standard normal CDF.

    Args:
        approximate: "none" (erf-based, within ~1.4e-8 of PyTorch's) or "tanh"
            (0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), exactly composed).

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        _check_approximate(approximate)
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class ELU(_Inplace):
    """x where x > 0, else alpha * (exp(x) - 1).

    Args:
        alpha: the negative saturation value is -alpha (default 1.0).
        inplace: overwrite the input and return it.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [f"alpha={self.alpha}", super().extra_repr()]))


class SiLU(_Inplace):
    """silu(x) = x * sigmoid(x).

    Args:
        inplace: overwrite the input and return it.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return silu(input, self.inplace)


class Hardtanh(_Inplace):
    """x clipped to [min_val, max_val].

    Args:
        min_val: lower bound (default -1.0).
        max_val: upper bound (default 1.0), greater than min_val.
        inplace: overwrite the input and return it.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__(inplace)
        if max_val <= min_val:
            raise ValueError(f"{type(self).__name__}: max_val ({max_val}) must be greater than "
                             f"min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val

    def forward(self, input: Tensor) -> Tensor:
        return hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return ", ".join(filter(None, [f"min_val={self.min_val}, max_val={self.max_val}",
                                       super().extra_repr()]))


class ReLU6(Hardtanh):
    """min(max(x, 0), 6).

    Args:
        inplace: overwrite the input and return it.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _Inplace.extra_repr(self)


class Sigmoid(Module):
    """sigmoid(x) = 1 / (1 + exp(-x)), elementwise.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x), elementwise.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are accepted and ignored
    (handy to switch a layer off without changing the model code).

    Shape:
        input (*) -> output (*), the same tensor.

    Init:
        no parameters.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Softmax(Module):
    """softmax along ``dim``: exp(x_i) / sum_j exp(x_j).

    Args:
        dim: the dimension that sums to 1. None picks PyTorch's implicit
            dimension (0 for 0-, 1- and 3-d inputs, else 1) with a
            deprecation warning, as PyTorch does.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, _softmax_dim("softmax", input, self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log softmax along ``dim`` (stable: computed as x - logsumexp(x)).

    Args:
        dim: the dimension normalized over; None as in Softmax.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, _softmax_dim("log_softmax", input, self.dim))


class Softmin(Softmax):
    """softmax(-x) along ``dim``: the smallest entries get the most weight.

    Args:
        dim: the dimension that sums to 1; None as in Softmax.

    Shape:
        input (*) -> output (*).

    Init:
        no parameters.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(-input, _softmax_dim("softmin", input, self.dim))
