"""minitorch.backends.numba: parallel CPU kernels compiled by numba.

Storages of all five minitorch dtypes (bool, int32, int64, float32,
float64): elementwise ops, reductions, where and the indexing kernels take
each dtype the contract sends them (integer arithmetic exact in int64);
matmul and the optional kernels are floating point only.

The backend is found through the ``minitorch.backends`` entry point
(`plugin.py`); users never import this package directly. Kernel modules are
free functions over flat numpy buffers, shapes and strides:

    pointwise.py    op codes from minitorch.tensor.ops, the scalar definition of each op
    runs.py         1-D inner loops, one loop per op (and the where selection)
    layout.py       Python-side coalescing and task planning (memoized)
    elementwise.py  map / zip / where over strided, broadcast operands
    reduce.py       sum / max / argmax along one dimension
    indexing.py     take / put / nonzero (the indexing kernels)
    matmul.py       batched, blocked, register-tiled GEMM
    conv.py         conv2d forward and backward, any stride
    conv_unit_stride.py  stride-1 conv2d as flat loops over padded planes
    pooling.py      max / average pooling forward and backward
    softmax.py      softmax / log_softmax along a dimension
"""

from .plugin import NumbaBackend

__all__ = ["NumbaBackend"]
