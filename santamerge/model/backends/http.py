"""The HTTP backend: any OpenAI-compatible completions server.

``santamerge serve`` itself, vLLM, llama.cpp's ``llama-server``, TGI's and Ollama's
OpenAI routes. santamerge renders the raw FIM prompt itself and sends it as ``prompt``
(vLLM has no ``suffix`` parameter), so the server must know the model's FIM template
only through santamerge: ``santamerge serve`` tells it in ``/v1/models``; for any other
server name the family (``fim_family``: santacoder, starcoder, starcoder2, codellama,
deepseek, qwen, codegemma).

Every request has a connect and a read timeout; connection failures and 502/503/504
answers are retried a bounded number of times with a short back-off, a timeout is not
(a slow server would only be asked to be slow again). The API key comes from
``SANTAMERGE_API_KEY``. Scoring uses santamerge's own endpoint; a server without it makes
``score`` raise :class:`ScoringUnavailable`, and callers rank without likelihoods.

Token counts: santamerge's server also tokenizes (``encode``), so a client fits its
prompts to the context window with the model's own tokenizer, and sends the very prompt
the model in a santamerge process would be given: the answers are then the same. For any
other server ``encode`` raises :class:`TokenizerUnavailable`, and callers estimate tokens
from characters (:func:`santamerge.model.budget.token_counter`). The context length is the
one the served model describes, where it does.

URLs: ``http://host:port`` (``/v1`` is optional), ``https://...``, and
``unix:///path/to/socket`` for the local auto-started server. Only the standard library
is used: nothing heavy is imported.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import socket
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from santamerge.model.backends.base import (
    BackendError,
    Completion,
    ScoringUnavailable,
    TokenizerUnavailable,
)
from santamerge.model.fim import FAMILIES, cut_at_stops

if TYPE_CHECKING:
    from santamerge.model.fim import FimTemplate

SCORE_PATH = "/santamerge/v1/score"  # the server's SCORE_PATH, without importing it
# Texts whose tokens a backend remembers (callers count the same snippets again), and
# the longest one remembered.
TOKENS_KEPT, TOKENS_KEPT_CHARS = 256, 16_384
API_KEY_ENV = "SANTAMERGE_API_KEY"
RETRY_STATUSES = frozenset({502, 503, 504})


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class HttpBackend:
    """A :class:`~santamerge.model.backends.base.Backend` that asks a completions server."""

    def __init__(
        self,
        url: str,
        model: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 3.0,
        retries: int = 2,
        fim_family: str | None = None,
        name: str | None = None,
    ) -> None:
        self.url = url
        self.name = name or url
        self.asked_model = model
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self.timeout, self.connect_timeout, self.retries = timeout, connect_timeout, retries
        self.fim_family = fim_family
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.socket_path: str | None = None
        self.host, self.port = "", None
        if parts.scheme == "unix":
            if not parts.path:
                raise BackendError(f"'{url}' names no socket; use unix:///path/to/socket")
            self.socket_path, self.root = parts.path, ""
        elif parts.scheme in ("http", "https") and parts.hostname:
            self.host, self.port = parts.hostname, parts.port
            self.root = parts.path.rstrip("/").removesuffix("/v1")
        else:
            raise BackendError(
                f"'{url}' is not a server URL; use http://host:port, "
                "https://host/v1 or unix:///path/to/socket"
            )
        self._info: dict[str, Any] | None = None
        self._template: FimTemplate | None = None
        self._tokens: dict[str, tuple[int, ...]] = {}
        self._one_by_one = False  # the server gives one choice per request (llama.cpp)

    # -- the Backend protocol ----------------------------------------------------------

    @property
    def template(self) -> FimTemplate:
        if self._template is None:
            self._template = self._find_template()
        return self._template

    @property
    def model_id(self) -> str | None:
        return self._served().get("id")

    def generate(
        self,
        prompts: Sequence[str],
        n: int = 1,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        top_p: float = 1.0,
        stop: Sequence[str] = (),
    ) -> list[list[Completion]]:
        if not prompts:
            return []
        stops = tuple(dict.fromkeys((*self.template.stop, *stop)))
        body: dict[str, Any] = {
            "prompt": list(prompts),
            "n": n,
            "max_tokens": max_new_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "stop": list(stops),
            "logprobs": 1,
        }
        if self.model_id:
            body["model"] = self.model_id
        several = len(prompts) > 1 or n > 1
        if several and self._one_by_one:
            return self._one_at_a_time(prompts, n, body, stops)
        try:
            answer = self.request("POST", "/v1/completions", body)
        except AnswerError as exc:
            if not several or exc.status not in (400, 422, 500):
                raise
            answer = {}  # it refused a list of prompts (llama-cpp-python)
        choices = answer.get("choices")
        fewer = isinstance(choices, list) and 0 < len(choices) < len(prompts) * n
        if several and (not answer or fewer):
            # llama.cpp's servers answer one prompt, one sample: ask that way from now on
            self._one_by_one = True
            return self._one_at_a_time(prompts, n, body, stops)
        if not isinstance(choices, list) or len(choices) != len(prompts) * n:
            raise BackendError(
                f"the model server at {self.url} gave "
                f"{len(choices) if isinstance(choices, list) else 'no'} "
                f"choices for {len(prompts) * n} asked"
            )
        out: list[list[Completion]] = [[] for _ in prompts]
        for position, choice in enumerate(sorted(choices, key=_index)):
            out[_index(choice, position) // n].append(_completion(choice, stops))
        return out

    def _one_at_a_time(
        self, prompts: Sequence[str], n: int, body: dict[str, Any], stops: Sequence[str]
    ) -> list[list[Completion]]:
        """One request per prompt and sample, for servers that give one choice each."""
        out: list[list[Completion]] = []
        for prompt in prompts:
            samples = []
            for _ in range(n):
                answer = self.request("POST", "/v1/completions", {**body, "prompt": prompt, "n": 1})
                choices = answer.get("choices")
                if not isinstance(choices, list) or len(choices) != 1:
                    raise BackendError(f"the model server at {self.url} gave no choice")
                samples.append(_completion(choices[0], stops))
            out.append(samples)
        return out

    def score(self, prompt: str, middles: Sequence[str]) -> list[float]:
        if not middles:
            return []
        served = self._served()
        path = served.get("santamerge", {}).get("score_path")
        if path is None:
            raise ScoringUnavailable(
                f"the model server at {self.url} offers no scoring "
                "endpoint; santamerge ranks without likelihoods"
            )
        body = {"prompt": prompt, "middles": list(middles)}
        if self.model_id:
            body["model"] = self.model_id
        scores = self.request("POST", str(path), body).get("scores")
        if not isinstance(scores, list) or len(scores) != len(middles):
            raise BackendError(f"the model server at {self.url} gave no scores")
        return [float(s) for s in scores]

    @property
    def context_length(self) -> int | None:
        """The served model's context length, where the server describes it."""
        remote = self._served().get("santamerge", {}).get("model", {})
        found = remote.get("context_length") if isinstance(remote, dict) else None
        return found if isinstance(found, int) and found > 0 else None

    def encode(self, text: str) -> list[int]:
        """The served model's token ids of ``text``, where the server tokenizes (santamerge's
        does); remembered for the texts asked for again."""
        path = self._served().get("santamerge", {}).get("tokenize_path")
        if not isinstance(path, str):
            raise TokenizerUnavailable(f"the model server at {self.url} does not tokenize")
        found = self._tokens.get(text)
        if found is None:
            body: dict[str, Any] = {"texts": [text]}
            if self.model_id:
                body["model"] = self.model_id
            tokens = self.request("POST", path, body).get("tokens")
            if not isinstance(tokens, list) or len(tokens) != 1 or not isinstance(tokens[0], list):
                raise BackendError(f"the model server at {self.url} gave no tokens")
            found = tuple(int(t) for t in tokens[0])
            if len(text) <= TOKENS_KEPT_CHARS:
                if len(self._tokens) >= TOKENS_KEPT:
                    del self._tokens[next(iter(self._tokens))]
                self._tokens[text] = found
        return list(found)

    def describe(self) -> dict[str, object]:
        served = self._served()
        remote = served.get("santamerge", {}).get("model", {})
        template = self.template
        return {
            **remote,
            "name": self.name,
            "backend": "http",
            "server": self.url,
            "served_model": served.get("id"),
            "family": template.family,
            "fim_tokens": {
                "prefix": template.prefix,
                "suffix": template.suffix,
                "middle": template.middle,
            },
            "scoring": "score_path" in served.get("santamerge", {}),
        }

    # -- the wire ----------------------------------------------------------------------

    def health(self, timeout: float | None = None) -> dict[str, Any]:
        return self.request("GET", "/health", timeout=timeout, retries=0)

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> dict[str, Any]:
        """One JSON request, retried on refused connections and 502/503/504."""
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        attempts = 1 + (self.retries if retries is None else retries)
        read_timeout = self.timeout if timeout is None else timeout
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                status, payload = self._once(method, self.root + path, data, headers, read_timeout)
            except TimeoutError:
                raise BackendError(
                    f"the model server at {self.url} did not answer within "
                    f"{read_timeout:g} s; check it, or raise the timeout "
                    "(santamerge.timeout)"
                ) from None
            except OSError as exc:
                if last:
                    reason = exc.strerror or type(exc).__name__
                    raise BackendError(
                        f"the model server at {self.url} cannot be reached "
                        f"({reason}); start it with `santamerge serve`, or "
                        "fix santamerge.server"
                    ) from None
            else:
                if status in RETRY_STATUSES and not last:
                    pass
                else:
                    return self._checked(status, payload, path)
            time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    def _once(
        self,
        method: str,
        path: str,
        data: bytes | None,
        headers: dict[str, str],
        read_timeout: float,
    ) -> tuple[int, bytes]:
        conn: http.client.HTTPConnection
        if self.socket_path is not None:
            conn = _UnixConnection(self.socket_path, self.connect_timeout)
        elif self.scheme == "https":
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.connect_timeout)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise ConnectionError(errno.ETIMEDOUT, "timed out connecting") from None
            assert conn.sock is not None
            conn.sock.settimeout(read_timeout)
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.RemoteDisconnected, http.client.BadStatusLine) as exc:
            raise ConnectionResetError(errno.ECONNRESET, str(exc) or "connection closed") from None
        finally:
            conn.close()

    def _checked(self, status: int, payload: bytes, path: str) -> dict[str, Any]:
        try:
            answer = json.loads(payload) if payload else {}
        except ValueError:
            answer = {}
        if status == 200 and isinstance(answer, dict):
            return answer
        message = _error_message(answer) or f"HTTP {status}"
        if status == 401:
            raise BackendError(
                f"the model server at {self.url} refused the API key ({message}); set {API_KEY_ENV}"
            )
        if status in (404, 405) and path.endswith(SCORE_PATH):
            raise ScoringUnavailable(
                f"the model server at {self.url} offers no scoring "
                "endpoint; santamerge ranks without likelihoods"
            )
        raise AnswerError(f"the model server at {self.url} answered {status}: {message}", status)

    def _served(self) -> dict[str, Any]:
        """The served model's entry in ``/v1/models`` (the one asked for, or the only one)."""
        if self._info is None:
            data = self.request("GET", "/v1/models").get("data") or []
            entries = [d for d in data if isinstance(d, dict)]
            ids = [str(d.get("id")) for d in entries]
            asked = self.asked_model
            if asked and asked != "embedded" and asked in ids:
                self._info = entries[ids.index(asked)]
            elif len(entries) == 1:
                self._info = entries[0]
            elif asked and asked != "embedded":
                raise BackendError(
                    f"the model server at {self.url} serves "
                    f"{', '.join(ids) or 'no model'}, not '{asked}'"
                )
            else:
                raise BackendError(
                    f"the model server at {self.url} serves "
                    f"{', '.join(ids) or 'no model'}; name one with --model"
                )
        return self._info

    def _find_template(self) -> FimTemplate:
        from santamerge.model.fim import FimTemplate

        given = self._served().get("santamerge", {}).get("template")
        if isinstance(given, dict):
            try:
                return FimTemplate(**{**given, "stop": tuple(given.get("stop", ()))})
            except TypeError:
                pass
        if self.fim_family:
            for template in FAMILIES:
                if template.family == self.fim_family:
                    return template
            raise BackendError(
                f"unknown FIM family '{self.fim_family}'; use one of "
                f"{', '.join(t.family for t in FAMILIES)}"
            )
        raise BackendError(
            f"the model server at {self.url} does not say which FIM template "
            "its model uses; set it with --fim-family or santamerge.fim-family "
            f"({', '.join(t.family for t in FAMILIES)})"
        )


class AnswerError(BackendError):
    """The server answered, with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _index(choice: dict[str, Any], default: int = 0) -> int:
    value = choice.get("index", default)
    return value if isinstance(value, int) else default


def _completion(choice: dict[str, Any], stops: Sequence[str]) -> Completion:
    logprobs = choice.get("logprobs") or {}
    values = logprobs.get("token_logprobs") or [] if isinstance(logprobs, dict) else []
    tokens = logprobs.get("tokens") or [] if isinstance(logprobs, dict) else []
    finish = "length" if choice.get("finish_reason") == "length" else "stop"
    return Completion(
        cut_at_stops(str(choice.get("text", "")), stops),
        tuple(float(v) for v in values if v is not None),
        finish,
        tuple(str(t) for t in tokens),
    )


def _error_message(answer: object) -> str:
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict):
            return str(error.get("message", ""))
        if isinstance(error, str):
            return error
    return ""


def load_http(spec: str, options: dict[str, object], scheme: str = "http") -> HttpBackend:
    """``http://...``, ``https://...`` or ``unix://...`` (``spec`` is what follows the
    scheme's colon, as the registry splits it)."""
    return HttpBackend(
        f"{scheme}:{spec}",
        model=_opt(options, "model"),
        fim_family=_opt(options, "fim_family"),
        timeout=float(options.get("timeout") or 60.0),  # type: ignore[arg-type]
    )


def _opt(options: dict[str, object], key: str) -> str | None:
    value = options.get(key)
    return str(value) if value else None
