"""The smoke's output: one line per step with its time, and indented detail lines under it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

_START = time.monotonic()
TIMINGS: list[tuple[str, float]] = []


def say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def detail(text: str) -> None:
    print(f"smoke:     {text}", flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Prints the step's name, runs it, and prints its time (or FAILED with the time it took)."""
    say(f"{name} ...")
    started = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"{name}: FAILED after {time.monotonic() - started:.1f} s")
        raise
    took = time.monotonic() - started
    TIMINGS.append((name, took))
    say(f"{name}: ok ({took:.1f} s)")


def summary() -> None:
    say("timings:")
    for name, took in TIMINGS:
        detail(f"{took:6.1f} s  {name}")
    detail(f"{time.monotonic() - _START:6.1f} s  in all")
