"""The backend registry: backends by kind, and :func:`load_backend`, which opens one by
name.

Built-in backends register themselves here exactly as a third-party one would, through
:func:`register_backend`. Their modules are imported on the first load, not before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from santamerge.model.backends.base import Backend, BackendError

BackendFactory = Callable[[str, dict[str, object]], Backend]

_REGISTRY: dict[str, BackendFactory] = {}


def register_backend(kind: str, factory: BackendFactory) -> None:
    """Make ``kind:<spec>`` (and, for "transformers", a bare hub id or folder) loadable."""
    _REGISTRY[kind] = factory


def load_backend(spec: str = "embedded", **options: object) -> Backend:
    """``embedded``, ``transformers:<hub id or folder>``, a server URL (``http://``,
    ``https://``, ``unix://``), or a bare hub id or folder."""
    _register_builtins()
    kind, _, rest = spec.partition(":")
    if kind in _REGISTRY and (rest or kind == "embedded"):
        return _REGISTRY[kind](rest, options)
    if kind in _REGISTRY:
        raise BackendError(f"'{spec}' names no model; use {kind}:<model>")
    return _REGISTRY["transformers"](spec, options)


def _register_builtins() -> None:
    if "transformers" in _REGISTRY:
        return
    from santamerge.model.backends.embedded import load_embedded
    from santamerge.model.backends.http import load_http
    from santamerge.model.backends.transformers import load_transformers

    register_backend("transformers", load_transformers)
    register_backend("embedded", load_embedded)
    for scheme in ("http", "https", "unix"):
        register_backend(scheme, functools.partial(load_http, scheme=scheme))
