import binascii
import hashlib
import os
import sys


def read_blob(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


<<<<<<< ours
def fingerprint(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


||||||| base
=======
def fingerprint(blob: bytes) -> str:
    return format(binascii.crc32(blob), "08x")


>>>>>>> theirs
def main() -> int:
    blob = read_blob(sys.argv[1])
    print(len(blob), os.path.basename(sys.argv[1]))
    return 0
