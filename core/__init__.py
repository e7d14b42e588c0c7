"""ml-connector's sync engine. Never imports textual (tests/core/test_boundaries.py proves it)."""
