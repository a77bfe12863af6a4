"""The conformance kit on the pure-Python reference backend."""

from minitorch.tensor.testing.plugin import conformance_suite

TestReferenceConformance = conformance_suite("python")
