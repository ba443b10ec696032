import json
import os
import pathlib
import re
import sys


def main() -> int:
    print(json.dumps({"cwd": os.getcwd(), "ok": bool(re.match("a", "a"))}))
    return 0


def here() -> str:
    return str(pathlib.Path.cwd())


if __name__ == "__main__":
    sys.exit(main())
