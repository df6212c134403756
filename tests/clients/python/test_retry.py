"""The retry helper (docs/client-behaviour.md 2) with injected random source, clock and sleep."""

from __future__ import annotations

import asyncio
import logging

import pytest
from virtengine_errors import (
    APIConnectionError,
    APIError,
    AsyncRetrier,
    Retrier,
    RetryBudget,
    RetryPolicy,
    VirtEngineError,
    decode_error,
)


class World:
    """A fake clock that only sleeps move, and a script of outcomes per attempt."""

    def __init__(self, outcomes: list[VirtEngineError | str], draws: float = 0.5) -> None:
        self.now = 1000.0
        self.outcomes = outcomes
        self.sleeps: list[float] = []
        self.draws = draws

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def random(self) -> float:
        return self.draws

    def send(self, attempt: int, timeout: float | None) -> str:
        outcome = self.outcomes[attempt - 1]
        if isinstance(outcome, VirtEngineError):
            raise outcome
        return outcome

    def retrier(self, policy: RetryPolicy | None = None, **kw: object) -> Retrier:
        return Retrier(
            policy,
            random=self.random,
            clock=self.clock,
            sleep=self.sleep,
            **kw,  # type: ignore[arg-type]
        )


def unavailable() -> APIError:
    return decode_error(503, {}, b"")


def test_exponential_backoff_with_full_jitter_from_registry_defaults() -> None:
    world = World([unavailable(), unavailable(), "ok"])
    assert world.retrier().call(world.send) == "ok"
    assert world.sleeps == [0.25, 0.5]  # 0.5 * 500 ms, 0.5 * 1000 ms


def test_max_delay_caps_the_backoff() -> None:
    world = World([unavailable()] * 10 + ["ok"], draws=0.999)
    policy = RetryPolicy(max_attempts=11, max_delay=2.0, budget=False)
    world.retrier(policy).call(world.send)
    assert max(world.sleeps) <= 2.0


def test_non_retryable_errors_stop_at_once() -> None:
    world = World([decode_error(400, {}, b""), "ok"])
    with pytest.raises(APIError) as caught:
        world.retrier().call(world.send)
    assert caught.value.attempts == 1 and world.sleeps == []


def test_post_connect_failure_is_retried_but_a_reset_is_not() -> None:
    world = World([APIConnectionError("refused", phase="connect"), "ok"])
    assert world.retrier().call(world.send, method="POST") == "ok"
    world = World([APIConnectionError("reset", phase="reset"), "ok"])
    with pytest.raises(APIConnectionError):
        world.retrier().call(world.send, method="POST")
    world = World([APIConnectionError("reset", phase="reset"), "ok"])
    assert world.retrier().call(world.send, method="POST", idempotency_key=True) == "ok"


def test_a_hint_above_max_retry_after_stops_and_is_kept() -> None:
    error = decode_error(503, {"retry-after": "120"}, b"")
    world = World([error, "ok"])
    with pytest.raises(APIError) as caught:
        world.retrier().call(world.send)
    assert caught.value.retry_after == 120 and world.sleeps == []


def test_per_call_overrides() -> None:
    world = World([unavailable()] * 5)
    with pytest.raises(APIError) as caught:
        world.retrier().call(world.send, max_attempts=5)
    assert caught.value.attempts == 5
    world = World([unavailable()] * 5)
    with pytest.raises(APIError) as caught:
        world.retrier().call(world.send, max_attempts=5, deadline=0.5)
    assert world.now - 1000.0 <= 0.5 and caught.value.attempts == 2


def test_budget_spends_on_retries_and_refunds_on_success() -> None:
    budget = RetryBudget(tokens=100)
    world = World([unavailable(), "ok"])
    world.retrier(budget=budget).call(world.send)
    assert budget.tokens == 100  # the retry's 14 tokens came back
    world = World(["ok"])
    world.retrier(budget=budget).call(world.send)
    assert budget.tokens == 101
    throttled = World([decode_error(429, {}, b""), decode_error(429, {}, b"")])
    with pytest.raises(APIError):
        throttled.retrier(budget=budget).call(throttled.send, max_attempts=2)
    assert budget.tokens == 96  # a throttled retry costs 5 and failed calls refund nothing
    full = RetryBudget()
    full.release(1000)
    assert full.tokens == full.capacity == 500


def test_on_retry_hook_and_debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[tuple[int, str, float]] = []
    world = World([unavailable(), "ok"])
    retrier = world.retrier(on_retry=lambda n, e, d, request: calls.append((n, str(e), d)))
    with caplog.at_level(logging.DEBUG, logger="virtengine_errors"):
        retrier.call(world.send)
    assert calls == [(2, "HTTP 503 Service Unavailable", 0.25)]
    assert any("retrying" in record.getMessage() for record in caplog.records)


def test_other_exceptions_propagate_untouched() -> None:
    def send(attempt: int, timeout: float | None) -> str:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        Retrier().call(send)


def test_async_helper_matches_and_cancels() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def send(attempt: int, timeout: float | None) -> str:
        if attempt == 1:
            raise unavailable()
        return "ok"

    retrier = AsyncRetrier(random=lambda: 0.5, sleep=sleep)
    assert asyncio.run(retrier.call(send)) == "ok"
    assert slept == [0.25]

    async def cancelled() -> None:
        async def always_fail(attempt: int, timeout: float | None) -> str:
            raise decode_error(503, {"retry-after": "30"}, b"")

        task = asyncio.create_task(AsyncRetrier().call(always_fail))
        await asyncio.sleep(0.01)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled())
