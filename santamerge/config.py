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


POLICIES = ("conservative", "words", "union", "calibrated", "never")  # merge.policy's names
FIM_FAMILIES = (
    "santacoder",
    "starcoder",
    "starcoder2",
    "codellama",
    "deepseek",
    "qwen",
    "codegemma",
)  # santamerge.model.fim.FAMILIES, by name


def load_settings(
    cwd: str = ".", git_values: dict[str, str] | None = None, **flags: Any
) -> Settings:
    """The settings in effect; ``flags`` holds command-line values (None = not given).

    ``git_values`` is ``git config santamerge.*`` when the caller already read it. A
    value santamerge cannot use is a ConfigError of one line: the setting, the value,
    and where it came from.
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

    return {
        "pyproject.toml": _values(_from_pyproject(cwd)),
        "git config": _values(_from_git(config_get_all("santamerge", cwd=cwd))),
        "environment": _values(_from_env()),
    }


# A layer: each setting's raw value and where it was read ("git config santamerge.policy").
Layer = dict[str, tuple[Any, str]]


def _values(layer: Layer) -> dict[str, Any]:
    return {name: raw for name, (raw, _) in layer.items()}


def _overlay(settings: Settings, values: Layer) -> Settings:
    kinds = {name: type(value).__name__ for name, value in Settings._field_defaults.items()}
    converted = {}
    for key, (raw, origin) in values.items():
        if key not in kinds:
            continue
        converted[key] = _convert(key, raw, kinds[key], origin)
        if key in _POSITIVE:
            _check_positive(key, raw, converted[key], origin)
        if key in MAXIMUM:
            converted[key] = _at_most(key, raw, converted[key])
        _check_value(key, raw, converted[key], origin)
    return settings._replace(**converted)


def _bad(key: str, raw: Any, origin: str, why: str) -> ConfigError:
    """The one line a bad setting gives: the setting, its value, where it came from."""
    return ConfigError(f"setting '{key}' has the value {raw!r} (from {origin}), {why}")


def _convert(key: str, raw: Any, kind: str, origin: str) -> Any:
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError(raw)
        if kind == "float":
            if isinstance(raw, bool):
                raise ValueError(raw)
            return float(raw)
        if kind == "int":
            if isinstance(raw, (bool, float)):
                raise ValueError(raw)
            return int(raw)
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise ValueError(raw)
        return str(raw)
    except (TypeError, ValueError):
        what = {
            "bool": "a yes/no value (true, false, 1, 0, on, off)",
            "float": "a number",
            "int": "a whole number",
            "str": "text",
        }[kind]
        raise _bad(key, raw, origin, f"which is not {what} (a {kind})") from None


def _check_positive(key: str, raw: Any, value: float, origin: str) -> None:
    import math

    if not (math.isfinite(value) and value > 0):
        raise _bad(key, raw, origin, "it must be a number above 0 (a limit cannot be switched off)")


def _check_value(key: str, raw: Any, value: Any, origin: str) -> None:
    """The settings whose text must be one of a few forms."""
    import re

    if key == "policy" and value not in POLICIES:
        raise _bad(key, raw, origin, f"which is not a policy: give {_either(POLICIES)}")
    if key == "device" and not re.fullmatch(r"auto|cpu|mps|(?:cuda|xpu)(?::\d+)?", value.strip()):
        raise _bad(
            key,
            raw,
            origin,
            f"but there is no device {value!r}; give auto, cpu, "
            "cuda, cuda:N (the N-th GPU), mps or xpu",
        )
    if key == "server" and value and not re.match(r"(?:https?://[^/]|unix:///?[^/]*)", value):
        raise _bad(
            key,
            raw,
            origin,
            "which is not a server address: give http://host:port, https://host/v1 or unix:///path",
        )
    if key == "fim_family" and value and value not in FIM_FAMILIES:
        raise _bad(key, raw, origin, f"which is not a FIM family: give {_either(FIM_FAMILIES)}")
    if key == "model" and not value.strip():
        raise _bad(
            key, raw, origin, "which names no model: give embedded, a hub id or a local folder"
        )
    if key == "keep_attempts" and value < 0:
        raise _bad(key, raw, origin, "it must be 0 or more")


def _either(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1]


def _at_most(key: str, raw: Any, value: float) -> float:
    """``value``, or the setting's maximum with one warning line (once per process)."""
    import sys

    top = MAXIMUM[key]
    if value <= top:
        return value
    if (key, value) not in _warned:
        _warned.add((key, value))
        print(
            f"santamerge: warning: setting '{key}' has the value {raw!r}, above the "
            f"maximum of {top:g} seconds; using {top:g}",
            file=sys.stderr,
        )
    return top


def _given(flags: dict[str, Any]) -> Layer:
    return {k: (v, f"--{k.replace('_', '-')}") for k, v in flags.items() if v is not None}


def _from_env() -> Layer:
    names = {f"SANTAMERGE_{name.upper()}": name for name in Settings._fields}
    return {key: (os.environ[env], env) for env, key in names.items() if env in os.environ}


def _from_git(found: dict[str, str]) -> Layer:
    keys = {name.replace("_", ""): name for name in Settings._fields}
    return {
        keys[k.split(".", 1)[1].replace("-", "")]: (v, f"git config {k}")
        for k, v in found.items()
        if k.split(".", 1)[1].replace("-", "") in keys
    }


def _from_pyproject(cwd: str) -> Layer:
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
    if not isinstance(section, dict):
        return {}
    return {
        k.replace("-", "_"): (v, f"[tool.santamerge] {k} in {path}") for k, v in section.items()
    }


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
