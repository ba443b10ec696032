<<<<<<< ours
||||||| base
import json
=======
import json
import logging
>>>>>>> theirs
import os
import tomllib


def load_config(path: str) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def dump_config(config: dict) -> str:
    logging.debug("dumping %d keys", len(config))
    return json.dumps(config, indent=2, sort_keys=True)


def config_path() -> str:
    return os.environ.get("APP_CONFIG", "config.toml")
