"""Demo package."""

__version__ = "1.4.2"
__author__ = "Demo Team"
