"""Small helpers for text cleanup."""

import re
import unicodedata


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


def slugify(text: str) -> str:
    text = normalize(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def truncate(text: str, width: int = 40) -> str:
    text = normalize(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def is_blank(text: str) -> bool:
    return not normalize(text)
