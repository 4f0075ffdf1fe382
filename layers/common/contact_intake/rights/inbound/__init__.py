"""A rights request mail read: pure functions over the raw bytes, no I/O, nothing logged."""
