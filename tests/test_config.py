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
        "[tool.santamerge]\ntimeout = 3\npolicy = 'words'\nkeep-attempts = 7\nmax_bytes = 5\n"
    )
    root = str(repo.root)
    assert load_settings(root) == Settings(
        timeout=3.0, policy="words", keep_attempts=7, max_bytes=5
    )
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
    with pytest.raises(
        ConfigError,
        match=r"'timeout' has the value 'soon' \(from "
        r"SANTAMERGE_TIMEOUT\), which is not a number",
    ):
        load_settings(str(tmp_path))


def test_backend_settings_and_the_choice_they_make(
    make_repo,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from santamerge.model.backends.choose import choose_backend

    repo: Repo = make_repo("r")
    root = str(repo.root)
    (repo.root / "pyproject.toml").write_text("[tool.santamerge]\nidle-timeout = 30\n")
    settings = load_settings(root)
    assert settings.idle_timeout == 30.0
    assert choose_backend(settings).kind == "in process"  # one-off commands load here
    local = choose_backend(settings, per_file=True)
    assert local.kind == "local server" and local.where.startswith("unix://")
    monkeypatch.setenv("SANTAMERGE_AUTOSTART", "off")
    assert choose_backend(load_settings(root), per_file=True).kind == "in process"
    repo.git("config", "santamerge.server", "http://10.0.0.7:8000/v1")
    repo.git("config", "santamerge.fim-family", "starcoder")
    settings = load_settings(root)
    assert settings.fim_family == "starcoder"
    assert choose_backend(settings, per_file=True) == choose_backend(settings)
    assert choose_backend(settings).where == "http://10.0.0.7:8000/v1"


def test_the_checked_names_are_the_ones_santamerge_knows() -> None:
    """config.py checks policy and fim_family against names it keeps without importing
    the modules that define them (the merge driver's start-up); they must agree."""
    from santamerge import config
    from santamerge.commands.options import POLICY_NAMES
    from santamerge.merge.ranking.policy import POLICIES
    from santamerge.model.fim import FAMILIES

    assert set(config.POLICIES) == set(POLICY_NAMES) == set(POLICIES.NAMES)
    assert set(config.FIM_FAMILIES) == {t.family for t in FAMILIES}
