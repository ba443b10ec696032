"""The embedded default model: trained by santamerge, shipped inside the package.

Its files live in ``santamerge/models/embedded/`` and are read through
``importlib.resources``; ``SHA256SUMS`` is verified before the model is loaded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from santamerge.backends import BackendError
from santamerge.backends.hf import TransformersBackend, load_transformers

MISSING = ("the embedded model is missing from this installation ({path}); reinstall "
           "santamerge, or train one with `santamerge model train`")


def embedded_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("santamerge") / "models" / "embedded"))


def verify_checksums(folder: Path) -> None:
    """Check every file listed in SHA256SUMS; a clear error on any mismatch."""
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        raise BackendError(MISSING.format(path=folder))
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        path = folder / name.lstrip("*")
        if not path.is_file() or _sha256(path) != digest:
            raise BackendError(f"the embedded model's {path.name} does not match its checksum; "
                               "the installation is damaged: reinstall santamerge")


def load_embedded(spec: str, options: dict[str, object]) -> TransformersBackend:
    folder = embedded_path()
    verify_checksums(folder)
    return load_transformers(str(folder), {**options, "name": "embedded"})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
