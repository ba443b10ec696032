"""`santamerge serve` as a real process on loopback, and the HTTP backend against it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from servers import free_port

from santamerge.model.backends.base import BackendError
from santamerge.model.backends.embedded import embedded_path
from santamerge.model.backends.http import HttpBackend, ScoringUnavailable

KEY = "correct horse battery staple"
PROMPT = "<fim-prefix>def area(w, h):\n    return<fim-suffix>\n<fim-middle>"


class Server(NamedTuple):
    url: str
    process: subprocess.Popen[str]
    log: Path


def start_server(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    ready, log = tmp / "ready.json", tmp / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "santamerge",
                "serve",
                "--port",
                str(free_port()),
                "--ready-file",
                str(ready),
                *args,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
    deadline = time.monotonic() + 120
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return Server(json.loads(ready.read_text())["url"], process, log)


def stop(server: Server) -> int:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    found = start_server(
        tmp_path_factory.mktemp("serve"),
        "--max-request-bytes",
        "20000",
        "--max-new-tokens",
        "64",
        env={"SANTAMERGE_API_KEY": KEY},
    )
    yield found
    assert stop(found) == 0


def call(
    server: Server,
    method: str,
    path: str,
    body: object = None,
    key: str | None = KEY,
    raw: bytes | None = None,
) -> tuple[int, dict[str, Any]]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_completions_come_back_with_logprobs(server: Server) -> None:
    status, answer = call(
        server,
        "POST",
        "/v1/completions",
        {"prompt": PROMPT, "max_tokens": 6, "temperature": 0, "logprobs": 1},
    )
    assert status == 200, answer
    assert answer["object"] == "text_completion" and answer["model"] == "embedded"
    (choice,) = answer["choices"]
    assert choice["text"] and choice["finish_reason"] in ("stop", "length")
    assert len(choice["logprobs"]["token_logprobs"]) == answer["usage"]["completion_tokens"]
    assert all(lp <= 0 for lp in choice["logprobs"]["token_logprobs"])


def test_n_samples_for_each_prompt_come_back_in_openai_order(server: Server) -> None:
    status, answer = call(
        server,
        "POST",
        "/v1/completions",
        {
            "prompt": [PROMPT, PROMPT.replace("area", "size")],
            "n": 3,
            "max_tokens": 4,
            "temperature": 0.9,
            "top_p": 0.95,
        },
    )
    assert status == 200, answer
    assert [c["index"] for c in answer["choices"]] == list(range(6))


def test_stop_sequences_hold(server: Server) -> None:
    body = {"prompt": PROMPT, "max_tokens": 12, "temperature": 0}
    _, free = call(server, "POST", "/v1/completions", body)
    text = free["choices"][0]["text"]
    start = len(text) - len(text.lstrip()) + 1
    stop_at = text[start : start + 2]  # a stop string the free answer certainly holds
    assert len(stop_at.strip()) == 2, text
    _, stopped = call(server, "POST", "/v1/completions", {**body, "stop": [stop_at]})
    (choice,) = stopped["choices"]
    assert stop_at not in choice["text"] and text.startswith(choice["text"])
    assert 0 < len(choice["text"]) < len(text)
    assert choice["finish_reason"] == "stop"


def test_the_api_key_is_enforced_except_for_health(server: Server) -> None:
    body = {"prompt": PROMPT, "max_tokens": 2}
    assert call(server, "POST", "/v1/completions", body, key=None)[0] == 401
    status, answer = call(server, "POST", "/v1/completions", body, key="wrong")
    assert status == 401 and answer["error"]["type"] == "authentication_error"
    assert call(server, "GET", "/v1/models", key=None)[0] == 401
    assert call(server, "GET", "/health", key=None)[0] == 200
    assert KEY not in server.log.read_text()


def test_a_bare_api_key_without_bearer_is_refused(server: Server) -> None:
    """Only `Authorization: Bearer KEY` opens the server (the scheme in any case, as
    RFC 7235 reads it); the key alone, or under another scheme, gets 401."""
    import http.client
    from urllib.parse import urlsplit

    def models(authorization: str) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(server.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.request("GET", "/v1/models", headers={"Authorization": authorization})
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    for refused in (KEY, f" {KEY}", f"Basic {KEY}", f"Bearer{KEY}", "Bearer"):
        status, answer = models(refused)
        assert status == 401, refused
        assert answer["error"]["type"] == "authentication_error"
    assert models(f"Bearer {KEY}")[0] == 200
    assert models(f"bearer {KEY}")[0] == 200
    assert KEY not in server.log.read_text()


def test_oversize_requests_are_refused(server: Server) -> None:
    status, answer = call(
        server, "POST", "/v1/completions", {"prompt": "x" * 30000, "max_tokens": 2}
    )
    assert status == 413 and "limit of 20000" in answer["error"]["message"]
    status, answer = call(server, "POST", "/v1/completions", {"prompt": PROMPT, "max_tokens": 65})
    assert status == 400 and answer["error"]["param"] == "max_tokens"
    assert call(server, "POST", "/v1/completions", raw=b"{not json")[0] == 400
    assert call(server, "POST", "/v1/completions", {"prompt": PROMPT, "model": "gpt-9"})[0] == 404


def test_two_concurrent_clients_both_get_answers(server: Server) -> None:
    results: dict[int, tuple[int, dict[str, Any]]] = {}

    def client(i: int) -> None:
        results[i] = call(
            server,
            "POST",
            "/v1/completions",
            {"prompt": PROMPT.replace("area", f"area{i}"), "max_tokens": 8, "temperature": 0},
        )

    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [0, 1]
    assert all(status == 200 and len(a["choices"]) == 1 for status, a in results.values())


def test_models_and_health_describe_the_server(server: Server) -> None:
    status, models = call(server, "GET", "/v1/models")
    assert status == 200
    (entry,) = models["data"]
    assert entry["id"] == "embedded"
    assert entry["santamerge"]["template"]["prefix"] == "<fim-prefix>"
    _, health = call(server, "GET", "/health")
    assert health["status"] == "ok" and health["pid"] == server.process.pid


def test_the_http_backend_generates_and_scores_like_the_model(server: Server) -> None:
    backend = HttpBackend(server.url, api_key=KEY)
    assert backend.template.family == "santacoder"
    prompt = backend.template.render("def add(a, b):\n    ", "\n")
    (found,) = backend.generate([prompt], n=2, max_new_tokens=6, temperature=0.8)
    assert len(found) == 2 and all(c.token_logprobs for c in found)
    good, bad = backend.score(prompt, ["return a + b", "b return + a"])
    assert good > bad
    embedded = json.loads((embedded_path() / "training.json").read_text())
    assert backend.describe()["parameters"] == embedded["parameters"]  # 4,009,728


def test_complete_and_model_info_use_a_server(server: Server) -> None:
    env = {**os.environ, "SANTAMERGE_API_KEY": KEY}
    info = subprocess.run(
        [sys.executable, "-m", "santamerge", "model", "info", "--json", "--server", server.url],
        capture_output=True,
        text=True,
        env=env,
    )
    assert info.returncode == 0, info.stderr
    facts = json.loads(info.stdout)
    assert facts["backend"].startswith("server") and facts["server"] == server.url
    assert facts["settings_from"]["server"] == "the command line"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "complete",
            "--server",
            server.url,
            "--prefix-file",
            "-",
            "--suffix-file",
            "/dev/null",
            "--json",
            "--max-new-tokens",
            "4",
        ],
        input="def f(x):\n    return ",
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["model"] == server.url


def test_the_idle_timeout_ends_the_process(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--idle-timeout", "1")
    assert server.process.wait(timeout=60) == 0
    assert "stopped (idle for 1 s)" in server.log.read_text()
    assert not (tmp_path / "ready.json").exists()


def test_sigterm_answers_the_request_in_flight_then_exits_cleanly(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    answers: list[tuple[int, dict[str, Any]]] = []
    slow = threading.Thread(
        target=lambda: answers.append(
            call(
                server,
                "POST",
                "/v1/completions",
                {
                    "prompt": [PROMPT] * 4,
                    "n": 16,
                    "max_tokens": 64,
                    "temperature": 1.0,
                    "stop": ["\uffff"],
                },
            )
        )
    )
    slow.start()
    while call(server, "GET", "/health")[1]["requests"] == 0:
        time.sleep(0.01)
    server.process.send_signal(signal.SIGTERM)
    slow.join(timeout=120)
    assert server.process.wait(timeout=60) == 0
    ((status, answer),) = answers
    assert status == 200 and len(answer["choices"]) == 64
    assert "stopped (SIGTERM)" in server.log.read_text()


def test_an_unreachable_server_gives_a_clear_error_quickly() -> None:
    backend = HttpBackend(f"http://127.0.0.1:{free_port()}", timeout=2.0, retries=2)
    started = time.monotonic()
    with pytest.raises(BackendError, match=r"cannot be reached .*santamerge serve"):
        backend.generate(["x"], max_new_tokens=2)
    assert time.monotonic() - started < 5


def test_a_stalled_server_gives_a_clear_error_within_the_timeout() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    backend = HttpBackend(f"http://127.0.0.1:{port}/v1", timeout=1.0, fim_family="starcoder")
    started = time.monotonic()
    try:
        with pytest.raises(BackendError, match="did not answer within 1 s"):
            backend.health()
        assert time.monotonic() - started < 3
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def test_a_server_without_scoring_says_so(tmp_path: Path) -> None:
    """An OpenAI-style server that lists its model but has no scoring endpoint."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Plain(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = json.dumps({"object": "list", "data": [{"id": "tiny-coder"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Plain)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with pytest.raises(BackendError, match="does not say which FIM template"):
            _ = HttpBackend(url).template
        backend = HttpBackend(url, fim_family="starcoder")
        assert backend.template.prefix == "<fim_prefix>"
        with pytest.raises(ScoringUnavailable, match="ranks without likelihoods"):
            backend.score("p", ["m"])
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_server_that_answers_one_prompt_and_one_sample_is_asked_singly() -> None:
    """llama-cpp-python's server refuses a list of prompts (500) and ignores `n`: the
    HTTP backend then asks one prompt, one sample per request, and remembers it.
    (tests/test_engine.py meets the real server, where it is installed.)"""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[object] = []

    class Single(BaseHTTPRequestHandler):
        def answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self.answer(200, {"object": "list", "data": [{"id": "one-at-a-time"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            prompt = body["prompt"]
            asked.append(prompt)
            if isinstance(prompt, list) and len(prompt) > 1:
                self.answer(500, {"error": {"message": "Internal Server Error"}})
                return
            text = prompt[0] if isinstance(prompt, list) else prompt
            self.answer(
                200, {"choices": [{"index": 0, "text": f"<{text}>", "finish_reason": "length"}]}
            )

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Single)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        backend = HttpBackend(
            f"http://127.0.0.1:{httpd.server_address[1]}", fim_family="santacoder"
        )
        got = backend.generate(["a", "b"], n=2)
        assert [[c.text for c in row] for row in got] == [["<a>", "<a>"], ["<b>", "<b>"]]
        assert asked == [["a", "b"], "a", "a", "b", "b"]
        asked.clear()
        backend.generate(["c"], n=2)  # remembered: no list asked again
        assert asked == ["c", "c"]
        (only,) = backend.generate(["d"])  # one prompt, one sample: as before
        assert [c.text for c in only] == ["<d>"] and asked[-1] == ["d"]
    finally:
        httpd.shutdown()
        httpd.server_close()
