import re


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def count_words(text: str) -> int:
    return len(words(text))


def first_word(text: str) -> str | None:
    found = words(text)
    return found[0] if found else None
