"""The embedded default model: trained by santamerge, shipped inside the package.

Its files live in ``santamerge/models/embedded/`` and are read through
``importlib.resources``; ``SHA256SUMS`` is verified before the model is loaded.
"""

from __future__ import annotations

from pathlib import Path

from santamerge.model.backends.base import BackendError
from santamerge.model.backends.transformers import TransformersBackend, load_transformers
from santamerge.model.checksums import SUMS, mismatches

MISSING = (
    "the embedded model is missing from this installation ({path}); reinstall "
    "santamerge, or train one with `santamerge model train`"
)


def embedded_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("santamerge") / "models" / "embedded"))


def verify_checksums(folder: Path) -> None:
    """Check every file listed in SHA256SUMS; a clear error on any mismatch."""
    if not (folder / SUMS).is_file():
        raise BackendError(MISSING.format(path=folder))
    bad = mismatches(folder)
    if bad:
        raise BackendError(
            f"the embedded model's {bad[0]} does not match its checksum; "
            "the installation is damaged: reinstall santamerge"
        )


def load_embedded(spec: str, options: dict[str, object]) -> TransformersBackend:
    folder = embedded_path()
    verify_checksums(folder)
    return load_transformers(str(folder), {**options, "name": "embedded"})
