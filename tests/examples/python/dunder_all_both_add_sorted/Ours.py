"""Public API of the text toolkit."""

from .lexer import Lexer, Token
from .parser import Parser
from .printer import Printer

__all__ = [
    "Lexer",
    "Parser",
    "Token",
]
