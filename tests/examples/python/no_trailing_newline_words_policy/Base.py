import re


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)