import sys
import os


def home() -> str:
    print(sys.argv)
    return os.path.expanduser("~")
