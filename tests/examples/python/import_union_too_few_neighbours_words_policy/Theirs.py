import json
import base64


def dump(value: object) -> str:
    return json.dumps(value)


def encoded(value: object) -> str:
    return base64.b64encode(dump(value).encode()).decode()
