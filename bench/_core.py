"""What every benchmark shares: figures with targets, a report, statistics, progress lines, the table."""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Status = Literal["PASS", "FAIL", "info"]


@dataclass(frozen=True)
class Figure:
    """One measured figure. ``target`` is human-readable; ``passed`` is None when there is no target."""

    name: str
    value: float | int | str
    unit: str = ""
    target: str = ""
    passed: bool | None = None

    @property
    def status(self) -> Status:
        if self.passed is None:
            return "info"
        return "PASS" if self.passed else "FAIL"

    def shown(self) -> str:
        if isinstance(self.value, float):
            digits = 2 if self.unit == "x" else 3 if abs(self.value) < 10 else 1
            text = f"{self.value:.{digits}f}"
        else:
            text = str(self.value)
        sep = "" if self.unit in {"", "x", "%"} else " "
        return f"{text}{sep}{self.unit}"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


@dataclass
class Report:
    """What a benchmark returns: its figures (the table rows) and details (results.json only)."""

    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        name: str,
        value: float | int | str,
        unit: str = "",
        *,
        target: str = "",
        passed: bool | None = None,
    ) -> Figure:
        figure = Figure(name=name, value=value, unit=unit, target=target, passed=passed)
        self.figures.append(figure)
        return figure

    def at_most(self, name: str, value: float, limit: float, unit: str = "") -> Figure:
        """A figure with an upper-bound target ``value <= limit``."""
        suffix = unit if unit in {"", "x", "%"} else f" {unit}"
        return self.add(name, value, unit, target=f"<= {limit:g}{suffix}", passed=value <= limit)

    def exactly(self, name: str, value: int, expected: int) -> Figure:
        return self.add(name, value, target=f"== {expected}", passed=value == expected)

    @property
    def failed(self) -> list[Figure]:
        return [f for f in self.figures if f.passed is False]


@dataclass(frozen=True)
class Options:
    """How a run was asked for. ``quick`` cuts sample counts for iterating on a benchmark; its figures
    are marked as such and must not be quoted."""

    quick: bool = False


Benchmark = Callable[["Progress", Options], Report]


class Progress:
    """Progress lines on stderr (stdout is for the table), prefixed with the benchmark and elapsed time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._started = time.perf_counter()

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self._started
        print(f"[{self.name} +{elapsed:5.1f}s] {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 2000 samples is the 1900th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


def spread(values: Sequence[float]) -> dict[str, float]:
    """The summary kept in results.json for a list of samples (milliseconds)."""
    return {
        "n": len(values),
        "median": round(median(values), 3),
        "p95": round(percentile(values, 95), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def machine_info() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        # other work on the machine while the run ended (1, 5, 15 min): context for noisy figures
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def table(rows: Sequence[tuple[str, Figure]]) -> str:
    """An aligned text table: benchmark, figure, value, target, status."""
    header = ("benchmark", "figure", "value", "target", "status")
    lines = [header, *((bench, f.name, f.shown(), f.target or "-", f.status) for bench, f in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def fmt(line: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if i == 2 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(lines[0]), rule, *(fmt(line) for line in lines[1:])])
