"""``santamerge serve``: one model kept loaded, answering over HTTP.

git starts the merge driver once per conflicted file; importing torch and loading a model
in each of them would cost seconds per file. A server loads the model once and answers:

- ``POST /v1/completions``: a subset of OpenAI's completions API (``prompt`` as a string
  or a list, ``n``, ``max_tokens``, ``temperature``, ``top_p``, ``stop``, ``logprobs``;
  ``suffix`` renders the model's own FIM template around the prompt);
- ``POST /santamerge/v1/score``: the log-likelihood of given middles after a prompt
  (``{"prompt": ..., "middles": [...]}``), which OpenAI's API has no word for;
- ``POST /santamerge/v1/tokenize``: the model's token ids of given texts
  (``{"texts": [...]}``), so that a client fits its prompts to the context window exactly
  as an in-process model would;
- ``GET /v1/models``: the model, with santamerge's FIM template under ``"santamerge"``;
- ``GET /health``: liveness, with the process id and counts (no API key needed).

Requests are answered by threads, and the model by one worker thread, so there is no
lock contention inside torch. Each generation request is one ``generate`` call, exactly
the call the same request makes in-process: its answer repeats the in-process answer bit
for bit. With ``--batch``, whatever arrived while the model was busy is taken in one batch
instead (generation requests that share their sampling parameters go through one
``generate`` call): more throughput under concurrent clients, but a request's
log-probabilities then depend on what it was batched with (left padding changes their
last bits), and so, rarely, does a sampled token. Limits: request size, ``max_tokens``,
``n`` and prompts per request, and a deadline for the request line and headers. An API
key, when set, is required as ``Authorization: Bearer KEY``, compared in constant time and
never logged. ``--idle-timeout`` ends the process after that many idle seconds; SIGTERM
and SIGINT end it cleanly (in-flight requests are answered first).

It listens on TCP (``127.0.0.1`` by default) or on a Unix socket (``--socket``, mode
0600), which is what the local auto-started server uses. The address is taken before the
model loads (:func:`reserve`), so a port in use is a one-line error at once.

The parts: ``batcher`` (the model thread), ``protocol`` (the request handler and the rules
a request must keep: Content-Length, the head deadline, the API key, the body's fields),
``listener`` (the TCP port or Unix socket) and ``options``. This module holds the
endpoints (:class:`Service`) and :func:`serve`, and names the parts' public names.
"""

from __future__ import annotations

import json
import os
import signal
import socketserver
import threading
import time
import uuid
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from santamerge.errors import SantamergeError
from santamerge.model.serve.batcher import (
    Batcher,
    GenerateJob,
    ScoreJob,
    TokenizeJob,
    tokenizes,
)
from santamerge.model.serve.listener import attach, listen, make_server, reserve
from santamerge.model.serve.options import ServeError, ServeOptions
from santamerge.model.serve.protocol import (
    SCORE_PATH,
    TOKENIZE_PATH,
    Handler,
    RequestError,
    parse_integer,
    parse_number,
    parse_prompts,
    parse_stops,
    say,
)

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend

__all__ = [
    "SCORE_PATH",
    "TOKENIZE_PATH",
    "Handler",
    "RequestError",
    "ServeError",
    "ServeOptions",
    "Service",
    "attach",
    "listen",
    "make_server",
    "reserve",
    "serve",
]


class Service:
    """The state a request handler needs: the backend, the batcher, limits, counters."""

    def __init__(self, backend: Backend, options: ServeOptions) -> None:
        self.backend, self.options = backend, options
        self.batcher = Batcher(backend, merge=options.batch)
        self.started = time.time()
        self.last_active = time.monotonic()
        self.inflight = 0
        self.requests = 0
        self.lock = threading.Lock()
        self.description = _jsonable(backend.describe())
        self.tokenizes = tokenizes(backend)

    def begin(self) -> None:
        with self.lock:
            self.inflight += 1
            self.requests += 1

    def end(self) -> None:
        with self.lock:
            self.inflight -= 1
            self.last_active = time.monotonic()

    def idle_for(self) -> float:
        with self.lock:
            return 0.0 if self.inflight else time.monotonic() - self.last_active

    # -- endpoints ---------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "model": self.backend.name,
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self.started, 1),
            "requests": self.requests,
            "batches": self.batcher.batches,
        }

    def models(self) -> dict[str, Any]:
        template = self.backend.template
        extra: dict[str, Any] = {
            "template": {**template._asdict(), "stop": list(template.stop)},
            "model": self.description,
            "score_path": SCORE_PATH,
            "batch": self.options.batch,
            "limits": {
                "max_tokens": self.options.max_tokens,
                "n": self.options.max_n,
                "prompts": self.options.max_prompts,
                "request_bytes": self.options.max_request_bytes,
            },
        }
        if self.tokenizes:
            extra["tokenize_path"] = TOKENIZE_PATH
        return {
            "object": "list",
            "data": [
                {
                    "id": self.backend.name,
                    "object": "model",
                    "created": int(self.started),
                    "owned_by": "santamerge",
                    "santamerge": extra,
                }
            ],
        }

    def completions(self, body: dict[str, Any]) -> dict[str, Any]:
        opts = self.options
        self._check_model(body)
        prompts = parse_prompts(body.get("prompt"), opts.max_prompts)
        suffix = body.get("suffix")
        if suffix is not None:
            if not isinstance(suffix, str):
                raise RequestError(400, "'suffix' must be a string", param="suffix")
            prompts = [self.backend.template.render(p, suffix) for p in prompts]
        n = parse_integer(body, "n", 1, 1, opts.max_n)
        max_tokens = parse_integer(body, "max_tokens", 16, 1, opts.max_tokens)
        temperature = parse_number(body, "temperature", 1.0, 0.0, 2.0)
        top_p = parse_number(body, "top_p", 1.0, 0.0, 1.0)
        stop = parse_stops(body.get("stop"))
        logprobs = body.get("logprobs")
        if body.get("echo"):
            raise RequestError(
                400,
                f"'echo' is not supported; use {SCORE_PATH} for the likelihood of given text",
                param="echo",
            )
        job = GenerateJob(tuple(prompts), n, max_tokens, temperature, top_p, stop, Future())
        self.batcher.generate(job)
        found = self._wait(job.future)
        choices = []
        for i, completions in enumerate(found):
            for j, c in enumerate(completions):
                choice: dict[str, Any] = {
                    "index": i * n + j,
                    "text": c.text,
                    "finish_reason": c.finish,
                    "logprobs": None,
                }
                if logprobs is not None:
                    choice["logprobs"] = {
                        "tokens": list(c.tokens) or None,
                        "token_logprobs": list(c.token_logprobs),
                        "top_logprobs": None,
                        "text_offset": None,
                    }
                choices.append(choice)
        generated = sum(len(c.token_logprobs) for cs in found for c in cs)
        return {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.backend.name,
            "choices": choices,
            "usage": {"completion_tokens": generated},
        }

    def score(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_model(body)
        prompt = body.get("prompt")
        middles = body.get("middles")
        if not isinstance(prompt, str):
            raise RequestError(400, "'prompt' must be a string", param="prompt")
        if (
            not isinstance(middles, list)
            or not all(isinstance(m, str) for m in middles)
            or not 0 < len(middles) <= self.options.max_middles
        ):
            raise RequestError(
                400,
                f"'middles' must be a list of 1 to {self.options.max_middles} strings",
                param="middles",
            )
        job = ScoreJob(prompt, tuple(middles), Future())
        self.batcher.score(job)
        return {"object": "score", "model": self.backend.name, "scores": self._wait(job.future)}

    def tokenize(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_model(body)
        texts = body.get("texts")
        limit = self.options.max_prompts
        if (
            not isinstance(texts, list)
            or not 0 < len(texts) <= limit
            or not all(isinstance(t, str) for t in texts)
        ):
            raise RequestError(
                400, f"'texts' must be a list of 1 to {limit} strings", param="texts"
            )
        job = TokenizeJob(tuple(texts), Future())
        self.batcher.tokenize(job)
        return {"object": "tokens", "model": self.backend.name, "tokens": self._wait(job.future)}

    def _check_model(self, body: dict[str, Any]) -> None:
        asked = body.get("model")
        if asked not in (None, "", self.backend.name):
            raise RequestError(
                404,
                f"this server serves the model '{self.backend.name}', not '{asked}'",
                kind="not_found_error",
                param="model",
            )

    def _wait(self, future: Future[Any]) -> Any:
        try:
            return future.result(timeout=self.options.request_timeout)
        except TimeoutError:
            raise RequestError(
                503, "the model did not answer in time; try again", kind="server_error"
            ) from None
        except SantamergeError as exc:
            raise RequestError(400, str(exc)) from None


def _jsonable(value: object) -> Any:
    return json.loads(json.dumps(value, default=str))


def serve(
    backend: Backend,
    options: ServeOptions,
    listening: tuple[socketserver.BaseServer, str] | None = None,
) -> str:
    """Serve until SIGTERM, SIGINT or the idle timeout; return why it stopped.
    ``listening`` is what :func:`reserve` took before the model loaded, if anything."""
    server, url = listening or listen(options)
    service = Service(backend, options)
    attach(server, service)
    reason: list[str] = []

    def stop(why: str) -> None:
        if not reason:
            reason.append(why)
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {
        sig: signal.signal(sig, lambda s, f: stop(signal.Signals(s).name))
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    if options.idle_timeout > 0:
        threading.Thread(
            target=_watch_idle, args=(service, options.idle_timeout, stop), daemon=True
        ).start()
    _announce(url, backend, options)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        service.batcher.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for path in (options.socket_path, options.ready_file):
            if path and os.path.exists(path):
                os.unlink(path)
    why = reason[0] if reason else "stopped"
    say(f"stopped ({why})")
    return why


def _watch_idle(service: Service, limit: float, stop: Any) -> None:
    while True:
        idle = service.idle_for()
        if idle >= limit:
            stop(f"idle for {limit:g} s")
            return
        time.sleep(min(1.0, max(0.05, limit - idle)))


def _announce(url: str, backend: Backend, options: ServeOptions) -> None:
    say(f"listening on {url} (model {backend.name}, pid {os.getpid()})")
    if options.ready_file:
        tmp = f"{options.ready_file}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"url": url, "pid": os.getpid(), "model": backend.name}, fh)
        os.replace(tmp, options.ready_file)
