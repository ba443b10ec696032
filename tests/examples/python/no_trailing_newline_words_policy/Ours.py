import re


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def count_words(text: str) -> int:
    return len(words(text))