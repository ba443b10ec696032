"""Load and summarise order records."""

import csv
import json
import datetime as dt
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def load_orders(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    log.info("loaded %d orders from %s", len(rows), path)
    return rows


def total(rows: list[dict[str, str]]) -> float:
    return sum(float(row["amount"]) for row in rows)
