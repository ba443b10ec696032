import os
import tomllib


def load_config(path: str) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def config_path() -> str:
    return os.environ.get("APP_CONFIG", "config.toml")
