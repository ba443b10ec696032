"""Character and byte offsets of one text. Python slices text by character, tree-sitter
counts UTF-8 bytes; every conversion between the two is here."""

from __future__ import annotations


def byte_offset(text: str, char: int) -> int:
    """The UTF-8 byte offset of character offset ``char`` of ``text``."""
    return len(text[:char].encode("utf-8"))


class CharOffsets:
    """The character offsets of byte offsets of ``text`` (``data`` is ``text`` in UTF-8).
    Offsets asked for in increasing order cost only the bytes since the previous one;
    an ASCII text costs nothing."""

    def __init__(self, text: str, data: bytes | None = None) -> None:
        self.data = text.encode("utf-8") if data is None else data
        self._ascii = len(self.data) == len(text)
        self._last = (0, 0)  # the last (byte, character) offsets converted

    def __call__(self, byte: int) -> int:
        if self._ascii:
            return byte
        last_byte, last_char = self._last if byte >= self._last[0] else (0, 0)
        char = last_char + len(self.data[last_byte:byte].decode("utf-8", errors="replace"))
        self._last = (byte, char)
        return char
