"""mt-tensor's conformance kit, run against the "numpy" backend.

The whole op table (forward on four layouts in both dtypes, gradients against
central differences, error messages) with the kit's default tolerances: this
backend needs no looser ones.
"""

from minitorch.tensor.testing.plugin import conformance_suite

TestNumpyConformance = conformance_suite("numpy")
