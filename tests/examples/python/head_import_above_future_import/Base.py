import os


def home() -> str:
    return os.path.expanduser("~")
