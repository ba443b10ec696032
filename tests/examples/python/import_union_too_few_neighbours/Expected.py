import json
<<<<<<< ours
import zlib
||||||| base
=======
import base64
>>>>>>> theirs


def dump(value: object) -> str:
    return json.dumps(value)
<<<<<<< ours


def packed(value: object) -> bytes:
    return zlib.compress(dump(value).encode())
||||||| base
=======


def encoded(value: object) -> str:
    return base64.b64encode(dump(value).encode()).decode()
>>>>>>> theirs
