"""Backends that ship with mt-tensor (only the pure-Python reference)."""
