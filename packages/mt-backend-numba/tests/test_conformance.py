"""mt-tensor's conformance kit (tensor-level tests of every op) on this backend."""

from minitorch.tensor.testing.plugin import conformance_suite

TestNumbaConformance = conformance_suite("numba")
