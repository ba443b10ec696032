from flask import Flask, jsonify

from .auth import login_required
from .cache import cached

app = Flask(__name__)


@app.get("/reports/<int:report_id>")
@cached(seconds=60)
def report(report_id: int):
    return jsonify(load_report(report_id))


def load_report(report_id: int) -> dict:
    return {"id": report_id}
