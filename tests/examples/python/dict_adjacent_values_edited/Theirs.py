"""Settings for the HTTP client."""

import os

DEFAULTS = {
    "base_url": "https://api.example.com",
    "timeout": 30,
    "retries": 5,
    "verify_tls": True,
    "user_agent": "example-client/1.0",
}


def load() -> dict:
    settings = dict(DEFAULTS)
    if "API_URL" in os.environ:
        settings["base_url"] = os.environ["API_URL"]
    return settings
