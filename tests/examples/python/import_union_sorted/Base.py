import json
import os
import sys


def main() -> int:
    print(json.dumps({"cwd": os.getcwd()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
