"""The training corpus: permissively licensed code that is already on this machine.

The main source is the standard library of the running interpreter (PSF licence). A few
MIT-licensed npm packages can be added; they are fetched with ``npm pack`` into a cache
folder and their licence is read from their ``package.json``. Every file is assigned to
the training or the held-out set by a hash of its source and relative path, so the split
does not depend on the order of the files or on the machine. The manifest
(``corpus.json``) lists the sources, their licences, the counts and the held-out paths;
``santamerge model eval`` reads the held-out files back through :func:`held_out_documents`.
"""

from __future__ import annotations

import hashlib
import json
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from santamerge.errors import SantamergeError

MAX_BYTES = 200_000
HELD_OUT_PERCENT = 2.0
STDLIB = "python-stdlib"

# Paths (relative to the stdlib folder) that are not training text: the test suite, IDLE,
# test data, installed third-party packages, and machine-specific or generated modules.
STDLIB_SKIP_DIRS = ("test", "idlelib", "lib2to3/tests", "site-packages", "__pycache__")
STDLIB_SKIP_PREFIXES = ("_sysconfigdata",)
GENERATED_MARKERS = ("Python Character Mapping Codec",)

# Pinned MIT-licensed packages; ``npm pack`` fetches them, the licence is checked again.
NPM_PACKAGES = (
    "express@4.22.3",
    "commander@12.1.0",
    "axios@1.7.9",
    "zod@3.23.8",
    "chalk@5.3.0",
    "lodash-es@4.17.21",
)
NPM_EXTENSIONS = (".js", ".cjs", ".mjs", ".ts", ".mts", ".tsx")
NPM_SKIP_PARTS = ("dist", "umd", "__tests__", "benchmarks", "test", "tests")
MAX_LINE = 1000  # longer lines mean minified or generated code


class Source(NamedTuple):
    """Where a group of documents comes from, under which licence."""

    name: str  # "python-stdlib", "npm:express"
    licence: str
    version: str
    origin: str  # a human-readable pointer: the interpreter, the npm spec


class Document(NamedTuple):
    """One training file: its source, its path inside the source, and its text."""

    source: str
    path: str
    text: str

    @property
    def held_out(self) -> bool:
        return is_held_out(self.source, self.path)


class Corpus(NamedTuple):
    sources: tuple[Source, ...]
    documents: tuple[Document, ...]

    def train(self) -> list[Document]:
        return [d for d in self.documents if not d.held_out]

    def held_out(self) -> list[Document]:
        return [d for d in self.documents if d.held_out]

    def fingerprint(self) -> str:
        """A sha256 of every document, in order: a resumed run must see the same corpus."""
        digest = hashlib.sha256()
        for d in self.documents:
            digest.update(f"{d.source}\0{d.path}\0{len(d.text)}\0".encode())
            digest.update(d.text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def is_held_out(source: str, path: str, percent: float = HELD_OUT_PERCENT) -> bool:
    """True for about ``percent`` % of files, fixed by a hash of ``source/path``."""
    digest = hashlib.sha256(f"{source}/{path}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_source() -> Source:
    import platform

    version = platform.python_version()
    return Source(STDLIB, "PSF-2.0", version, f"CPython {version} standard library")


def stdlib_documents(root: Path | None = None) -> Iterator[Document]:
    """The ``.py`` files of the standard library, in path order, minus the skipped ones."""
    root = root or stdlib_root()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if _skipped_stdlib_path(rel):
            continue
        text = read_text(path)
        if text is None or any(m in text[:500] for m in GENERATED_MARKERS):
            continue
        yield Document(STDLIB, rel, text)


def _skipped_stdlib_path(rel: str) -> bool:
    if any(rel == d or rel.startswith(d + "/") for d in STDLIB_SKIP_DIRS):
        return True
    return "/__pycache__/" in rel or rel.rsplit("/", 1)[-1].startswith(STDLIB_SKIP_PREFIXES)


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str | None:
    """The file as text, or ``None`` when it is too large, unreadable or not UTF-8."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def npm_package_dir(spec: str, cache: Path) -> Path:
    """Fetch ``name@version`` with ``npm pack`` into ``cache`` (once) and unpack it."""
    import subprocess
    import tarfile

    name, version = spec.rsplit("@", 1)
    target = cache / f"{name.replace('/', '+')}-{version}"
    if (target / "package" / "package.json").is_file():
        return target / "package"
    cache.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            ["npm", "pack", spec, "--silent", "--pack-destination", str(cache)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SantamergeError(
            f"npm pack {spec} failed ({exc}); run without --npm or check access to the npm registry"
        ) from exc
    tarball = cache / proc.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def npm_documents(package: Path) -> tuple[Source, list[Document]]:
    """The source files of an unpacked npm package; only MIT-licensed packages are used."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    licence = str(meta.get("license", ""))
    if licence != "MIT":
        raise SantamergeError(
            f"npm package {meta.get('name')} is licensed {licence!r}, "
            "not MIT; remove it from the corpus"
        )
    name = f"npm:{meta['name']}"
    source = Source(
        name,
        licence,
        str(meta.get("version", "")),
        f"npm pack {meta['name']}@{meta.get('version', '')}",
    )
    docs = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package).as_posix()
        if not path.is_file() or not rel.endswith(NPM_EXTENSIONS) or ".min." in rel:
            continue
        if any(part in NPM_SKIP_PARTS for part in rel.split("/")[:-1]) or "umd" in rel:
            continue
        text = read_text(path)
        if text is None or any(len(line) > MAX_LINE for line in text.splitlines()):
            continue
        docs.append(Document(name, rel, text))
    return source, docs


def collect(npm_cache: Path | None = None, npm_packages: Iterable[str] = NPM_PACKAGES) -> Corpus:
    """The standard library, plus the npm packages when ``npm_cache`` is given."""
    sources = [stdlib_source()]
    documents = list(stdlib_documents())
    if npm_cache is not None:
        for spec in npm_packages:
            source, docs = npm_documents(npm_package_dir(spec, npm_cache))
            sources.append(source)
            documents.extend(docs)
    if not documents:
        raise SantamergeError(f"no training files found under {stdlib_root()}")
    return Corpus(tuple(sources), tuple(documents))


def manifest(corpus: Corpus, count_tokens: Callable[[list[str]], int]) -> dict[str, object]:
    """The ``corpus.json`` content: sources, licences, counts and the held-out paths
    (``count_tokens`` counts the tokens of a batch of texts)."""
    rows = []
    for source in corpus.sources:
        docs = [d for d in corpus.documents if d.source == source.name]
        train = [d for d in docs if not d.held_out]
        held = [d for d in docs if d.held_out]
        rows.append(
            {
                "name": source.name,
                "licence": source.licence,
                "version": source.version,
                "origin": source.origin,
                "files": {"train": len(train), "held_out": len(held)},
                "bytes": {
                    "train": sum(len(d.text.encode()) for d in train),
                    "held_out": sum(len(d.text.encode()) for d in held),
                },
                "tokens": {
                    "train": _count(count_tokens, train),
                    "held_out": _count(count_tokens, held),
                },
            }
        )
    return {
        "held_out_rule": (
            f"sha256('<source>/<path>')[:4] as a big-endian integer, mod "
            f"10000, below {int(HELD_OUT_PERCENT * 100)}"
        ),
        "sources": rows,
        "held_out": [{"source": d.source, "path": d.path} for d in corpus.held_out()],
    }


def _count(count_tokens: Callable[[list[str]], int], docs: list[Document]) -> int:
    return sum(count_tokens([d.text for d in docs[i : i + 512]]) for i in range(0, len(docs), 512))


def write_manifest(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load_manifest(path: Path) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SantamergeError(f"cannot read the corpus manifest {path}: {exc}") from exc
    return data


def held_out_documents(
    data: dict[str, object], npm_cache: Path | None = None, root: Path | None = None
) -> list[Document]:
    """Read back the held-out files a manifest names; missing ones are left out.

    Standard-library files are read from this interpreter's stdlib (or ``root``); npm
    files from ``npm_cache`` when it is given, where they were unpacked for training.
    """
    root = root or stdlib_root()
    versions = {
        str(s["name"]): str(s["version"])
        for s in data.get("sources", [])  # type: ignore[attr-defined]
        if isinstance(s, dict)
    }
    docs = []
    for entry in data.get("held_out", []):  # type: ignore[attr-defined]
        source, rel = str(entry["source"]), str(entry["path"])
        if source == STDLIB:
            path = root / rel
        elif npm_cache is not None and source.startswith("npm:"):
            name = source[4:]
            path = npm_cache / f"{name.replace('/', '+')}-{versions.get(source)}" / "package" / rel
        else:
            continue
        text = read_text(path)
        if text is not None:
            docs.append(Document(source, rel, text))
    return docs
