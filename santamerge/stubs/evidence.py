"""Evidence for ``santamerge fill``: may it write this model's bodies without being asked?

The evidence is a ``santamerge bench stubs`` measurement, recorded under the key
``fill_evidence`` of ``santamerge.json`` in the model's folder (``santamerge model
evidence``). This module owns the bar it must clear, reading and recording it, and the
words that say what ``fill`` does with it (docs/fill.md, "Evidence").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from santamerge.errors import SantamergeError

# The bar a recorded `bench stubs` measurement must clear for `fill` to write by default.
EVIDENCE_FILE = "santamerge.json"
EVIDENCE_KEY = "fill_evidence"
EVIDENCE_MIN_STUBS = 20
EVIDENCE_MIN_EXACT = 0.10


class Evidence(NamedTuple):
    """A recorded ``santamerge bench stubs`` measurement of a model."""

    exact: float  # share of refilled stubs whose body matched the original
    stubs: int  # how many stubs were refilled
    repo: str  # the repository measured on
    recorded: str  # when (ISO date)

    @property
    def sufficient(self) -> bool:
        return self.stubs >= EVIDENCE_MIN_STUBS and self.exact >= EVIDENCE_MIN_EXACT


def model_folder(spec: str) -> Path | None:
    """The local folder of the model setting ``spec``: the embedded model's, a folder, or
    the folder of ``<backend>:<folder>`` (``transformers:./model``); None for a hub id or
    a server URL, which have no folder here."""
    import os

    kind, sep, rest = spec.partition(":")
    if kind == "embedded":
        from santamerge.model.backends.embedded import embedded_path

        return embedded_path()
    if kind in ("http", "https", "unix"):
        return None
    if os.path.isdir(spec):
        return Path(spec)
    return Path(rest) if sep and rest and os.path.isdir(rest) else None


def fill_evidence(spec: str) -> Evidence | None:
    """The ``fill_evidence`` recorded in ``santamerge.json`` of the model's folder
    (``santamerge model evidence``), or None: no folder, no file, no record."""
    folder = model_folder(spec)
    if folder is None:
        return None
    try:
        data = json.loads((folder / EVIDENCE_FILE).read_text(encoding="utf-8"))
        found = data[EVIDENCE_KEY]
        return Evidence(
            float(found["exact"]),
            int(found["stubs"]),
            str(found.get("repo", "")),
            str(found.get("recorded", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def describe_evidence(evidence: Evidence | None) -> str:
    """What ``fill`` does with the model's bodies, and on what evidence (`model info`)."""
    bar = f"{EVIDENCE_MIN_EXACT:.0%} exact on at least {EVIDENCE_MIN_STUBS} stubs"
    if evidence is None:
        return (
            "none recorded: `fill` proposes its bodies and writes them only with --write "
            "or fill_write (docs/fill.md)"
        )
    measured = (
        f"`bench stubs` exact {evidence.exact:.1%} on {evidence.stubs} stubs"
        f"{f' of {evidence.repo}' if evidence.repo else ''}"
        f"{f' ({evidence.recorded})' if evidence.recorded else ''}"
    )
    if evidence.sufficient:
        return f"{measured}: clears the bar ({bar}); `fill` writes its bodies"
    return (
        f"{measured}: below the bar ({bar}); `fill` proposes its bodies and writes them "
        "only with --write or fill_write"
    )


def shortfall(evidence: Evidence | None) -> str:
    """Why ``fill`` only proposed the bodies of a model with this evidence."""
    if evidence is None:
        return "there is no measured evidence that its bodies are right"
    return (
        "its recorded `bench stubs` measurement is below the bar "
        f"(exact {evidence.exact:.0%} on {evidence.stubs} stubs)"
    )


def record_evidence(report: str, spec: str) -> tuple[Path, Evidence]:
    """Record the ``bench stubs --json`` file ``report`` as the evidence of the model
    ``spec``; the file written, and the evidence it now holds."""
    import datetime
    import os

    folder = model_folder(spec)
    if folder is None:
        raise SantamergeError(
            f"the model '{spec}' has no local folder to record evidence "
            "in (a hub id or a server); download it into a folder and "
            "pass --model FOLDER, or use `santamerge fill --write`"
        )
    measured, stubs, measured_model = _read_report(report)
    if (model_folder(measured_model) or Path(measured_model)).resolve() != folder.resolve():
        raise SantamergeError(
            f"{report} measured the model '{measured_model}', not "
            f"'{spec}'; record a measurement of this model"
        )
    path = folder / EVIDENCE_FILE
    data = _read_record(path)
    evidence = Evidence(
        float(measured["exact"]),
        stubs,
        str(measured.get("repo", "")),
        datetime.date.today().isoformat(),
    )
    data[EVIDENCE_KEY] = {
        "bench": "santamerge bench stubs",
        "exact": evidence.exact,
        "stubs": stubs,
        "similarity": measured.get("similarity"),
        "repo": evidence.repo,
        "recorded": evidence.recorded,
        "report": os.path.abspath(report),
    }
    _write_record(path, data)
    return path, evidence


def _read_report(report: str) -> tuple[dict[str, Any], int, str]:
    """The report, how many stubs it refilled, and the model it measured."""
    try:
        measured = json.loads(Path(report).read_text(encoding="utf-8"))
        stubs, exact = int(measured["stubs"]), measured["exact"]
        measured_model = str(measured["model"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise SantamergeError(
            f"{report} is not a `santamerge bench stubs --json` report "
            "(it needs stubs, exact and model)"
        ) from None
    if exact is None or stubs == 0:
        raise SantamergeError(
            f"{report} refilled no stubs; measure on a repository with "
            "functions (`bench stubs --repo ... --limit 30`)"
        )
    return measured, stubs, measured_model


def _read_record(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = (
            json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        )
    except (OSError, UnicodeDecodeError, ValueError):
        raise SantamergeError(f"{path} is not JSON; fix or remove it first") from None
    return data


def _write_record(path: Path, data: dict[str, Any]) -> None:
    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SantamergeError(
            f"cannot write {path} ({exc.strerror}); record evidence for "
            "a model folder you can write to"
        ) from None
