"""One devstack for the whole e2e session (see devstack_process.py), stopped cleanly at the end.

Under pytest-xdist (``make test``) the session is a worker's: each worker that is dealt e2e tests starts
its own devstack on its own free ports, so the e2e tests share the workers like every other test. Each
test makes the data it reads (a fresh id or subject), so it does not matter which devstack runs it.

All of devstack's output (its own lines and the functions' logs) goes to the log capture, which fails the
run when a test person's data shows up in it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import logcapture
from tests.e2e.devstack_process import RunningDevstack, start_devstack, stop_devstack


@pytest.fixture(scope="session")
def devstack() -> Iterator[RunningDevstack]:
    stack, process, reader = start_devstack()
    try:
        yield stack
    finally:
        code = stop_devstack(process, reader)
        logcapture.record("\n".join(stack.output))
        assert code == 0, "devstack did not stop cleanly on SIGTERM:\n" + "\n".join(stack.output[-40:])
        assert "devstack: stopped" in stack.output, stack.output[-5:]
