import json
import os
import pathlib
import sys


def main() -> int:
    print(json.dumps({"cwd": os.getcwd()}))
    return 0


def here() -> str:
    return str(pathlib.Path.cwd())


if __name__ == "__main__":
    sys.exit(main())
