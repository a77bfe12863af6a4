"""Weight initializers, in place, PyTorch's names and formulas.

Every function draws from minitorch's one random generator (so
`mt.manual_seed` makes initialization reproducible), writes into the
tensor with `copy_` under `no_grad` (so it works on Parameters and on any
backend), and returns the tensor.

The seed's three schemes (its §4): uniform in [-r, r] is
``uniform_(t, -r, r)``; He is ``kaiming_uniform_(t)`` (r = sqrt(6 / fan_in))
or ``kaiming_normal_(t)``; Xavier is ``xavier_uniform_(t)``.
"""

from __future__ import annotations

import math

import numpy as np

import minitorch.tensor as mt
from minitorch.tensor import Tensor
from minitorch.tensor.creation import generator

__all__ = [
    "calculate_fan_in_and_fan_out", "calculate_gain", "constant_", "kaiming_normal_",
    "kaiming_uniform_", "normal_", "ones_", "uniform_", "xavier_normal_", "xavier_uniform_",
    "zeros_",
]

_LINEAR_GAIN = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                "conv_transpose2d", "conv_transpose3d", "sigmoid")


def _write(t: Tensor, values: np.ndarray | float) -> Tensor:
    """Overwrite `t` in place; gradients never flow through initialization."""
    if not isinstance(t, Tensor):
        raise TypeError(f"init: expected a minitorch Tensor, got {type(t).__name__}")
    with mt.no_grad():
        if isinstance(values, np.ndarray):
            t.copy_(mt.tensor(values, dtype=t.dtype, backend=t.backend))
        else:
            t.fill_(values)
    return t


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale for a nonlinearity: 1 for linear/conv/sigmoid,
    5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu
    (slope ``param``, default 0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative slope {param!r} is not a number")
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; known: "
        f"{', '.join(_LINEAR_GAIN)}, tanh, relu, leaky_relu, selu"
    )


def calculate_fan_in_and_fan_out(t: Tensor) -> tuple[int, int]:
    """Fans of a weight: Linear (out, in) -> (in, out); conv (out, in, *k) ->
    (in * prod(k), out * prod(k))."""
    if t.dim() < 2:
        raise ValueError(
            f"fan in/out needs a weight with at least 2 dims (out, in, ...), got shape {t.shape}"
        )
    receptive = math.prod(t.shape[2:])
    return t.shape[1] * receptive, t.shape[0] * receptive


# PyTorch's private spelling, which custom reset_parameters() methods often call.
_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out


def _fan(t: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"cannot initialize a weight with zero {mode} (shape {t.shape})")
    return fan


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b); the seed's uniform init is ``uniform_(t, -r, r)``."""
    if a > b:
        raise ValueError(f"uniform_: lower bound {a} is above upper bound {b}")
    return _write(t, generator().uniform(a, b, size=t.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std^2)."""
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _write(t, generator().normal(mean, std, size=t.shape))


def constant_(t: Tensor, value: float) -> Tensor:
    return _write(t, float(value))


def zeros_(t: Tensor) -> Tensor:
    return _write(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return _write(t, 1.0)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """He uniform: U(-bound, bound), bound = gain * sqrt(3 / fan).

    With the defaults (a = 0, so gain = sqrt(2)) bound = sqrt(6 / fan_in),
    the seed's He initialization. PyTorch's layers use a = sqrt(5), which
    gives bound = 1 / sqrt(fan_in).
    """
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(t, mode))
    return _write(t, generator().uniform(-bound, bound, size=t.shape))


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """He normal: N(0, std^2), std = gain / sqrt(fan) (sqrt(2 / fan_in) for relu)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(t, mode))
    return _write(t, generator().normal(0.0, std, size=t.shape))


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _write(t, generator().uniform(-bound, bound, size=t.shape))


def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _write(t, generator().normal(0.0, std, size=t.shape))
