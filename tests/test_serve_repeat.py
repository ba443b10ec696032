"""A request answered through `santamerge serve` (a real process on a Unix socket) gives
exactly what the same request gives with the model in this process: `fill`'s bodies,
`complete`'s middles, sampled or greedy, alone or while other clients are served."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo
from test_serve import Server, start_server, stop

from santamerge.model.backends.base import Completion
from santamerge.model.backends.http import HttpBackend
from santamerge.model.backends.registry import load_backend
from santamerge.model.backends.transformers import TransformersBackend
from santamerge.model.budget import context_window, token_counter
from santamerge.stubs.fill import fill_text

ROOT = Path(__file__).resolve().parents[1]
STUBS = '''

def count_words(text):
    """Count the words in text."""
    raise NotImplementedError


def last_lines(text, n):
    """The last n lines of text."""
    pass
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("repeat")
    found = start_server(tmp, "--socket", str(tmp / "s.sock"))
    assert found.url.startswith("unix://")
    yield found
    assert stop(found) == 0


@pytest.fixture(scope="module")
def local() -> TransformersBackend:
    found = load_backend("embedded")
    assert isinstance(found, TransformersBackend)
    return found


def remote(server: Server) -> HttpBackend:
    return HttpBackend(server.url)


def texts_and_logprobs(found: list[list[Completion]]) -> list[list[tuple[str, tuple[float, ...]]]]:
    return [[(c.text, c.token_logprobs) for c in cs] for cs in found]


@pytest.mark.slow
def test_fill_through_the_server_samples_and_chooses_the_in_process_bodies(
    server: Server, local: TransformersBackend, make_repo: Callable[[str], Repo]
) -> None:
    """The file is far larger than the model's context: the prompt is cut to fit it, and
    so is the repository context; both must be counted with the model's own tokenizer."""
    repo = make_repo("repo")
    sources = {
        name: (ROOT / "santamerge" / "model" / source).read_text()
        for name, source in (
            ("generate.py", "generate.py"),
            ("context.py", "budget.py"),
            ("fim.py", "fim.py"),
        )
    }
    text = sources["generate.py"] + sources["fim.py"] + STUBS
    repo.commit({**sources, "text_tools.py": text}, "files")
    path = str(repo.root / "text_tools.py")
    context, count = context_window(local), token_counter(local)
    assert count(text) > 2 * context  # it must be cut to fit

    over_http = remote(server)
    here = fill_text(local, path, text, str(repo.root), n=8)
    there = fill_text(over_http, path, text, str(repo.root), n=8)
    assert [r.stub.name for r in here[1]] == ["count_words", "last_lines"]
    assert sum(len(r.bodies) for r in here[1]) > 2  # bodies were sampled and judged
    assert there == here  # the same bodies, scores, choices and file
    assert token_counter(over_http)(text) == count(text)  # counted by the model's tokenizer


@pytest.mark.parametrize(("n", "temperature"), [(1, 0.0), (4, 0.8), (3, 1.0)])
def test_generate_through_the_server_repeats_the_model_bit_for_bit(
    server: Server, local: TransformersBackend, n: int, temperature: float
) -> None:
    template = local.template
    prompts = [
        template.render("def add(a, b):\n    ", "\n"),
        template.render(
            "import os\n\n\ndef read(path):\n    with open(path) as fh:\n        ",
            "\n\n\nprint(read('x'))\n",
        ),
    ]
    for asked in (prompts[:1], prompts):
        here = local.generate(
            asked, n=n, max_new_tokens=24, temperature=temperature, top_p=0.95, stop=["\n\n\n"]
        )
        there = remote(server).generate(
            asked, n=n, max_new_tokens=24, temperature=temperature, top_p=0.95, stop=["\n\n\n"]
        )
        assert texts_and_logprobs(there) == texts_and_logprobs(here)


def test_an_empty_stop_string_stops_nothing_either_way(
    server: Server, local: TransformersBackend
) -> None:
    """The server drops empty stop strings; in-process one used to end every middle after
    its first token."""
    prompt = local.template.render("def add(a, b):\n    ", "\n")
    plain = local.generate([prompt], n=2, max_new_tokens=12, temperature=0.8)
    here = local.generate([prompt], n=2, max_new_tokens=12, temperature=0.8, stop=[""])
    there = remote(server).generate([prompt], n=2, max_new_tokens=12, temperature=0.8, stop=[""])
    assert texts_and_logprobs(here) == texts_and_logprobs(plain)
    assert texts_and_logprobs(there) == texts_and_logprobs(here)


def test_other_clients_do_not_change_an_answer(server: Server, local: TransformersBackend) -> None:
    """Requests that arrive while the model is busy are each answered as if alone (before,
    they were batched together, and a request's samples depended on its neighbours)."""
    template = local.template
    prompts = [template.render(f"def step_{i}(state):\n    ", "\n") for i in range(4)]
    alone = [
        local.generate([p], n=4, max_new_tokens=16, temperature=0.8, top_p=0.95) for p in prompts
    ]
    results: dict[int, list[list[Completion]]] = {}
    asked = remote(server).health()["requests"]
    busy = threading.Thread(
        target=lambda: remote(server).generate(
            [prompts[0]] * 4, n=16, max_new_tokens=64, temperature=1.0, stop=["\uffff"]
        )
    )
    busy.start()  # the model is busy with this while the four below arrive together
    while remote(server).health()["requests"] < asked + 2:  # its /v1/models, its completion
        time.sleep(0.01)

    def client(i: int) -> None:
        results[i] = remote(server).generate(
            [prompts[i]], n=4, max_new_tokens=16, temperature=0.8, top_p=0.95
        )

    clients = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in clients:
        t.start()
    for t in [busy, *clients]:
        t.join(timeout=120)
    assert sorted(results) == [0, 1, 2, 3]
    for i in range(4):
        assert texts_and_logprobs(results[i]) == texts_and_logprobs(alone[i]), i


def test_complete_through_the_server_prints_the_in_process_middles(
    server: Server, tmp_path: Path
) -> None:
    prefix, suffix = tmp_path / "before.py", tmp_path / "after.py"
    prefix.write_text("import os\n\n\ndef read_config(path):\n    result = {}\n    ")
    suffix.write_text("\n    return result\n")
    command = [
        sys.executable,
        "-m",
        "santamerge",
        "complete",
        "--prefix-file",
        str(prefix),
        "--suffix-file",
        str(suffix),
        "-n",
        "4",
        "--json",
        "--max-new-tokens",
        "24",
    ]
    env = {**os.environ, "SANTAMERGE_AUTOSTART": "false"}
    here = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    there = subprocess.run(
        [*command, "--server", server.url], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert here.returncode == 0, here.stderr
    assert there.returncode == 0, there.stderr
    found_here: dict[str, Any] = json.loads(here.stdout)
    found_there: dict[str, Any] = json.loads(there.stdout)
    assert found_there["candidates"] == found_here["candidates"]
    assert len(found_here["candidates"]) == 4


def test_the_tokenize_endpoint_is_the_model_tokenizer(
    server: Server, local: TransformersBackend
) -> None:
    encode = local.encode
    over_http = remote(server)
    assert over_http.encode is not None
    for text in (
        "",
        "def f(x):\n    return x\n",
        "naïve ☃ <fim-prefix>\t\r\n" * 3,
        shutil.__doc__ or "x",
    ):
        assert over_http.encode(text) == encode(text)


def test_batch_serves_concurrent_requests_together(
    tmp_path: Path, local: TransformersBackend
) -> None:
    """--batch trades bit-exact answers for throughput: requests that arrive while the
    model is busy share a generate call. Each prompt still samples from its own seed, so
    the texts stay the in-process ones here; only the last bits of log-probabilities may
    move with the left padding of the batch."""
    found = start_server(tmp_path, "--socket", str(tmp_path / "s.sock"), "--batch")
    try:
        over_http = remote(found)
        assert over_http._served()["santamerge"]["batch"] is True
        template = local.template
        prompts = [template.render(f"def step_{i}(state):\n    return ", "\n") for i in range(4)]
        results: dict[int, list[list[Completion]]] = {}
        asked = over_http.health()["requests"]
        busy = threading.Thread(
            target=lambda: remote(found).generate(
                [prompts[0]] * 4, n=16, max_new_tokens=64, temperature=1.0, stop=["\uffff"]
            )
        )
        busy.start()
        while over_http.health()["requests"] < asked + 2:  # its /v1/models, its completion
            time.sleep(0.01)

        def client(i: int) -> None:
            results[i] = remote(found).generate(
                [prompts[i]], n=2, max_new_tokens=8, temperature=0.0
            )

        clients = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for t in clients:
            t.start()
        for t in [busy, *clients]:
            t.join(timeout=120)
        health = over_http.health()
    finally:
        assert stop(found) == 0
    assert sorted(results) == [0, 1, 2, 3]
    assert health["batches"] < 5  # the four greedy requests shared at most three calls
    for i, answer in results.items():
        (alone,) = local.generate([prompts[i]], n=2, max_new_tokens=8, temperature=0.0)
        assert [c.text for c in answer[0]] == [c.text for c in alone]
