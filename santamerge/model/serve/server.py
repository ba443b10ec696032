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
"""

from __future__ import annotations

import errno
import hmac
import io
import json
import os
import queue
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.model.backends.base import Completion, TokenizerUnavailable

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend

SCORE_PATH = "/santamerge/v1/score"
TOKENIZE_PATH = "/santamerge/v1/tokenize"
# Pending connections the kernel holds while every handler is busy starting: with
# socketserver's default of 5, a burst of 50 clients lost SYNs and waited 1 s or more for
# the kernel's retry (p99 16.6 s, docs/serving.md). The kernel caps it at somaxconn.
LISTEN_BACKLOG = socket.SOMAXCONN
LOGGED_PATH = 200  # characters of a request's path shown in the log
# The most digits a Content-Length may have (leading zeros aside): far above any
# --max-request-bytes, and far below what int() refuses (4,300 digits raise ValueError).
LENGTH_DIGITS = 18
LINGER = 2.0  # seconds a request answered unread may still send before its socket closes


class ServeOptions(NamedTuple):
    host: str = "127.0.0.1"
    port: int = 8765
    socket_path: str | None = None  # a Unix socket instead of TCP
    api_key: str | None = None
    idle_timeout: float = 0.0  # seconds without requests before exiting; 0: never
    max_request_bytes: int = 1 << 20
    max_tokens: int = 512
    max_n: int = 16
    max_prompts: int = 64
    max_middles: int = 64
    request_timeout: float = 300.0  # how long a request may wait for the model
    head_timeout: float = 20.0  # seconds a client has for its request line and headers
    ready_file: str | None = None  # JSON {"url", "pid"} written once listening
    batch: bool = False  # batch concurrent requests together (throughput, not bit-exact)


class ServeError(SantamergeError):
    """The server cannot start as asked: an address in use, a bad API key file."""


class RequestError(Exception):
    """A request santamerge refuses: an HTTP status and an OpenAI-style error body."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.param = status, kind, param

    def body(self) -> dict[str, Any]:
        return {"error": {"message": str(self), "type": self.kind, "param": self.param,
                          "code": None}}


class GenerateJob(NamedTuple):
    prompts: tuple[str, ...]
    n: int
    max_tokens: int
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    future: Future[list[list[Completion]]]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.n, self.max_tokens, self.temperature, self.top_p, self.stop)


class ScoreJob(NamedTuple):
    prompt: str
    middles: tuple[str, ...]
    future: Future[list[float]]


class TokenizeJob(NamedTuple):
    texts: tuple[str, ...]
    future: Future[list[list[int]]]


Job = GenerateJob | ScoreJob | TokenizeJob


class Batcher:
    """The one thread that calls the model (and its tokenizer). Each generation job is
    its own ``generate`` call, unless ``merge``: then jobs that wait together and share
    their sampling parameters run as one."""

    def __init__(self, backend: Backend, merge: bool = False) -> None:
        self.backend = backend
        self.merge = merge
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.batches = 0
        self.thread = threading.Thread(target=self._run, name="santamerge-model", daemon=True)
        self.thread.start()

    def generate(self, job: GenerateJob) -> None:
        self.jobs.put(job)

    def score(self, job: ScoreJob) -> None:
        self.jobs.put(job)

    def tokenize(self, job: TokenizeJob) -> None:
        self.jobs.put(job)

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self.jobs.get()
            if first is None:
                return
            taken = [first]
            while True:
                try:
                    more = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._execute(taken)
                    return
                taken.append(more)
            self._execute(taken)

    def _execute(self, taken: list[Job]) -> None:
        groups: dict[tuple[object, ...], list[GenerateJob]] = {}
        for i, job in enumerate(taken):
            if isinstance(job, ScoreJob):
                _settle(job.future, lambda j=job: self.backend.score(j.prompt, j.middles))
            elif isinstance(job, TokenizeJob):
                _settle(job.future, lambda j=job: _tokenize(self.backend, j.texts))
            else:
                groups.setdefault(job.key if self.merge else (i,), []).append(job)
        for jobs in groups.values():
            self.batches += 1
            prompts = [p for job in jobs for p in job.prompts]
            head = jobs[0]
            try:
                found = self.backend.generate(prompts, n=head.n, max_new_tokens=head.max_tokens,
                                              temperature=head.temperature, top_p=head.top_p,
                                              stop=head.stop)
            except Exception as exc:
                for job in jobs:
                    job.future.set_exception(exc)
                continue
            start = 0
            for job in jobs:
                job.future.set_result(found[start:start + len(job.prompts)])
                start += len(job.prompts)


def _tokenize(backend: Backend, texts: tuple[str, ...]) -> list[list[int]]:
    try:
        return [list(backend.encode(t)) for t in texts]
    except TokenizerUnavailable:
        raise RequestError(404, f"the model '{backend.name}' cannot tokenize here",
                           kind="not_found_error") from None


def _tokenizes(backend: Backend) -> bool:
    """Whether ``backend`` can tokenize (a served server may not)."""
    try:
        backend.encode("")
    except TokenizerUnavailable:
        return False
    return True


def _settle(future: Future[Any], work: Any) -> None:
    try:
        future.set_result(work())
    except Exception as exc:
        future.set_exception(exc)


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
        self.tokenizes = _tokenizes(backend)

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

    def authorized(self, header: str | None) -> bool:
        """Whether ``header`` is ``Bearer KEY`` (the scheme in any case, RFC 7235). A bare
        key is refused: accepting it would make two spellings of one credential, and
        every OpenAI client sends the scheme."""
        key = self.options.api_key
        if not key:
            return True
        scheme, _, given = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8"), key.encode("utf-8"))

    # -- endpoints ---------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "model": self.backend.name, "pid": os.getpid(),
                "uptime_s": round(time.time() - self.started, 1),
                "requests": self.requests, "batches": self.batcher.batches}

    def models(self) -> dict[str, Any]:
        template = self.backend.template
        extra: dict[str, Any] = {"template": {**template._asdict(), "stop": list(template.stop)},
                                 "model": self.description, "score_path": SCORE_PATH,
                                 "batch": self.options.batch,
                                 "limits": {"max_tokens": self.options.max_tokens,
                                            "n": self.options.max_n,
                                            "prompts": self.options.max_prompts,
                                            "request_bytes": self.options.max_request_bytes}}
        if self.tokenizes:
            extra["tokenize_path"] = TOKENIZE_PATH
        return {"object": "list", "data": [{
            "id": self.backend.name, "object": "model", "created": int(self.started),
            "owned_by": "santamerge", "santamerge": extra,
        }]}

    def completions(self, body: dict[str, Any]) -> dict[str, Any]:
        opts = self.options
        self._check_model(body)
        prompts = _prompts(body.get("prompt"), opts.max_prompts)
        suffix = body.get("suffix")
        if suffix is not None:
            if not isinstance(suffix, str):
                raise RequestError(400, "'suffix' must be a string", param="suffix")
            prompts = [self.backend.template.render(p, suffix) for p in prompts]
        n = _integer(body, "n", 1, 1, opts.max_n)
        max_tokens = _integer(body, "max_tokens", 16, 1, opts.max_tokens)
        temperature = _number(body, "temperature", 1.0, 0.0, 2.0)
        top_p = _number(body, "top_p", 1.0, 0.0, 1.0)
        stop = _stops(body.get("stop"))
        logprobs = body.get("logprobs")
        if body.get("echo"):
            raise RequestError(400, "'echo' is not supported; use "
                               f"{SCORE_PATH} for the likelihood of given text", param="echo")
        job = GenerateJob(tuple(prompts), n, max_tokens, temperature, top_p, stop, Future())
        self.batcher.generate(job)
        found = self._wait(job.future)
        choices = []
        for i, completions in enumerate(found):
            for j, c in enumerate(completions):
                choice: dict[str, Any] = {"index": i * n + j, "text": c.text,
                                          "finish_reason": c.finish, "logprobs": None}
                if logprobs is not None:
                    choice["logprobs"] = {"tokens": list(c.tokens) or None,
                                          "token_logprobs": list(c.token_logprobs),
                                          "top_logprobs": None, "text_offset": None}
                choices.append(choice)
        generated = sum(len(c.token_logprobs) for cs in found for c in cs)
        return {"id": f"cmpl-{uuid.uuid4().hex}", "object": "text_completion",
                "created": int(time.time()), "model": self.backend.name, "choices": choices,
                "usage": {"completion_tokens": generated}}

    def score(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_model(body)
        prompt = body.get("prompt")
        middles = body.get("middles")
        if not isinstance(prompt, str):
            raise RequestError(400, "'prompt' must be a string", param="prompt")
        if (not isinstance(middles, list) or not all(isinstance(m, str) for m in middles)
                or not 0 < len(middles) <= self.options.max_middles):
            raise RequestError(400, "'middles' must be a list of 1 to "
                               f"{self.options.max_middles} strings", param="middles")
        job = ScoreJob(prompt, tuple(middles), Future())
        self.batcher.score(job)
        return {"object": "score", "model": self.backend.name,
                "scores": self._wait(job.future)}

    def tokenize(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_model(body)
        texts = body.get("texts")
        limit = self.options.max_prompts
        if (not isinstance(texts, list) or not 0 < len(texts) <= limit
                or not all(isinstance(t, str) for t in texts)):
            raise RequestError(400, f"'texts' must be a list of 1 to {limit} strings",
                               param="texts")
        job = TokenizeJob(tuple(texts), Future())
        self.batcher.tokenize(job)
        return {"object": "tokens", "model": self.backend.name,
                "tokens": self._wait(job.future)}

    def _check_model(self, body: dict[str, Any]) -> None:
        asked = body.get("model")
        if asked not in (None, "", self.backend.name):
            raise RequestError(404, f"this server serves the model '{self.backend.name}', "
                               f"not '{asked}'", kind="not_found_error", param="model")

    def _wait(self, future: Future[Any]) -> Any:
        try:
            return future.result(timeout=self.options.request_timeout)
        except TimeoutError:
            raise RequestError(503, "the model did not answer in time; try again",
                               kind="server_error") from None
        except SantamergeError as exc:
            raise RequestError(400, str(exc)) from None


def _prompts(value: object, limit: int) -> list[str]:
    if isinstance(value, str):
        return [value]
    if (isinstance(value, list) and value and len(value) <= limit
            and all(isinstance(p, str) for p in value)):
        return list(value)
    raise RequestError(400, f"'prompt' must be a string or a list of 1 to {limit} strings "
                       "(token ids are not supported)", param="prompt")


def _integer(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RequestError(400, f"'{name}' must be an integer from {low} to {high}",
                           param=name)
    return value


def _number(body: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RequestError(400, f"'{name}' must be a number from {low} to {high}", param=name)
    return float(value)


def _stops(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and len(value) <= 16 and all(isinstance(s, str) for s in value):
        return tuple(s for s in value if s)
    raise RequestError(400, "'stop' must be a string or a list of up to 16 strings",
                       param="stop")


def _content_length(values: list[str]) -> int | None:
    """The body's size in bytes from a request's Content-Length headers; None without
    one. A 400 for a value that is not plain ASCII digits (``str.isdigit`` and ``int``
    take '²' and other Unicode digits), for one too long to be any body's size (``int``
    refuses 4,300 digits), and for two that disagree: where the body ends is then
    unknown (RFC 9112, 6.3)."""
    sizes = set()
    for value in values:
        text = value.strip(" \t")
        if not (text.isascii() and text.isdigit()):
            raise RequestError(400, "the Content-Length header must be the body's size in "
                               "bytes, in the digits 0-9")
        digits = text.lstrip("0") or "0"
        if len(digits) > LENGTH_DIGITS:
            raise RequestError(400, f"the Content-Length header has {len(digits)} digits, "
                               "more than any body's size; send the body's size in bytes")
        sizes.add(int(digits))
    if len(sizes) > 1:
        raise RequestError(400, "the request has Content-Length headers that disagree; "
                           "send one")
    return sizes.pop() if sizes else None


class _HeadDeadline(Exception):
    """The client did not send its request line and headers within the head timeout."""


class _DeadlineReader(io.RawIOBase):
    """A connection's reads, each given at most what is left until ``deadline``: a
    client that sends one byte every few seconds never trips the per-read timeout, and
    would otherwise hold a handler thread for as long as it likes."""

    def __init__(self, sock: socket.socket, timeout: float, deadline: float) -> None:
        super().__init__()
        self.sock, self.timeout = sock, timeout
        self.deadline: float | None = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            return self.sock.recv_into(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _HeadDeadline
        self.sock.settimeout(min(left, self.timeout))
        try:
            return self.sock.recv_into(buffer)
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                raise _HeadDeadline from None
            raise

    def lift(self) -> None:
        """The head is in (or answered): from now on, the per-read timeout only."""
        self.deadline = None
        self.sock.settimeout(self.timeout)


def _linger(conn: socket.socket) -> None:
    """Half-close ``conn`` and drop what the client still sends, until it closes its side
    or :data:`LINGER` seconds pass (a lingering close, as Apache's)."""
    end = time.monotonic() + LINGER
    try:
        conn.shutdown(socket.SHUT_WR)
        while (left := end - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                return
    except OSError:  # TimeoutError, a reset: nothing more to wait for
        return


def _jsonable(value: object) -> Any:
    return json.loads(json.dumps(value, default=str))


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_LOG_LOCK = threading.Lock()


def _say(line: str) -> None:
    """One line on stderr, whole: handler threads log at once, and ``print`` writes the
    line and its newline separately (lines ran together under 50 clients)."""
    with _LOG_LOCK:
        sys.stderr.write(f"santamerge serve: {line}\n")
        sys.stderr.flush()


def _printable(text: str, limit: int = LOGGED_PATH) -> str:
    """``text`` for one log line: control characters escaped, at most ``limit`` shown."""
    shown = text[:limit].translate(_CONTROL)
    return shown + (f"... ({len(text)} characters)" if len(text) > limit else "")


class Handler(BaseHTTPRequestHandler):
    server_version = "santamerge"
    # One request per connection: an idle keep-alive client then cannot hold a handler
    # thread, and shutdown can wait for every handler to finish its answer.
    protocol_version = "HTTP/1.0"
    timeout = 60  # seconds a client may take for each read of its request
    service: Service  # set on the subclass made per server (attach)
    _status: int | str | None = None  # the answer's status, logged once it is written
    _reader: _DeadlineReader
    _unread = False  # the request was answered before it was read whole

    def setup(self) -> None:
        """The connection's reads, under the head timeout until the headers are in."""
        super().setup()
        self.rfile.close()  # the socket's own reader, replaced (closing it frees the socket)
        deadline = time.monotonic() + self.service.options.head_timeout
        self._reader = _DeadlineReader(self.connection, self.timeout, deadline)
        self.rfile = io.BufferedReader(self._reader)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._reader.lift()
        return parsed

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except _HeadDeadline:
            self._reader.lift()  # the answer is written under the per-read timeout
            if getattr(self, "command", None) is None:  # the request line never came whole
                self.requestline = "(request line not finished)"
                self.request_version = self.command = ""
            limit = self.service.options.head_timeout
            self.send_error(408, f"the request line and headers took more than {limit:g} s; "
                            "send them at once")

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, self.service.health())
        elif self.path == "/v1/models":
            self._answer(lambda body: self.service.models(), read_body=False)
        else:
            self._send(404, RequestError(404, f"no such endpoint: GET {self.path}",
                                         kind="not_found_error").body())

    def do_POST(self) -> None:
        routes = {"/v1/completions": self.service.completions, SCORE_PATH: self.service.score,
                  TOKENIZE_PATH: self.service.tokenize}
        route = routes.get(self.path)
        if route is None:
            self._discard_body()
            self._send(404, RequestError(404, f"no such endpoint: POST {self.path}",
                                         kind="not_found_error").body())
            return
        self._answer(route, read_body=True)

    def _answer(self, route: Any, read_body: bool) -> None:
        service = self.service
        service.begin()
        try:
            if not service.authorized(self.headers.get("Authorization")):
                self._discard_body()
                raise RequestError(401, "a valid API key is required (Authorization: Bearer "
                                   "<key>)", kind="authentication_error")
            body = self._read_json() if read_body else {}
            self._send(200, route(body))
        except RequestError as exc:
            self._send(exc.status, exc.body())
        except ConnectionError as exc:  # the client left while its body was read
            self._went_away(exc)
        except Exception as exc:  # the model failed: answer, and keep serving
            self._send(500, RequestError(500, f"{type(exc).__name__}: {exc}",
                                         kind="server_error").body())
        finally:
            service.end()

    def _read_json(self) -> dict[str, Any]:
        try:
            size = _content_length(self.headers.get_all("Content-Length") or [])
        except RequestError:
            self._leave_unread()  # where the body ends is unknown
            raise
        if size is None:
            self._leave_unread()
            raise RequestError(411, "a Content-Length header is required")
        if size > self.service.options.max_request_bytes:
            self._leave_unread()
            raise RequestError(413, f"the request has {size} bytes, more than the limit of "
                               f"{self.service.options.max_request_bytes}")
        data = self.rfile.read(size)
        try:
            body = json.loads(data)
        except RecursionError:
            raise RequestError(400, "the body is nested too deeply to be read") from None
        except (ValueError, UnicodeDecodeError):
            raise RequestError(400, "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise RequestError(400, "the body must be a JSON object")
        return body

    def _discard_body(self) -> None:
        """Read the body of a request answered without it (its client then reads the
        answer rather than a reset); a body of unknown size, or over the limit, is left
        unread, and the connection closed."""
        try:
            size = _content_length(self.headers.get_all("Content-Length") or []) or 0
        except RequestError:
            self._leave_unread()
            return
        if size <= self.service.options.max_request_bytes:
            self.rfile.read(size)
        else:
            self._leave_unread()

    def _leave_unread(self) -> None:
        """Answer without reading the rest of the request; the connection is closed after
        a lingering read (:meth:`finish`)."""
        self.close_connection = True
        self._unread = True

    def finish(self) -> None:
        """Send the answer; where the request was left unread, stop writing, then read
        and drop what the client still sends, for at most :data:`LINGER` seconds. Closed
        at once, a socket with unread bytes is reset: a client still sending an 8 MB
        body got a broken pipe instead of its 413."""
        try:
            super().finish()
        finally:
            if self._unread:
                _linger(self.connection)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except ConnectionError as exc:  # BrokenPipeError, ConnectionResetError, ...
            self._went_away(exc)
            return
        self._log()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """An error found by http.server itself (a request line too long or malformed, an
        unknown method): answered in the same JSON shape as every other error."""
        short, long = self.responses.get(code, ("Error", ""))
        if self.request_version in ("", "HTTP/0.9"):
            # A status line even for a request that had none: a garbage request line
            # deserves an answer a client can read, and HTTP/0.9 has no errors.
            self.request_version = "HTTP/1.0"
        self._leave_unread()
        kind = ("not_found_error" if code == 404 else
                "server_error" if code >= 500 else "invalid_request_error")
        text = message or (f"{short}: {long}" if long else short)
        self._send(code, RequestError(code, text, kind=kind).body())

    def _went_away(self, exc: BaseException) -> None:
        self.close_connection = True
        self._log(f"the client went away before the answer ({type(exc).__name__})")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Called by send_response before the answer is written; the line is printed once
        # it was (or could not be). Method, path and status only: never headers, so never
        # the API key.
        self._status = code

    def _log(self, problem: str = "") -> None:
        status = "-" if self._status is None else self._status
        self._status = None
        line = f"{self._request_shown()} {status}"
        _say(f"{line}: {problem}" if problem else line)

    def _request_shown(self) -> str:
        # http.server sets command and path only once the request line parsed: a request
        # line that is too long or malformed is shown as it came, shortened.
        command, path = getattr(self, "command", None), getattr(self, "path", None)
        if command and path is not None:
            return f"{_printable(command, 16)} {_printable(path)}"
        raw = getattr(self, "requestline", "") or "(request line too long)"
        return f"- {_printable(raw)}"

    def log_message(self, format: str, *args: Any) -> None:
        message = format % args
        _say(_printable(message, 400))

    def address_string(self) -> str:
        return "unix" if isinstance(self.client_address, str) else str(self.client_address[0])


class _Listening(socketserver.BaseServer):
    """What both servers share: a deep listen backlog, answers in flight finished on
    close, and one log line (not a traceback) for a client that left."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = False  # server_close() waits for the answers in flight

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            _say(f"a client went away ({type(exc).__name__})")
            return
        super().handle_error(request, client_address)  # a bug: its traceback


class _TcpHTTPServer(_Listening, ThreadingHTTPServer):
    allow_reuse_address = True


class _UnixHTTPServer(_Listening, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    pass


_UNIX_PATH_LIMIT = 107  # bytes in sockaddr_un.sun_path, its final NUL not counted


def reserve(options: ServeOptions) -> tuple[socketserver.BaseServer, str] | None:
    """Before the model loads: take the TCP port, so that a port in use is an error at
    once rather than after the load; for a Unix socket, check that no live server owns
    the path (it is bound after the load: its existence is what tells local clients that
    the server is ready)."""
    if options.socket_path:
        _check_socket(options.socket_path)
        return None
    return listen(options)


def listen(options: ServeOptions) -> tuple[socketserver.BaseServer, str]:
    """The listening server (no service attached yet) and the URL clients use; a
    :class:`ServeError` that says what to do when the address cannot be had."""
    handler = type("BoundHandler", (Handler,), {})
    path = options.socket_path
    if path:
        _check_socket(path)
        if os.path.lexists(path):
            os.unlink(path)  # a stale socket left by a killed server (_check_socket)
        old = os.umask(0o177)
        try:
            unix = _UnixHTTPServer(path, handler)
        except OSError as exc:
            raise ServeError(f"cannot listen on the socket {path} "
                             f"({exc.strerror or exc}); choose another --socket") from None
        finally:
            os.umask(old)
        return unix, f"unix://{path}"
    host, port = options.host, options.port
    try:
        tcp = _TcpHTTPServer((host, port), handler)
    except OSError as exc:
        raise ServeError(_bind_error(host, port, exc)) from None
    bound_host, bound_port = tcp.server_address[:2]
    shown = f"[{bound_host!s}]" if ":" in str(bound_host) else str(bound_host)
    return tcp, f"http://{shown}:{bound_port}"


def _bind_error(host: str, port: int, exc: OSError) -> str:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"{where} is in use (another santamerge serve?); stop what listens there, "
                "or choose another port with --port (--port 0 takes any free one)")
    if exc.errno == errno.EACCES:
        return (f"not allowed to listen on {where} (ports below 1024 need privileges); "
                "choose another port with --port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"cannot listen on {host}: it is not an address of this machine; use "
                "--host 127.0.0.1, or one of this machine's own addresses")
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on '{host}' ({exc.strerror or exc}); check --host"
    return f"cannot listen on {where} ({exc.strerror or exc}); check --host and --port"


def _check_socket(path: str) -> None:
    import stat

    size = len(os.fsencode(path))
    if size > _UNIX_PATH_LIMIT:
        raise ServeError(f"the socket path {path} is {size} bytes long, more than a Unix "
                         f"socket allows ({_UNIX_PATH_LIMIT}); choose a shorter --socket")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ServeError(f"cannot listen on the socket {path}: the folder {folder} does "
                         "not exist; create it, or choose another --socket")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ServeError(f"{path} exists and is not a socket; choose another --socket "
                         "(santamerge removes only a stale socket there)")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(path)
    except OSError:
        return  # a stale socket, left by a server that was killed: replaced when bound
    finally:
        probe.close()
    raise ServeError(f"another server already listens on {path}; stop it, or choose "
                     "another --socket")


def attach(server: socketserver.BaseServer, service: Service) -> None:
    """Give the listening server the service its requests are answered by."""
    server.RequestHandlerClass.service = service  # type: ignore[attr-defined]


def make_server(service: Service) -> tuple[socketserver.BaseServer, str]:
    """Bind the listening socket for ``service``; return the server and the URL clients
    use."""
    server, url = listen(service.options)
    attach(server, service)
    return server, url


def serve(backend: Backend, options: ServeOptions,
          listening: tuple[socketserver.BaseServer, str] | None = None) -> str:
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

    previous = {sig: signal.signal(sig, lambda s, f: stop(signal.Signals(s).name))
                for sig in (signal.SIGTERM, signal.SIGINT)}
    if options.idle_timeout > 0:
        threading.Thread(target=_watch_idle, args=(service, options.idle_timeout, stop),
                         daemon=True).start()
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
    _say(f"stopped ({why})")
    return why


def _watch_idle(service: Service, limit: float, stop: Any) -> None:
    while True:
        idle = service.idle_for()
        if idle >= limit:
            stop(f"idle for {limit:g} s")
            return
        time.sleep(min(1.0, max(0.05, limit - idle)))


def _announce(url: str, backend: Backend, options: ServeOptions) -> None:
    _say(f"listening on {url} (model {backend.name}, pid {os.getpid()})")
    if options.ready_file:
        tmp = f"{options.ready_file}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"url": url, "pid": os.getpid(), "model": backend.name}, fh)
        os.replace(tmp, options.ready_file)
