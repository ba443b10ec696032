import csv
import json
from pathlib import Path


class Report:
    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows

    def to_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.rows, indent=2))

    def to_csv(self, path: Path) -> None:
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=sorted(self.rows[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(self.rows)

    def summary(self) -> str:
        return f"{len(self.rows)} rows"
