"""Benchmarks: replay a repository's history and measure santamerge."""
