"""Benchmarks, one module per capability; `make bench` runs them all (CONTRACT.md format)."""
