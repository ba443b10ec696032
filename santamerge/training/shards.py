"""A training corpus that travels: permissively licensed source distributions from PyPI
and npm, read, filtered and packed into compressed shards with a manifest.

The GPU machine reaches no network and receives at most 64 MiB of files outside git, so
the corpus is built here, once, reproducibly: a curated list of pinned packages
(``PACKAGES``), each fetched by name from its registry (``pip download`` of the source
distribution, ``npm pack``), its archive's sha256 and its licence recorded. The licence
is read from the package's own metadata (PKG-INFO's License-Expression, License or
classifiers; package.json's ``license``) and must be one of ``ALLOWED``; a package whose
licence says otherwise is refused, whatever the list expects.

The shards are xz-compressed JSON lines (``{"source", "path", "text"}``, in the order
the manifest lists the packages), cut at ``SHARD_BYTES`` of text. A package that would
take the shards past the budget (40 MiB by default, estimated at the compression ratio
so far) is left out, and the list goes on with the next.
``manifest.json`` names every source (registry, version, licence and its evidence,
archive checksum, files, bytes) and every shard (its sha256). ``read_shards`` checks each
shard against the manifest before training reads it.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import subprocess
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.training.corpus import (
    HELD_OUT_PERCENT,
    MAX_BYTES,
    MAX_LINE,
    Corpus,
    Document,
    Source,
)

MANIFEST = "manifest.json"
SCHEMA = 1
SHARD_BYTES = 48 * 2**20  # text per shard, before compression
BUDGET_MIB = 40.0  # with the tracked tree (about 19 MiB) the shards must travel in 64 MiB
EXTENSIONS = (
    ".py",
    ".pyi",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".mts",
    ".tsx",
    ".jsx",
    ".go",
    ".rs",
    ".java",
)
SKIP_PARTS = (
    "node_modules",
    "__pycache__",
    "dist",
    "build",
    "vendor",
    "vendored",
    "_vendor",
    "third_party",
    "site-packages",
    "min",
    "umd",
    "fixtures",
    "data",
)
ALLOWED = {  # SPDX ids, and the words PKG-INFO and classifiers use for them
    "MIT": "MIT",
    "MIT License": "MIT",
    "BSD": "BSD-3-Clause",
    "BSD-3-Clause": "BSD-3-Clause",
    "BSD 3-Clause": "BSD-3-Clause",
    "BSD-2-Clause": "BSD-2-Clause",
    "BSD License": "BSD-3-Clause",
    "Apache-2.0": "Apache-2.0",
    "Apache 2.0": "Apache-2.0",
    "Apache Software License": "Apache-2.0",
    "Apache License 2.0": "Apache-2.0",
    "Apache License, Version 2.0": "Apache-2.0",
    "ISC": "ISC",
    "ISC License (ISCL)": "ISC",
    "PSF-2.0": "PSF-2.0",
    "Python Software Foundation License": "PSF-2.0",
}


class Package(NamedTuple):
    registry: str  # "pypi" or "npm"
    name: str
    version: str
    licence: str  # the SPDX id expected; the package's own metadata must agree


# Popular, permissively licensed projects whose source distributions hold much hand-written
# code, largest first within each language; pinned, so that a build is reproducible.
PACKAGES = (
    Package("pypi", "Django", "5.1.4", "BSD-3-Clause"),
    Package("pypi", "sympy", "1.13.3", "BSD-3-Clause"),
    Package("pypi", "transformers", "4.46.3", "Apache-2.0"),
    Package("pypi", "pandas", "2.2.3", "BSD-3-Clause"),
    Package("pypi", "scipy", "1.14.1", "BSD-3-Clause"),
    Package("pypi", "scikit-learn", "1.5.2", "BSD-3-Clause"),
    Package("pypi", "astropy", "6.1.6", "BSD-3-Clause"),
    Package("pypi", "statsmodels", "0.14.4", "BSD-3-Clause"),
    Package("pypi", "SQLAlchemy", "2.0.36", "MIT"),
    Package("pypi", "twisted", "24.10.0", "MIT"),
    Package("pypi", "networkx", "3.4.2", "BSD-3-Clause"),
    Package("pypi", "dask", "2024.11.2", "BSD-3-Clause"),
    Package("pypi", "xarray", "2024.11.0", "Apache-2.0"),
    Package("pypi", "mypy", "1.13.0", "MIT"),
    Package("pypi", "numpy", "2.1.3", "BSD-3-Clause"),
    Package("pypi", "tornado", "6.4.2", "Apache-2.0"),
    Package("pypi", "aiohttp", "3.11.7", "Apache-2.0"),
    Package("pypi", "pytest", "8.3.3", "MIT"),
    Package("pypi", "ipython", "8.29.0", "BSD-3-Clause"),
    Package("pypi", "Werkzeug", "3.1.3", "BSD-3-Clause"),
    Package("pypi", "flask", "3.1.0", "BSD-3-Clause"),
    Package("pypi", "requests", "2.32.3", "Apache-2.0"),
    Package("pypi", "click", "8.1.7", "BSD-3-Clause"),
    Package("pypi", "rich", "13.9.4", "MIT"),
    Package("pypi", "ruff", "0.9.9", "MIT"),  # Rust
    Package("npm", "three", "0.170.0", "MIT"),
    Package("npm", "eslint", "9.15.0", "MIT"),
    Package("npm", "webpack", "5.96.1", "MIT"),
    Package("npm", "rxjs", "7.8.1", "Apache-2.0"),
    Package("npm", "date-fns", "4.1.0", "MIT"),
    Package("npm", "express", "4.21.1", "MIT"),
    Package("npm", "axios", "1.7.9", "MIT"),
    Package("npm", "lodash", "4.17.21", "MIT"),
    Package("npm", "commander", "12.1.0", "MIT"),
    Package("npm", "zod", "3.23.8", "MIT"),
    Package("pypi", "homeassistant", "2026.9.4", "Apache-2.0"),
    Package("pypi", "salt", "3008.5", "Apache-2.0"),
    Package("pypi", "Cython", "3.3.1", "Apache-2.0"),
    Package("pypi", "nltk", "3.9", "Apache-2.0"),
    Package("pypi", "matplotlib", "3.9.4", "PSF-2.0"),
)

Fetch = Callable[[Package, Path], Path]


# -- fetching and reading one package ---------------------------------------------------


def fetch(package: Package, cache: Path) -> Path:
    """The package's source archive in ``cache``, fetched by name once."""
    folder = cache / package.registry
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{package.name}-{package.version}".lower().replace("_", "-")
    for path in folder.iterdir():
        if path.name.lower().replace("_", "-").startswith(stem + "."):
            return path
    if package.registry == "pypi":
        return _pypi_sdist(package, folder)
    command = [
        "npm",
        "pack",
        f"{package.name}@{package.version}",
        "--silent",
        "--pack-destination",
        str(folder),
    ]
    try:
        subprocess.run(command, capture_output=True, text=True, check=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SantamergeError(
            f"could not fetch {package.registry} {package.name} "
            f"{package.version} ({exc}); check access to the registry"
        ) from None
    for path in folder.iterdir():
        if path.name.lower().replace("_", "-").startswith(stem.lstrip("@").replace("/", "-") + "."):
            return path
    raise SantamergeError(f"{package.name} {package.version}: no archive was written to {folder}")


def _pypi_sdist(package: Package, folder: Path) -> Path:
    """Download the source distribution from the package index's simple API (PEP 691),
    checking the sha256 the index gives; no build step runs (``pip download`` would
    prepare metadata, which needs each project's build backend)."""
    import urllib.request

    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    name = package.name.lower().replace("_", "-").replace(".", "-")
    request = urllib.request.Request(
        f"{index}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            files = json.loads(response.read())["files"]
        wanted = [
            f
            for f in files
            if f["filename"].lower().replace("_", "-").startswith(f"{name}-{package.version}.")
            and f["filename"].endswith((".tar.gz", ".zip"))
        ]
        if not wanted:
            raise SantamergeError(
                f"{package.name} {package.version}: the index has no source distribution of it"
            )
        chosen = wanted[0]
        with urllib.request.urlopen(chosen["url"], timeout=600) as response:
            data = response.read()
    except (OSError, ValueError, KeyError) as exc:
        raise SantamergeError(
            f"could not fetch {package.name} {package.version} from "
            f"{index} ({exc}); check access to the package index"
        ) from None
    digest = chosen.get("hashes", {}).get("sha256")
    if digest and _sha256(data) != digest:
        raise SantamergeError(f"{chosen['filename']}: its sha256 is not the index's")
    path = folder / chosen["filename"]
    path.write_bytes(data)
    return path


METADATA = ("PKG-INFO", "package.json")  # read whatever their size


def members(archive: Path) -> Iterator[tuple[str, bytes]]:
    """(path without the archive's top folder, bytes) of each regular file of at most
    MAX_BYTES, and of the package's metadata files whatever their size."""

    def wanted(name: str, size: int) -> bool:
        return size <= MAX_BYTES or name.split("/", 1)[-1] in METADATA

    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                if not info.is_dir() and wanted(info.filename, info.file_size):
                    yield info.filename.split("/", 1)[-1], z.read(info)
        return
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and wanted(member.name, member.size):
                handle = tar.extractfile(member)
                if handle is not None:
                    yield member.name.split("/", 1)[-1], handle.read()


def licence_of(package: Package, files: dict[str, bytes]) -> tuple[str, str]:
    """The SPDX id the package's own metadata gives, and the evidence (the field)."""
    if package.registry == "npm":
        meta = json.loads(files.get("package.json", b"{}"))
        raw = meta.get("license")
        found = raw.get("type") if isinstance(raw, dict) else raw
        return ALLOWED.get(str(found), f"not allowed: {found}"), f"package.json license: {found}"
    info = files.get("PKG-INFO", b"").decode("utf-8", "replace")
    fields = [line.partition(":") for line in info.splitlines()[:200]]
    for key, _, value in fields:
        if key in ("License-Expression", "License") and value.strip() in ALLOWED:
            return ALLOWED[value.strip()], f"PKG-INFO {key}: {value.strip()}"
    for key, _, value in fields:
        if key == "Classifier" and value.strip().startswith("License :: OSI Approved :: "):
            name = value.strip().rsplit(" :: ", 1)[-1]
            if name in ALLOWED:
                return ALLOWED[name], f"PKG-INFO Classifier: {value.strip()}"
    heads = [
        value.strip()[:60] for key, _, value in fields if key in ("License-Expression", "License")
    ]
    return f"not allowed: {heads[:1] or 'no licence field'}", "PKG-INFO"


def documents_of(package: Package, files: dict[str, bytes]) -> list[Document]:
    """The hand-written source files of a package, in path order."""
    source = f"{package.registry}:{package.name}"
    docs = []
    for path in sorted(files):
        parts = path.split("/")
        if not path.endswith(EXTENSIONS) or ".min." in path or path.endswith(".d.ts"):
            continue
        if any(p in SKIP_PARTS for p in parts[:-1]):
            continue
        try:
            text = files[path].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.strip() or any(len(line) > MAX_LINE for line in text.splitlines()):
            continue
        docs.append(Document(source, path, text))
    return docs


# -- building and reading the shards -------------------------------------------------------


class Built(NamedTuple):
    folder: Path
    manifest: dict[str, Any]


def build(
    out: Path,
    cache: Path,
    packages: tuple[Package, ...] = PACKAGES,
    budget_mib: float = BUDGET_MIB,
    fetcher: Fetch = fetch,
    shard_bytes: int = SHARD_BYTES,
    on_package: Callable[[Package, dict[str, Any]], None] | None = None,
) -> Built:
    """Fetch, read and pack ``packages`` into ``out``; stop adding packages once the
    shards reach ``budget_mib``. Writes ``manifest.json`` last."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("corpus-*.jsonl.xz"):
        old.unlink()
    writer = _ShardWriter(out, shard_bytes)
    sources: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    budget = budget_mib * 2**20
    for package in packages:
        if writer.compressed_bytes() >= budget:
            skipped.append({"name": package.name, "why": "the budget was reached"})
            continue
        archive = fetcher(package, cache)
        files = dict(members(archive))
        licence, evidence = licence_of(package, files)
        if licence != package.licence:
            raise SantamergeError(
                f"{package.registry} {package.name} {package.version}: its "
                f"metadata says {licence!r} ({evidence}), not "
                f"{package.licence}; remove it from the list"
            )
        docs = documents_of(package, files)
        size = sum(len(d.text.encode()) for d in docs)
        if writer.compressed_bytes() + size * writer.ratio() > budget:
            skipped.append({"name": package.name, "why": "it would not fit the budget"})
            continue
        for d in docs:
            writer.add(d)
        row = {
            "registry": package.registry,
            "name": package.name,
            "version": package.version,
            "licence": licence,
            "evidence": evidence,
            "archive": archive.name,
            "archive_sha256": _sha256(archive.read_bytes()),
            "files": len(docs),
            "bytes": size,
        }
        sources.append(row)
        if on_package is not None:
            on_package(package, row)
    shards = writer.close()
    manifest = {
        "schema": SCHEMA,
        "budget_mib": budget_mib,
        "shard_bytes": shard_bytes,
        "held_out_rule": (
            f"sha256('<source>/<path>')[:4] as a big-endian integer, mod "
            f"10000, below {int(HELD_OUT_PERCENT * 100)}"
        ),
        "extensions": list(EXTENSIONS),
        "sources": sources,
        "left_out": skipped,
        "shards": shards,
        "totals": {
            "files": sum(s["files"] for s in sources),
            "bytes": sum(s["bytes"] for s in sources),
            "compressed_bytes": sum(s["bytes"] for s in shards),
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return Built(out, manifest)


class _ShardWriter:
    """Writes documents into numbered xz shards of at most ``limit`` text bytes each."""

    def __init__(self, out: Path, limit: int) -> None:
        self.out, self.limit = out, limit
        self.done: list[dict[str, Any]] = []
        self.current: lzma.LZMAFile | None = None
        self.path = out
        self.raw = self.count = 0

    def add(self, doc: Document) -> None:
        line = (
            json.dumps(
                {"source": doc.source, "path": doc.path, "text": doc.text}, ensure_ascii=False
            ).encode("utf-8")
            + b"\n"
        )
        if self.current is None or (self.raw and self.raw + len(line) > self.limit):
            self._finish()
            self.path = self.out / f"corpus-{len(self.done):05d}.jsonl.xz"
            self.current = lzma.LZMAFile(self.path, "wb", preset=6)  # noqa: SIM115
            self.raw = self.count = 0
        self.current.write(line)
        self.raw += len(line)
        self.count += 1

    def _finish(self) -> None:
        if self.current is None:
            return
        self.current.close()
        self.current = None
        data = self.path.read_bytes()
        self.done.append(
            {
                "file": self.path.name,
                "sha256": _sha256(data),
                "bytes": len(data),
                "documents": self.count,
                "text_bytes": self.raw,
            }
        )

    def ratio(self) -> float:
        """Compressed bytes per text byte so far (0.3 before a shard is done: code
        compresses to about 0.14)."""
        raw = sum(s["text_bytes"] for s in self.done)
        return sum(s["bytes"] for s in self.done) / raw if raw else 0.3

    def compressed_bytes(self) -> int:
        """The shards' size so far. The open shard's is estimated: xz holds back up to
        its dictionary (8 MiB) before it writes, so its bytes are counted at the ratio
        of the shards done (0.3 before the first is done)."""
        done = sum(s["bytes"] for s in self.done)
        if self.current is None:
            return done
        return done + max(self.path.stat().st_size, int(self.raw * self.ratio()))

    def close(self) -> list[dict[str, Any]]:
        self._finish()
        return self.done


def read_shards(folder: Path) -> Corpus:
    """The corpus packed in ``folder``, each shard checked against the manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SantamergeError(
            f"{folder}: no readable {MANIFEST} ({exc}); build the shards "
            "with `santamerge model corpus --out FOLDER`"
        ) from None
    if manifest.get("schema") != SCHEMA:
        raise SantamergeError(
            f"{folder / MANIFEST}: schema {manifest.get('schema')!r}, "
            f"not {SCHEMA}; build the shards again"
        )
    documents = []
    for shard in manifest["shards"]:
        path = folder / shard["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SantamergeError(f"{path}: cannot read it ({exc.strerror})") from None
        if _sha256(data) != shard["sha256"]:
            raise SantamergeError(
                f"{path}: its sha256 differs from the manifest's; the "
                "shard is damaged or was changed (build the shards again)"
            )
        for line in lzma.decompress(data).splitlines():
            record = json.loads(line)
            documents.append(Document(record["source"], record["path"], record["text"]))
    sources = tuple(
        Source(
            f"{s['registry']}:{s['name']}",
            s["licence"],
            s["version"],
            f"{s['registry']} {s['name']} {s['version']} ({s['archive']})",
        )
        for s in manifest["sources"]
    )
    if not documents:
        raise SantamergeError(f"{folder}: the shards hold no documents")
    return Corpus(sources, tuple(documents))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
