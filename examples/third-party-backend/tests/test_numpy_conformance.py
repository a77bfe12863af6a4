"""mt-tensor's conformance kit, run against the "numpy" backend.

The whole op table (forward on four layouts in every dtype each op takes:
bool, int32, int64, float32, float64; the indexing ops; gradients against
central differences; in-place writes; error messages) with the kit's default
tolerances: this backend needs no looser ones.
"""

from minitorch.tensor.testing.plugin import conformance_suite

TestNumpyConformance = conformance_suite("numpy")
