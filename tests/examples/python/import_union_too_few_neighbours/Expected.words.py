import json
import zlib
import base64


def dump(value: object) -> str:
    return json.dumps(value)


def packed(value: object) -> bytes:
    return zlib.compress(dump(value).encode())


def encoded(value: object) -> str:
    return base64.b64encode(dump(value).encode()).decode()
