import json
import zlib


def dump(value: object) -> str:
    return json.dumps(value)


def packed(value: object) -> bytes:
    return zlib.compress(dump(value).encode())
