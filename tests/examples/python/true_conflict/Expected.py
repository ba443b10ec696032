import os

<<<<<<< ours
DEFAULT_TIMEOUT = 60
||||||| base
DEFAULT_TIMEOUT = 30
=======
DEFAULT_TIMEOUT = 10  # fail fast in CI
>>>>>>> theirs
DEFAULT_RETRIES = 3


def timeout() -> int:
    return int(os.environ.get("APP_TIMEOUT", DEFAULT_TIMEOUT))


def retries() -> int:
    return int(os.environ.get("APP_RETRIES", DEFAULT_RETRIES))
