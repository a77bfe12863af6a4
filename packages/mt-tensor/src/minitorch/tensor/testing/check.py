"""assert_close with per-dtype tolerances, and float64 gradient checking."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from minitorch.autodiff import central_difference

from ..dtype import float64
from ..tensor import Tensor

# The kit's default tolerances: (rtol, atol) per dtype. A backend that needs
# looser ones passes `tolerances=` and writes down why, in one place.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float32": (1e-4, 1e-5),
    "float64": (1e-9, 1e-10),
}


def assert_close(actual: Tensor | np.ndarray | float, expected: np.ndarray | float,
                 dtype: str | None = None, rtol: float | None = None,
                 atol: float | None = None, what: str = "") -> None:
    """Compare a tensor (or array) with a numpy expectation; shapes must match exactly.

    Integer and bool results must be exact and of the expected kind (a bool
    expectation needs a bool result, an integer one an integer result); float
    results are compared with the per-dtype tolerances.
    """
    if isinstance(actual, Tensor):
        dtype = dtype or actual.dtype.name
        actual = actual.numpy()
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.dtype.kind in "biu" or expected.dtype.kind in "biu":
        kinds = {"b": "bool", "i": "integer", "u": "integer", "f": "floating point"}
        if kinds[actual.dtype.kind] != kinds[expected.dtype.kind]:
            raise AssertionError(f"{what}: got a {actual.dtype} result, expected "
                                 f"{kinds[expected.dtype.kind]} ({expected.dtype})")
        if actual.shape != expected.shape:
            raise AssertionError(f"{what}: shape {actual.shape} != expected {expected.shape}")
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    if dtype is None or dtype not in TOLERANCES:
        dtype = actual.dtype.name if actual.dtype.name in TOLERANCES else "float64"
    default_rtol, default_atol = TOLERANCES[dtype]
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape} != expected {expected.shape}")
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what,
                               equal_nan=True)


def numerical_grad(f: Callable[..., Tensor], inputs: Sequence[Tensor], index: int,
                   out_grad: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d <out_grad, f(inputs)> / d inputs[index], one element at a time (float64).

    Each element's derivative is minitorch.autodiff's `central_difference` of
    the scalar objective ``<out_grad, f(...)>`` in that element: the same
    numerical check the scalar engine's tests use.
    """
    base = [t.numpy().astype(np.float64) for t in inputs]
    shape = base[index].shape
    flat = base[index].reshape(-1)

    def objective(element: int) -> Callable[[float], float]:
        def at(value: float) -> float:
            trial = flat.copy()
            trial[element] = value
            args = [_like(t, trial.reshape(shape) if j == index else base[j])
                    for j, t in enumerate(inputs)]
            return float(np.sum(f(*args).numpy().astype(np.float64) * out_grad))
        return at

    grad = np.array([central_difference(objective(i), flat[i], epsilon=eps)
                     for i in range(flat.size)], dtype=np.float64)
    return grad.reshape(shape)


def _like(t: Tensor, values: np.ndarray) -> Tensor:
    from ..creation import tensor

    return tensor(values, dtype=float64, backend=t.backend)


def gradcheck(f: Callable[..., Tensor], *inputs: Tensor, eps: float = 1e-6,
              rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> None:
    """Check autodiff gradients of `f` against central differences, in float64.

    Inputs are converted to float64 on their own backend; a random output
    gradient makes the check sensitive to every output element.
    """
    from ..creation import tensor

    xs = [tensor(t.numpy(), dtype=float64, backend=t.backend, requires_grad=True) for t in inputs]
    out = f(*xs)
    rng = np.random.default_rng(seed)
    out_grad = rng.standard_normal(out.shape)
    out.backward(tensor(out_grad, dtype=float64, backend=out.backend))
    for i, x in enumerate(xs):
        expected = numerical_grad(f, xs, i, out_grad, eps)
        if x.grad is None:
            if np.allclose(expected, 0.0, atol=atol):
                continue
            raise AssertionError(f"gradcheck: input {i} got no gradient, expected {expected}")
        assert_close(x.grad, expected, rtol=rtol, atol=atol,
                     what=f"gradcheck: gradient of input {i} (shape {x.shape})")
