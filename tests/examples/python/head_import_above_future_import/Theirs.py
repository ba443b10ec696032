from __future__ import annotations

import os


def home() -> str:
    return os.path.expanduser("~")
