import json
import os


def load_config(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)


def config_path() -> str:
    return os.environ.get("APP_CONFIG", "config.json")
