"""Linear: a fully connected layer."""

from __future__ import annotations

import math
from typing import Any

import minitorch.tensor as mt
from minitorch.tensor import Tensor

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def reset_weight_and_bias(weight: Parameter, bias: Parameter | None) -> None:
    """PyTorch's default for Linear and conv layers: weight ~ kaiming_uniform(a=sqrt(5)),
    i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x W^T + b.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias (default True).
        backend, dtype: where and how the parameters are created (defaults:
            the default backend, float32).

    Shape:
        input (*, in_features) -> output (*, out_features); * is any number
        of leading dimensions (usually the batch).

    Init:
        weight (out_features, in_features) and bias (out_features,) are both
        U(-1/sqrt(in_features), 1/sqrt(in_features)), as PyTorch (weight by
        ``kaiming_uniform_(a=sqrt(5))``).

    Example::

        fc = Linear(784, 128)
        fc(mt.randn(32, 784)).shape    # (32, 128)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 backend: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear: sizes must be >= 0, got {in_features}, {out_features}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(mt.zeros(out_features, in_features, dtype=dtype, backend=backend))
        self.bias = (Parameter(mt.zeros(out_features, dtype=dtype, backend=backend))
                     if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() == 0 or input.shape[-1] != self.in_features:
            raise self._input_error(
                f"input with last dimension {self.in_features} (*, {self.in_features})", input.shape
            )
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
