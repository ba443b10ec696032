"""``SHA256SUMS`` files, in ``sha256sum`` format: written when a model is exported,
checked before the embedded model is loaded."""

from __future__ import annotations

import hashlib
from pathlib import Path

SUMS = "SHA256SUMS"


def sha256sums(folder: Path) -> str:
    """``sha256sum`` lines for every file under ``folder`` but ``SHA256SUMS`` itself."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != SUMS:
            lines.append(f"{file_sha256(path)}  {rel}\n")
    return "".join(lines)


def mismatches(folder: Path) -> list[str]:
    """The files listed in ``SHA256SUMS`` whose hash differs, or that are missing."""
    bad = []
    for line in (folder / SUMS).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, rel = line.split(maxsplit=1)
        rel = rel.lstrip("*")
        path = folder / rel
        if not path.is_file() or file_sha256(path) != digest:
            bad.append(rel)
    return bad


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
