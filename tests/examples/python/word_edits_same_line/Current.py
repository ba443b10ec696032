import logging

log = logging.getLogger(__name__)


def connect(host: str, port: int = 5432) -> None:
    log.info("connecting to %s:%d", host, port)


def retry_delay(attempt: int) -> float:
<<<<<<< ours
    return min(0.25 * 2 ** attempt, 30.0)
||||||| base
    return min(0.5 * 2 ** attempt, 30.0)
=======
    return min(0.5 * 2 ** attempt, 60.0)
>>>>>>> theirs
