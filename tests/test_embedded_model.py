"""The real embedded model that ships in the package, on the CPU."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from santamerge.model.backends.base import Backend, BackendError
from santamerge.model.backends.embedded import embedded_path, verify_checksums
from santamerge.model.backends.registry import load_backend


@pytest.fixture(scope="module")
def backend() -> Backend:
    return load_backend("embedded", device="cpu")


def test_it_is_a_multi_query_gpt_bigcode_with_santacoder_tokens(backend: Backend) -> None:
    facts = backend.describe()
    assert facts["architecture"] == "gpt_bigcode" and facts["multi_query"] is True
    assert facts["family"] == "santacoder" and facts["device"] == "cpu"
    size = sum(p.stat().st_size for p in embedded_path().iterdir())
    assert size <= 40 * 1024 * 1024


@pytest.mark.xfail(
    strict=True,
    reason="the CPU-trained embedded model cannot yet: in PSM it "
    "writes '       self.assertEqual(self.info(), ...' (docs/model-card.md); "
    "a GPU-trained model should make this pass, and strict xfail then asks "
    "for the marker to go",
)
def test_it_completes_an_obvious_middle(backend: Backend) -> None:
    from santamerge.model.generate import Gap, fill_gaps

    prefix = "import sys\n\n\ndef main():\n    print(sys.argv)\n\n\nif __name__ == "
    (found,) = fill_gaps(backend, [Gap(prefix, ":\n    main()\n")], max_new_tokens=12)
    assert found[0].text.strip() in ('"__main__"', "'__main__'")


def test_score_prefers_the_true_middle_over_a_shuffled_one(backend: Backend) -> None:
    cases = [
        ("def add(a, b):\n    ", "\n", "return a + b", "b return + a"),
        ("for i in range(10):\n    ", "\n", "print(i)", "i)(print"),
        ("import os\npath = os.path.", "('a', 'b')\n", "join", "nijo"),
    ]
    for prefix, suffix, true, shuffled in cases:
        prompt = backend.template.render(prefix, suffix)
        good, bad = backend.score(prompt, [true, shuffled])
        assert good > bad, (true, good, bad)


def test_generate_returns_n_candidates(backend: Backend) -> None:
    prompt = backend.template.render("def area(w, h):\n    return ", "\n")
    found = backend.generate([prompt, prompt], n=3, max_new_tokens=8, temperature=0.8)
    assert [len(c) for c in found] == [3, 3]


def test_a_damaged_model_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "embedded"
    shutil.copytree(embedded_path(), copy)
    verify_checksums(copy)
    data = bytearray((copy / "config.json").read_bytes())
    data[-2:-2] = b" "
    (copy / "config.json").write_bytes(bytes(data))
    with pytest.raises(BackendError, match="does not match its checksum"):
        verify_checksums(copy)
