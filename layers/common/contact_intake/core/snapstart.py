"""SnapStart runtime hooks that also work off Lambda.

On Lambda the managed Python runtime ships ``snapshot_restore_py``: a hook registered with it runs before
the snapshot of a published version is taken, or after each restore of it, and never on an on-demand
init. Elsewhere (tests, devstack, the benchmark) the module is absent: the hooks are kept here, and
``run_before_snapshot`` / ``run_after_restore`` run them in the runtime's order (before: last registered
first; after: first registered first), so the benchmark can measure what SnapStart moves out of the
first response and the tests can check what a restore must renew.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[[], Any]

_before: list[Hook] = []
_after: list[Hook] = []

try:  # the Lambda runtime's library (pypi: snapshot-restore-py); not installed off Lambda
    from snapshot_restore_py import (  # type: ignore[import-not-found, unused-ignore]
        register_after_restore as _runtime_after,
    )
    from snapshot_restore_py import (  # type: ignore[import-not-found, unused-ignore]
        register_before_snapshot as _runtime_before,
    )
except ImportError:
    _runtime_before = _runtime_after = None


def before_snapshot(hook: Hook) -> Hook:
    """Decorator: run ``hook`` once before the snapshot is taken (priming)."""
    _before.append(hook)
    if _runtime_before is not None:
        _runtime_before(hook)
    return hook


def after_restore(hook: Hook) -> Hook:
    """Decorator: run ``hook`` in every execution environment restored from the snapshot."""
    _after.append(hook)
    if _runtime_after is not None:
        _runtime_after(hook)
    return hook


def run_before_snapshot() -> None:
    """Off Lambda: what the runtime does before the snapshot (hooks in reverse order of registration)."""
    for hook in reversed(_before):
        hook()


def run_after_restore() -> None:
    """Off Lambda: what the runtime does after a restore (hooks in order of registration)."""
    for hook in _after:
        hook()
