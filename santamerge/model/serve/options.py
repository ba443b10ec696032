"""What ``santamerge serve`` is asked to do: its address, key, limits and mode."""

from __future__ import annotations

from typing import NamedTuple

from santamerge.errors import SantamergeError


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
