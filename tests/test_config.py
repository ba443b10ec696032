"""Settings: flags, then SANTAMERGE_* variables, then git config, then pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Repo

from santamerge.config import Settings, load_settings
from santamerge.errors import ConfigError


def test_defaults(tmp_path: Path) -> None:
    assert load_settings(str(tmp_path)) == Settings()


def test_precedence(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("r")
    (repo.root / "pyproject.toml").write_text(
        "[tool.santamerge]\ntimeout = 3\npolicy = 'words'\nkeep-attempts = 7\nmax_bytes = 5\n")
    root = str(repo.root)
    assert load_settings(root) == Settings(timeout=3.0, policy="words", keep_attempts=7,
                                           max_bytes=5)
    repo.git("config", "santamerge.timeout", "4")
    repo.git("config", "santamerge.policy", "never")
    assert load_settings(root)[:2] == (4.0, "never")
    monkeypatch.setenv("SANTAMERGE_TIMEOUT", "5")
    assert load_settings(root).timeout == 5.0
    assert load_settings(root, timeout=6.0).timeout == 6.0
    assert load_settings(root, timeout=None).timeout == 5.0
    monkeypatch.setenv("SANTAMERGE_DISABLE", "yes")
    assert load_settings(root).disable is True


def test_bad_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SANTAMERGE_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="'timeout' has the value 'soon', which is not a float"):
        load_settings(str(tmp_path))
