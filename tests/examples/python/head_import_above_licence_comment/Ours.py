import io
import json


def load(path):
    with io.open(path) as f:
        return json.load(f)
