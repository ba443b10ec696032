import json
from pathlib import Path


class Report:
    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows

    def to_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.rows, indent=2))

    def summary(self) -> str:
        return f"{len(self.rows)} rows"
