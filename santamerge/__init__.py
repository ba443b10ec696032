"""santamerge: a repository-aware merge and refactor assistant for git."""

__version__ = "0.1.0"
