"""softmax / log_softmax along each dimension against numpy."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = [pytest.mark.cuda, pytest.mark.filterwarnings("ignore::RuntimeWarning")]


def _run(backend, dev, x, dim, log):
    xs, _ = dev.put(np.ascontiguousarray(x))
    out, _ = dev.empty(x.shape, x.dtype)
    (backend.log_softmax if log else backend.softmax)(out, xs, x.shape, dim)
    return dev.get(out, x.shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
def test_softmax_matches_numpy(backend, dev, ref, rng, tol, dim, log, dtype):
    x = (rng.standard_normal((3, 4, 5)) * 3).astype(dtype)
    expected = ref.log_softmax(x.astype(np.float64), dim)
    expected = (expected if log else np.exp(expected)).astype(dtype)
    np.testing.assert_allclose(_run(backend, dev, x, dim, log), expected, **tol(dtype))


def test_softmax_is_stable_for_large_and_infinite_logits(backend, dev, ref):
    x = np.array([[1000.0, 1001.0, -np.inf], [-1000.0, -1000.0, -1000.0]])
    np.testing.assert_allclose(_run(backend, dev, x, 1, False),
                               np.exp(ref.log_softmax(x, 1)), rtol=1e-12)
    got = _run(backend, dev, x, 1, True)
    np.testing.assert_allclose(got, ref.log_softmax(x, 1), rtol=1e-12)
    assert got[0, 2] == -np.inf


def test_softmax_over_a_long_row_and_nan(backend, dev, ref, rng):
    # 70 > the simulator's 32 threads: several values per thread before the tree.
    x = rng.standard_normal((2, 70))
    x[1, 3] = np.nan
    got = _run(backend, dev, x, 1, False)
    np.testing.assert_allclose(got[0], np.exp(ref.log_softmax(x[:1], 1))[0], rtol=1e-12)
    assert np.isnan(got[1]).all()


def test_softmax_rejects_a_bad_dim(backend, dev):
    a, _ = dev.put(np.zeros(4))
    with pytest.raises(ValueError, match="dim 2 is out of range"):
        backend.softmax(a, a, (2, 2), 2)
