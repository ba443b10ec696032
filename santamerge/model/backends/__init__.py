"""Backends: where completions and scores come from."""
