<<<<<<< ours
import sys
||||||| base
=======
from __future__ import annotations

>>>>>>> theirs
import os


def home() -> str:
    print(sys.argv)
    return os.path.expanduser("~")
