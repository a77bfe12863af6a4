"""GEMM throughput: minitorch's numba matmul kernel against numpy's matmul (BLAS).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/gemm.py [--sizes 256 512 1024]
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/gemm.py --mlp   # the MLP's products

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


# The float32 products of one seed-MLP training step at batch 64 (784 -> 512 ->
# 256), in the layouts the engine hands the backend: (label, (n, k), A stored
# transposed, (k, m), B stored transposed). Linear's forward reads W^T
# through swapped strides, its weight gradient is G^T x with G^T a
# transposed view, its input gradient G W is plain row-major.
MLP_PRODUCTS = (
    ("x @ W1^T", (64, 784), False, (784, 512), True),
    ("G1^T @ x", (512, 64), True, (64, 784), False),
    ("G1 @ W1", (64, 512), False, (512, 784), False),
    ("h1 @ W2^T", (64, 512), False, (512, 256), True),
    ("G2^T @ h1", (256, 64), True, (64, 512), False),
    ("G2 @ W2", (64, 256), False, (256, 512), False),
)


def operand(rng, shape: tuple[int, int], transposed: bool, dtype: type) -> np.ndarray:
    """A (rows, cols) array, stored row-major or as the transpose of a row-major one."""
    if transposed:
        return rng.random(shape[::-1]).astype(dtype).T
    return rng.random(shape).astype(dtype)


def stored(shape: tuple[int, int], transposed: bool) -> str:
    """How an operand is stored, numpy style: "(64, 784)" or "(512, 784).T"."""
    return f"({shape[1]}, {shape[0]}).T" if transposed else f"({shape[0]}, {shape[1]})"


def kernel_operand(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """(flat storage, (batch, row, column) strides) of a 2-D array or its transposed view."""
    base = x if x.base is None else x.base
    return base.reshape(-1), (0, *element_strides(x))


def time_product(backend: NumbaBackend, a: np.ndarray, b: np.ndarray, repeats: int,
                 settle: float) -> tuple[float, float]:
    """Median seconds of a @ b, same shapes and layouts on both sides: (ours, numpy's)."""
    (n, k), m = a.shape, b.shape[1]
    out = np.empty((n, m), dtype=a.dtype)
    ours = functools.partial(backend.matmul, out.reshape(-1), (0, *element_strides(out)),
                             *kernel_operand(a), *kernel_operand(b), (1, n, k, m))
    time.sleep(settle)
    ours_s = median_seconds(ours, repeats)
    np.testing.assert_allclose(out, a.astype(np.float64) @ b,
                               rtol=1e-3 if a.dtype == np.float32 else 1e-10)
    time.sleep(settle)
    numpy_s = median_seconds(functools.partial(np.matmul, a, b), repeats)
    return ours_s, numpy_s


def mlp_products(backend: NumbaBackend, repeats: int, settle: float) -> list[dict]:
    """One row per MLP_PRODUCTS entry: GFLOP/s of ours and of numpy's matmul."""
    rng = np.random.default_rng(0)
    rows = []
    for label, a_shape, a_t, b_shape, b_t in MLP_PRODUCTS:
        a = operand(rng, a_shape, a_t, np.float32)
        b = operand(rng, b_shape, b_t, np.float32)
        ours_s, numpy_s = time_product(backend, a, b, repeats, settle)
        flops = 2.0 * a_shape[0] * a_shape[1] * b_shape[1]
        layout = f"{stored(a_shape, a_t)} @ {stored(b_shape, b_t)}"
        rows.append({"label": label, "layout": layout, "ours": flops / ours_s / 1e9,
                     "numpy": flops / numpy_s / 1e9})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds of sleep between the two libraries' runs")
    parser.add_argument("--mlp", action="store_true",
                        help="the seed MLP's float32 products instead of square ones")
    args = parser.parse_args()

    backend = NumbaBackend()
    print(f"numba {numba.__version__} ({numba.get_num_threads()} threads), "
          f"numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}")
    if args.mlp:
        print(f"{'product':<11} {'operands as stored':<26} {'ours GFLOP/s':>13} {'numpy GFLOP/s':>14} "
              f"{'ratio':>6}")
        for row in mlp_products(backend, args.repeats, args.settle):
            print(f"{row['label']:<11} {row['layout']:<26} {row['ours']:>13.1f} "
                  f"{row['numpy']:>14.1f} {row['ours'] / row['numpy']:>6.2f}")
        return
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
