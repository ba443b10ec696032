"""A real pseudo-terminal for full-screen tests: a command runs in it (pexpect) and its
output is drawn on a terminal emulator's screen (pyte), which tests read as a person
would, line by line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pexpect
import pyte


class Terminal:
    def __init__(
        self,
        command: list[str],
        cwd: Path,
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (36, 130),
    ) -> None:
        rows, cols = size
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.output = b""
        environ = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(cols),
            "LINES": str(rows),
            **(env or {}),
        }
        self.child = pexpect.spawn(
            command[0], command[1:], cwd=str(cwd), env=environ, dimensions=size
        )

    def pump(self, seconds: float = 0.2) -> bool:
        """Read what the command wrote for ``seconds``; False once it has ended."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = self.child.read_nonblocking(1 << 16, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return False
            self.output += data
            self.stream.feed(data)
        return True

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        """Wait until the screen shows every one of ``texts``; the screen."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if all(t in self.text for t in texts):
                return self.text
            if not self.pump(0.1):
                break
        missing = [t for t in texts if t not in self.text]
        raise AssertionError(f"the screen never showed {missing}:\n{self.text}")

    def press(self, key: str, then: str | None = None) -> str:
        """Send one key (``right``, ``left`` and ``escape`` by name); wait for ``then``."""
        codes = {"right": "\x1b[C", "left": "\x1b[D", "escape": "\x1b"}
        self.child.send(codes.get(key, key))
        if then is not None:
            return self.wait_for(then)
        self.pump(0.3)
        return self.text

    def finish(self, timeout: float = 30.0) -> tuple[int, str]:
        """Wait for the command to end: its exit status and everything it printed, with
        the escape sequences left out."""
        import re

        end = time.monotonic() + timeout
        while time.monotonic() < end and self.pump(0.2):
            pass
        self.child.close()
        printed = re.sub(
            rb"\x1b(\[[0-9;?<>=]*[A-Za-z~]|[()][A-Z0-9]|[=>78])", b"", self.output
        ).decode("utf-8", "replace")
        status = self.child.exitstatus
        return (status if status is not None else 128 + (self.child.signalstatus or 0), printed)
