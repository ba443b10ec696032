"""The HTTP side of ``santamerge serve``: the request handler and the rules a request
must keep. The endpoints' paths; the API key (:func:`authorized`); the request line and
headers within the head deadline (:class:`_DeadlineReader`); a body only with a
Content-Length of plain digits (:func:`content_length`) and within the size limit; a JSON
object whose fields are checked (``parse_*``); errors as OpenAI-style JSON
(:class:`RequestError`); one log line per request, never its headers."""

from __future__ import annotations

import hmac
import io
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from santamerge.model.serve.options import ServeOptions

SCORE_PATH = "/santamerge/v1/score"
TOKENIZE_PATH = "/santamerge/v1/tokenize"
LOGGED_PATH = 200  # characters of a request's path shown in the log
# The most digits a Content-Length may have (leading zeros aside): far above any
# --max-request-bytes, and far below what int() refuses (4,300 digits raise ValueError).
LENGTH_DIGITS = 18
LINGER = 2.0  # seconds a request answered unread may still send before its socket closes


class RequestError(Exception):
    """A request santamerge refuses: an HTTP status and an OpenAI-style error body."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.param = status, kind, param

    def body(self) -> dict[str, Any]:
        return {
            "error": {"message": str(self), "type": self.kind, "param": self.param, "code": None}
        }


class Application(Protocol):
    """What a :class:`Handler` answers with (``server.Service``): the limits, the
    counters and the endpoints, each taking the request's JSON body."""

    options: ServeOptions

    def begin(self) -> None: ...

    def end(self) -> None: ...

    def health(self) -> dict[str, Any]: ...

    def models(self) -> dict[str, Any]: ...

    def completions(self, body: dict[str, Any]) -> dict[str, Any]: ...

    def score(self, body: dict[str, Any]) -> dict[str, Any]: ...

    def tokenize(self, body: dict[str, Any]) -> dict[str, Any]: ...


def authorized(header: str | None, key: str | None) -> bool:
    """Whether ``header`` is ``Bearer KEY`` (the scheme in any case, RFC 7235); any header
    when no key is set. A bare key is refused: accepting it would make two spellings of
    one credential, and every OpenAI client sends the scheme. Compared in constant time."""
    if not key:
        return True
    scheme, _, given = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), key.encode("utf-8"))


def parse_prompts(value: object, limit: int) -> list[str]:
    if isinstance(value, str):
        return [value]
    if (
        isinstance(value, list)
        and value
        and len(value) <= limit
        and all(isinstance(p, str) for p in value)
    ):
        return list(value)
    raise RequestError(
        400,
        f"'prompt' must be a string or a list of 1 to {limit} strings "
        "(token ids are not supported)",
        param="prompt",
    )


def parse_integer(body: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RequestError(400, f"'{name}' must be an integer from {low} to {high}", param=name)
    return value


def parse_number(body: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RequestError(400, f"'{name}' must be a number from {low} to {high}", param=name)
    return float(value)


def parse_stops(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and len(value) <= 16 and all(isinstance(s, str) for s in value):
        return tuple(s for s in value if s)
    raise RequestError(400, "'stop' must be a string or a list of up to 16 strings", param="stop")


def content_length(values: list[str]) -> int | None:
    """The body's size in bytes from a request's Content-Length headers; None without
    one. A 400 for a value that is not plain ASCII digits (``str.isdigit`` and ``int``
    take '²' and other Unicode digits), for one too long to be any body's size (``int``
    refuses 4,300 digits), and for two that disagree: where the body ends is then
    unknown (RFC 9112, 6.3)."""
    sizes = set()
    for value in values:
        text = value.strip(" \t")
        if not (text.isascii() and text.isdigit()):
            raise RequestError(
                400, "the Content-Length header must be the body's size in bytes, in the digits 0-9"
            )
        digits = text.lstrip("0") or "0"
        if len(digits) > LENGTH_DIGITS:
            raise RequestError(
                400,
                f"the Content-Length header has {len(digits)} digits, "
                "more than any body's size; send the body's size in bytes",
            )
        sizes.add(int(digits))
    if len(sizes) > 1:
        raise RequestError(400, "the request has Content-Length headers that disagree; send one")
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


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_LOG_LOCK = threading.Lock()


def say(line: str) -> None:
    """One line on stderr, whole: handler threads log at once, and ``print`` writes the
    line and its newline separately (lines ran together under 50 clients)."""
    with _LOG_LOCK:
        sys.stderr.write(f"santamerge serve: {line}\n")
        sys.stderr.flush()


def printable(text: str, limit: int = LOGGED_PATH) -> str:
    """``text`` for one log line: control characters escaped, at most ``limit`` shown."""
    shown = text[:limit].translate(_CONTROL)
    return shown + (f"... ({len(text)} characters)" if len(text) > limit else "")


class Handler(BaseHTTPRequestHandler):
    server_version = "santamerge"
    # One request per connection: an idle keep-alive client then cannot hold a handler
    # thread, and shutdown can wait for every handler to finish its answer.
    protocol_version = "HTTP/1.0"
    timeout = 60  # seconds a client may take for each read of its request
    service: Application  # set on the subclass made per server (listener.attach)
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
            self.send_error(
                408, f"the request line and headers took more than {limit:g} s; send them at once"
            )

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, self.service.health())
        elif self.path == "/v1/models":
            self._answer(lambda body: self.service.models(), read_body=False)
        else:
            self._send(
                404,
                RequestError(
                    404, f"no such endpoint: GET {self.path}", kind="not_found_error"
                ).body(),
            )

    def do_POST(self) -> None:
        routes = {
            "/v1/completions": self.service.completions,
            SCORE_PATH: self.service.score,
            TOKENIZE_PATH: self.service.tokenize,
        }
        route = routes.get(self.path)
        if route is None:
            self._discard_body()
            self._send(
                404,
                RequestError(
                    404, f"no such endpoint: POST {self.path}", kind="not_found_error"
                ).body(),
            )
            return
        self._answer(route, read_body=True)

    def _answer(self, route: Any, read_body: bool) -> None:
        service = self.service
        service.begin()
        try:
            if not authorized(self.headers.get("Authorization"), service.options.api_key):
                self._discard_body()
                raise RequestError(
                    401,
                    "a valid API key is required (Authorization: Bearer <key>)",
                    kind="authentication_error",
                )
            body = self._read_json() if read_body else {}
            self._send(200, route(body))
        except RequestError as exc:
            self._send(exc.status, exc.body())
        except ConnectionError as exc:  # the client left while its body was read
            self._went_away(exc)
        except Exception as exc:  # the model failed: answer, and keep serving
            self._send(
                500, RequestError(500, f"{type(exc).__name__}: {exc}", kind="server_error").body()
            )
        finally:
            service.end()

    def _read_json(self) -> dict[str, Any]:
        try:
            size = content_length(self.headers.get_all("Content-Length") or [])
        except RequestError:
            self._leave_unread()  # where the body ends is unknown
            raise
        if size is None:
            self._leave_unread()
            raise RequestError(411, "a Content-Length header is required")
        if size > self.service.options.max_request_bytes:
            self._leave_unread()
            raise RequestError(
                413,
                f"the request has {size} bytes, more than the limit of "
                f"{self.service.options.max_request_bytes}",
            )
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
            size = content_length(self.headers.get_all("Content-Length") or []) or 0
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

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """An error found by http.server itself (a request line too long or malformed, an
        unknown method): answered in the same JSON shape as every other error."""
        short, long = self.responses.get(code, ("Error", ""))
        if self.request_version in ("", "HTTP/0.9"):
            # A status line even for a request that had none: a garbage request line
            # deserves an answer a client can read, and HTTP/0.9 has no errors.
            self.request_version = "HTTP/1.0"
        self._leave_unread()
        kind = (
            "not_found_error"
            if code == 404
            else "server_error"
            if code >= 500
            else "invalid_request_error"
        )
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
        say(f"{line}: {problem}" if problem else line)

    def _request_shown(self) -> str:
        # http.server sets command and path only once the request line parsed: a request
        # line that is too long or malformed is shown as it came, shortened.
        command, path = getattr(self, "command", None), getattr(self, "path", None)
        if command and path is not None:
            return f"{printable(command, 16)} {printable(path)}"
        raw = getattr(self, "requestline", "") or "(request line too long)"
        return f"- {printable(raw)}"

    def log_message(self, format: str, *args: Any) -> None:
        message = format % args
        say(printable(message, 400))

    def address_string(self) -> str:
        return "unix" if isinstance(self.client_address, str) else str(self.client_address[0])
