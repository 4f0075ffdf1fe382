"""devstack's own output: whole lines, never interleaved, flushed at once (tests wait for them)."""

from __future__ import annotations

import sys
import threading
from typing import TextIO


class Console:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self._lock = threading.Lock()

    def line(self, text: str) -> None:
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()

    def info(self, text: str) -> None:
        self.line(f"devstack: {text}")

    def error(self, text: str) -> None:
        self.line(f"devstack: ERROR {text}")

    def function_line(self, logical_id: str, text: str) -> None:
        """One log line of a function's worker, prefixed with the function's logical id."""
        self.line(f"[{logical_id}] {text}")
