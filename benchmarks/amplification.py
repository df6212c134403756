"""Retry amplification, simulated with the real Python retry helper and a simulated clock.

10,000 requests, one after another, through ONE client (so one retry budget), against
(a) a full outage where every attempt answers 503 and (b) 20% independent transient
503s. The clock advances by each attempt's latency and by the helper's sleeps; nothing
really sleeps. Our policy (the registry's defaults: jitter, budget) is compared with a
naive one: 3 attempts, no budget, no jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from virtengine_errors import decode_error
from virtengine_errors.errors import VirtEngineError
from virtengine_errors.retry import Retrier, RetryBudget, RetryPolicy

REQUESTS = 10_000
LATENCY_S = 0.020  # simulated round trip of one attempt
FAILURE_RATE = 0.20
SEED = 20261128

DESCRIPTION = (
    f"{REQUESTS:,} sequential GET requests through one client (one retry budget), "
    f"{LATENCY_S * 1000:.0f} ms simulated per attempt, the real Python retry helper with "
    "an injected clock and sleep (no real sleeping). Naive: 3 attempts, no budget, no "
    "jitter (the same exponential delays at their maximum)."
)


@dataclass(frozen=True)
class Result:
    scenario: str
    policy: str
    requests: int
    attempts: int
    successes: int
    simulated_seconds: float
    target: str

    @property
    def attempts_per_request(self) -> float:
        return self.attempts / self.requests

    @property
    def success_rate(self) -> float:
        return self.successes / self.requests

    @property
    def verdict(self) -> str:
        if self.policy == "naive":
            return "baseline"
        if self.scenario == "full outage":
            met = self.attempts_per_request < 1.05
        else:
            met = self.success_rate >= 0.99 and self.attempts_per_request <= 1.3
        return "met" if met else "MISSED"


class SimulatedClock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def simulate(fails: Callable[[], bool], naive: bool, rng: random.Random) -> tuple[int, int, float]:
    clock = SimulatedClock()
    policy = RetryPolicy(max_attempts=3, budget=False) if naive else RetryPolicy()
    retrier = Retrier(
        policy,
        budget=RetryBudget(),
        random=(lambda: 0.999999) if naive else rng.random,
        clock=lambda: clock.now,
        sleep=clock.sleep,
    )
    attempts = successes = 0

    def send(attempt: int, time_left: float | None = None) -> str:
        nonlocal attempts
        attempts += 1
        clock.sleep(LATENCY_S)
        if fails():
            raise decode_error(503, {}, b"", now=clock.now)
        return "ok"

    for _ in range(REQUESTS):
        try:
            retrier.call(send, method="GET")
            successes += 1
        except VirtEngineError:
            pass
    return attempts, successes, clock.now


def failures(rng: random.Random, rate: float) -> Callable[[], bool]:
    """Independent failures at ``rate`` (1.0: every attempt fails)."""
    return lambda: rate >= 1.0 or rng.random() < rate


def run_all() -> list[Result]:
    results = []
    for scenario, target in [
        ("full outage", "< 1.05 attempts/request"),
        ("20% failures", ">= 99% success, <= 1.3 attempts/request"),
    ]:
        for naive in (False, True):
            rng = random.Random(SEED)
            rate = 1.0 if scenario == "full outage" else FAILURE_RATE
            attempts, successes, seconds = simulate(failures(rng, rate), naive, rng)
            results.append(
                Result(
                    scenario,
                    "naive" if naive else "ours",
                    REQUESTS,
                    attempts,
                    successes,
                    seconds,
                    "baseline" if naive else target,
                )
            )
    return results


if __name__ == "__main__":
    for result in run_all():
        print(result, f"{result.attempts_per_request:.3f}", f"{result.success_rate:.4f}")
