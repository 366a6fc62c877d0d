"""Benchmarks: each prints figures and their ratio to a baseline measured in the same run."""
