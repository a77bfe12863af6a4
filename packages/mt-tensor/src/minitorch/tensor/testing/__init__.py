"""The conformance kit: tolerances, gradcheck and the one op table.

Any backend's test suite runs the whole table against itself through the
pytest plugin (`minitorch.tensor.testing.plugin`); see
docs/writing-a-backend.md.
"""

from .check import TOLERANCES, assert_close, gradcheck

__all__ = ["TOLERANCES", "assert_close", "gradcheck"]
