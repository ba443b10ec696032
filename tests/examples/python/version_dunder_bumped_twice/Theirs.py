"""Demo package."""

__version__ = "1.4.3"
__author__ = "Demo Team"
