import json
import logging
import os


def load_config(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)


def dump_config(config: dict) -> str:
    logging.debug("dumping %d keys", len(config))
    return json.dumps(config, indent=2, sort_keys=True)


def config_path() -> str:
    return os.environ.get("APP_CONFIG", "config.json")
