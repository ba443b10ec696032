import json


def dump(value: object) -> str:
    return json.dumps(value)
