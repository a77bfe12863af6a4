"""mt_numpy_backend: a third-party minitorch backend on numpy's vectorized ops.

Installing the distribution registers the backend "numpy" through the entry
point group `minitorch.backends`; nothing needs importing by hand::

    import minitorch.tensor as mt
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], backend="numpy")
"""

from .backend import NumpyBackend

__all__ = ["NumpyBackend"]
