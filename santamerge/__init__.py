"""santamerge: a repository-aware merge and refactor assistant for git."""

# The one place the version is written: pyproject.toml reads it at build time
# ([tool.hatch.version]), and CHANGELOG.md names it.
__version__ = "0.1.0"
