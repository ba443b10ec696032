"""A private scratch repository that borrows a repository's objects: git's own merges
(``git merge-tree``), run with none of the user's configuration, attributes or merge
drivers, and nothing written into the repository. The replay of past merges
(santamerge.bench.replay) and the reproduction of git's hunks
(santamerge.merge.workspace.gitmerge) both run git there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from santamerge import git
from santamerge.errors import GitError

# Variables that would point git at another repository, object store or index than the
# one named: dropped from every git command that reads the repository.
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)


def repository_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}


# The scratch repository's whole configuration: git's defaults, and diff3 markers. The
# attributes file is named so that git does not read its default,
# $XDG_CONFIG_HOME/git/attributes.
_SCRATCH_CONFIG = """\
[core]
\trepositoryformatversion = {version}
\tbare = true
\tattributesFile = {devnull}
\tautocrlf = false
[merge]
\tconflictStyle = diff3
{extensions}"""


def scratch_repository(git_dir: Path, scratch: Path) -> dict[str, str]:
    """Make ``scratch`` (an empty folder) a bare repository that reads ``git_dir``'s
    objects through objects/info/alternates, and return the environment in which git
    commands see only it: no system or global config, no attributes but its own (none),
    no variable naming another repository, HOME and XDG_CONFIG_HOME inside it.

    Run git there with ``--git-dir scratch`` and ``cwd=scratch``: its merges are git's
    own, whatever merge drivers and attributes the repository or the user configured,
    and what they write (objects) stays in ``scratch``."""
    proc = git.run_git(
        "--git-dir",
        str(git_dir),
        "rev-parse",
        "--git-path",
        "objects",
        "--git-path",
        "shallow",
        "--show-object-format",
        check=False,
        env=repository_env(),
    )
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != 3:
        raise GitError(f"could not read the repository at {git_dir}: {git.last_line(proc.stderr)}")
    objects, shallow, object_format = (
        os.path.abspath(lines[0]),
        os.path.abspath(lines[1]),
        lines[2].strip(),
    )
    (scratch / "refs").mkdir()
    (scratch / "objects" / "info").mkdir(parents=True)
    (scratch / "objects" / "info" / "alternates").write_text(objects + "\n", encoding="utf-8")
    if os.path.isfile(shallow):  # a shallow clone: its cut-off commits have no parents
        shutil.copyfile(shallow, scratch / "shallow")
    (scratch / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    sha1 = object_format in ("", "sha1")
    (scratch / "config").write_text(
        _SCRATCH_CONFIG.format(
            version=0 if sha1 else 1,
            devnull=os.devnull,
            extensions="" if sha1 else f"[extensions]\n\tobjectFormat = {object_format}\n",
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k == "GIT_EXEC_PATH"}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ATTR_NOSYSTEM": "1",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "HOME": str(scratch),
            "XDG_CONFIG_HOME": str(scratch),
        }
    )
    return env
