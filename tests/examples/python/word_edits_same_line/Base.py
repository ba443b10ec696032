import logging

log = logging.getLogger(__name__)


def connect(host: str, port: int = 5432) -> None:
    log.info("connecting to %s:%d", host, port)


def retry_delay(attempt: int) -> float:
    return min(0.5 * 2 ** attempt, 30.0)
