"""GEMM throughput: minitorch's numba matmul kernel against numpy's matmul (BLAS).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/gemm.py [--sizes 256 512 1024]

Both sides get the same threads (numba's pool and OpenBLAS's default pool
use every core). Each cell is the median of `--repeats` timed runs after
one warm-up run (which also compiles, or loads from NUMBA_CACHE_DIR, the
kernel). The numba side goes through `NumbaBackend.matmul`, so its Python
planning is included. Timings on a shared machine are only as good as its
idle time: the load average is printed next to the table.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time

import numba
import numpy as np

from minitorch.backends.numba.plugin import NumbaBackend


def element_strides(x: np.ndarray) -> tuple[int, ...]:
    return tuple(s // x.itemsize for s in x.strides)


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up (and compilation for the numba side)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_gemm(backend: NumbaBackend, dtype: type, n: int, repeats: int,
              settle: float) -> tuple[float, float]:
    """Median seconds of one (n, n) @ (n, n) product: (ours, numpy's)."""
    rng = np.random.default_rng(n)
    a = rng.random((1, n, n)).astype(dtype)
    b = rng.random((1, n, n)).astype(dtype)
    out = np.empty((1, n, n), dtype=dtype)
    strides = element_strides(out), element_strides(a), element_strides(b)
    ours = functools.partial(backend.matmul, out.reshape(-1), strides[0],
                             a.reshape(-1), strides[1], b.reshape(-1), strides[2],
                             (1, n, n, n))
    # OpenBLAS's threads spin for a while after a call and would steal
    # the cores from ours (and numba's from OpenBLAS): let them settle.
    time.sleep(settle)
    ours_s = median_seconds(ours, repeats)
    np.testing.assert_allclose(out[0], a[0].astype(np.float64) @ b[0],
                               rtol=1e-3 if dtype == np.float32 else 1e-10)
    time.sleep(settle)
    numpy_s = median_seconds(functools.partial(np.matmul, a[0], b[0]), repeats)
    return ours_s, numpy_s


def gflops(n: int, seconds: float) -> float:
    return 2.0 * n**3 / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds of sleep between the two libraries' runs")
    args = parser.parse_args()

    backend = NumbaBackend()
    print(f"numba {numba.__version__} ({numba.get_num_threads()} threads), "
          f"numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}")
    print(f"{'dtype':<8} {'n':>5} {'ours GFLOP/s':>13} {'numpy GFLOP/s':>14} {'ratio':>6}")
    for dtype in (np.float32, np.float64):
        for n in args.sizes:
            ours_s, numpy_s = time_gemm(backend, dtype, n, args.repeats, args.settle)
            print(f"{np.dtype(dtype).name:<8} {n:>5} {gflops(n, ours_s):>13.1f} "
                  f"{gflops(n, numpy_s):>14.1f} {numpy_s / ours_s:>6.2f}")
    print(f"threading layer {numba.threading_layer()}, "
          f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
