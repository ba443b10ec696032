import hashlib
import os
import sys


def read_blob(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def fingerprint(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def main() -> int:
    blob = read_blob(sys.argv[1])
    print(len(blob), os.path.basename(sys.argv[1]))
    return 0
