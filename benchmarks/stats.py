"""Medians, spreads and verdicts shared by every benchmark of the report.

A figure measured over rounds is reported as the median of its per-round values with the
interquartile range (Q1..Q3) and the extremes. Its verdict against an upper limit:

- ``met``: the whole interquartile range is within the limit;
- ``MISSED``: the whole interquartile range is beyond it;
- ``not shown``: the range straddles the limit (the machine's noise is larger than the
  distance to the target: neither met nor refuted).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    median: float
    q1: float
    q3: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if len(values) < 2:
            raise ValueError("a spread needs at least two rounds")
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(median, q1, q3, min(values), max(values), len(values))

    def verdict(self, limit: float) -> str:
        if self.q3 <= limit:
            return "met"
        if self.q1 > limit:
            return "MISSED"
        return "not shown"


def verdict_of_value(value: float, limit: float) -> str:
    """A figure measured exactly (bytes, allocations) or as a single run."""
    return "met" if value <= limit else "MISSED"


def ratio_text(s: Spread) -> str:
    return f"{s.median:.2f}x (IQR {s.q1:.2f}..{s.q3:.2f}, range {s.low:.2f}..{s.high:.2f})"


def percent_text(s: Spread) -> str:
    return (
        f"{100 * s.median:+.1f}% (IQR {100 * s.q1:+.1f}..{100 * s.q3:+.1f}, "
        f"range {100 * s.low:+.1f}..{100 * s.high:+.1f})"
    )
