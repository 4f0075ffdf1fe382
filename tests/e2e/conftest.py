"""One devstack for the whole e2e session (see devstack_process.py), stopped cleanly at the end.

Under pytest-xdist (``make test``) the session is a worker's: each worker that is dealt e2e tests starts
its own devstack on its own free ports, so the e2e tests share the workers like every other test. Each
test makes the data it reads (a fresh id or subject), so it does not matter which devstack runs it.

All of devstack's output (its own lines and the functions' logs) goes to the log capture, which fails the
run when a test person's data shows up in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests import logcapture
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS
from tests.e2e.devstack_process import RunningDevstack, start_devstack, stop_devstack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright


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


# One Playwright driver and one Chromium for every browser test of the session (the form's and the
# confirmation page's): the sync API allows one driver per thread.


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Contexts for one test (desktop, English browser unless told otherwise), closed after it."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"viewport": DESKTOP, "locale": "en-GB", **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
