"""Demo package."""

__version__ = "1.5.2"
__author__ = "Demo Team"
