"""Settings, from the places the ecosystem uses.

Precedence: command-line flags, then ``SANTAMERGE_*`` environment variables, then git
config (``santamerge.*``), then ``[tool.santamerge]`` in the repository's
``pyproject.toml``, then the defaults below.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path


class Settings(NamedTuple):
    timeout: float = 10.0  # seconds the merge driver may spend before it gives git's result
    policy: str = "conservative"  # the auto-apply policy (santamerge.merge.ranking.policy.POLICIES)
    disable: bool = False  # the kill switch: git's own merge, untouched
    max_bytes: int = 1_000_000  # larger inputs get git's own merge
    keep_attempts: int = 100  # stored merge-driver attempts kept per repository
    model: str = "embedded"  # "embedded", a hub id, a local folder, or "<backend>:<model>"
    device: str = "auto"  # "auto" (CUDA, then MPS, then CPU), "cpu", "cuda", "cuda:1", ...
    server: str = ""  # an OpenAI-compatible server (http://host:port, unix:///socket)
    fim_family: str = ""  # the FIM template of a server that does not say (not santamerge's)
    server_timeout: float = 60.0  # seconds one request to a server may take
    autostart: bool = True  # per-file processes start and share a local `santamerge serve`
    idle_timeout: float = 600.0  # seconds an auto-started server waits before it exits
    driver_model: bool = False  # the merge driver asks the model too (stored, not written)
    fill_write: bool = False  # `fill` writes bodies even without evidence (docs/fill.md)


# Settings that must be a finite number above zero: 0, a negative number, inf or nan
# would switch a limit off (a hung merge driver never returns) instead of setting it.
_POSITIVE = frozenset({"timeout", "server_timeout", "idle_timeout", "max_bytes"})
# The most seconds a time limit may be: a larger one (``1e9``, ``1e308``) is not a limit a
# person waits out, and some overflow the system's timers. It is lowered to this, with
# one warning line.
MAXIMUM = {"timeout": 600.0, "server_timeout": 3600.0, "idle_timeout": 86400.0}
_warned: set[tuple[str, float]] = set()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_settings(cwd: str = ".", git_values: dict[str, str] | None = None,
                  **flags: Any) -> Settings:
    """The settings in effect; ``flags`` holds command-line values (None = not given).

    ``git_values`` is ``git config santamerge.*`` when the caller already read it.
    """
    if git_values is None:
        from santamerge.git import config_get_all

        git_values = config_get_all("santamerge", cwd=cwd)
    layers = [_from_pyproject(cwd), _from_git(git_values), _from_env(), _given(flags)]
    settings = Settings()
    for layer in layers:
        settings = _overlay(settings, layer)
    return settings


def setting_origin(name: str, cwd: str = ".", flag: object = None) -> str:
    """Where the value of setting ``name`` comes from, for `model info`."""
    if flag is not None:
        return "the command line"
    for origin, values in reversed(settings_sources(cwd).items()):
        if name in values:
            return origin
    return "the default"


def settings_sources(cwd: str = ".") -> dict[str, dict[str, Any]]:
    from santamerge.git import config_get_all

    return {"pyproject.toml": _from_pyproject(cwd),
            "git config": _from_git(config_get_all("santamerge", cwd=cwd)),
            "environment": _from_env()}


def _overlay(settings: Settings, values: dict[str, Any]) -> Settings:
    kinds = {name: type(value).__name__ for name, value in Settings._field_defaults.items()}
    converted = {}
    for key, raw in values.items():
        if key not in kinds:
            continue
        converted[key] = _convert(key, raw, kinds[key])
        if key in _POSITIVE:
            _check_positive(key, raw, converted[key])
        if key in MAXIMUM:
            converted[key] = _at_most(key, raw, converted[key])
    return settings._replace(**converted)


def _convert(key: str, raw: Any, kind: str) -> Any:
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError(raw)
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
        return str(raw)
    except ValueError:
        raise ConfigError(f"setting '{key}' has the value {raw!r}, which is not a {kind}; "
                          f"fix it in SANTAMERGE_{key.upper()}, git config santamerge.{key} "
                          "or [tool.santamerge]") from None


def _check_positive(key: str, raw: Any, value: float) -> None:
    import math

    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"setting '{key}' has the value {raw!r}; it must be a number above "
                          f"0 (a limit cannot be switched off); fix it in "
                          f"SANTAMERGE_{key.upper()}, git config santamerge.{key} or "
                          "[tool.santamerge]")


def _at_most(key: str, raw: Any, value: float) -> float:
    """``value``, or the setting's maximum with one warning line (once per process)."""
    import sys

    top = MAXIMUM[key]
    if value <= top:
        return value
    if (key, value) not in _warned:
        _warned.add((key, value))
        print(f"santamerge: warning: setting '{key}' has the value {raw!r}, above the "
              f"maximum of {top:g} seconds; using {top:g}", file=sys.stderr)
    return top


def _given(flags: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flags.items() if v is not None}


def _from_env() -> dict[str, Any]:
    names = {f"SANTAMERGE_{name.upper()}": name for name in Settings._fields}
    return {key: os.environ[env] for env, key in names.items() if env in os.environ}


def _from_git(found: dict[str, str]) -> dict[str, Any]:
    keys = {name.replace("_", ""): name for name in Settings._fields}
    return {keys[k.split(".", 1)[1].replace("-", "")]: v for k, v in found.items()
            if k.split(".", 1)[1].replace("-", "") in keys}


def _from_pyproject(cwd: str) -> dict[str, Any]:
    path = _find_upwards(cwd, "pyproject.toml")
    if path is None:
        return {}
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    section = data.get("tool", {}).get("santamerge", {})
    return {k.replace("-", "_"): v for k, v in section.items()} if isinstance(section, dict) else {}


def _find_upwards(start: str, name: str) -> str | None:
    """``name`` in ``start`` or a parent, stopping at the repository's top."""
    folder = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(folder, name)):
            return os.path.join(folder, name)
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            return None
        folder = parent


def cache_folder(name: str) -> Path:
    """``$XDG_CACHE_HOME/santamerge/NAME`` (``~/.cache`` without it): where santamerge
    keeps what it can build again (replayed merges, training files, corpus archives)."""
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "santamerge" / name
