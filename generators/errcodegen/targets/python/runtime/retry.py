"""Send a request again when that is safe and useful, and only then.

``Retrier`` (sync) and ``AsyncRetrier`` run one call under a ``RetryPolicy``: they stop on
errors that are not retryable, never resend a non-idempotent request the server may have
acted on, back off with full jitter, honour the server's retry hints, respect a deadline,
and draw from a ``RetryBudget`` shared by every call of one client so that an outage is
not multiplied by retries. The random source, clock and sleep are injectable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from random import random as uniform_draw
from typing import TypeVar

from ._registry import (
    BASE_DELAY,
    BUDGET_CAPACITY,
    BUDGET_ENABLED,
    IDEMPOTENT_METHODS,
    MAX_ATTEMPTS,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    PACKAGE,
    RETRY_COST,
    SUCCESS_REFUND,
    THROTTLE_BASE_DELAY,
    THROTTLE_RETRY_COST,
)
from .errors import APIConnectionError, APIError, ClientError

__all__ = ["AsyncRetrier", "OnRetry", "Retrier", "RetryBudget", "RetryPolicy"]

T = TypeVar("T")

logger = logging.getLogger(PACKAGE)

OnRetry = Callable[[int, ClientError, float], None]
"""Called before each retry with the attempt about to be sent, the error, the delay."""

_MAX_EXPONENT = 1000  # 2.0 ** n stays finite; max_delay caps the delay long before


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a call is retried; durations in seconds. Defaults come from the registry."""

    max_attempts: int = MAX_ATTEMPTS
    """Attempts in all, the first included."""
    base_delay: float = BASE_DELAY
    throttle_base_delay: float = THROTTLE_BASE_DELAY
    """Base delay after a rate-limit error."""
    max_delay: float = MAX_DELAY
    max_retry_after: float = MAX_RETRY_AFTER
    """A server hint longer than this stops retrying rather than waiting."""
    deadline: float | None = None
    """Time allowed for a call, all attempts and sleeps included."""
    budget: bool = BUDGET_ENABLED
    """Whether retries draw from the client's retry budget."""


class RetryBudget:
    """A token bucket shared by every call of one client: retries spend, successes refill.

    Thread-safe. A retry costs ``retry_cost`` tokens (``throttle_retry_cost`` after a
    rate-limit error); without enough tokens the call stops retrying.
    """

    def __init__(
        self,
        capacity: int = BUDGET_CAPACITY,
        *,
        tokens: int | None = None,
        retry_cost: int = RETRY_COST,
        throttle_retry_cost: int = THROTTLE_RETRY_COST,
        success_refund: int = SUCCESS_REFUND,
    ) -> None:
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.throttle_retry_cost = throttle_retry_cost
        self.success_refund = success_refund
        self._tokens = capacity if tokens is None else max(0, min(tokens, capacity))
        self._lock = threading.Lock()

    @property
    def tokens(self) -> int:
        return self._tokens

    def acquire(self, throttling: bool) -> int | None:
        """Take the cost of one retry; ``None`` (and nothing taken) if too few tokens are left."""
        cost = self.throttle_retry_cost if throttling else self.retry_cost
        with self._lock:
            if self._tokens < cost:
                return None
            self._tokens -= cost
            return cost

    def release(self, tokens: int) -> None:
        """Give ``tokens`` back, never above capacity."""
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + tokens)


@dataclass(slots=True)
class _Call:
    """The state of one call across its attempts."""

    method_safe: bool
    max_attempts: int
    deadline_at: float | None
    attempts: int = 0
    retries: int = 0
    tokens_taken: int = 0


class _RetryCore:
    def __init__(
        self,
        policy: RetryPolicy | None,
        budget: RetryBudget | None,
        random: Callable[[], float],
        clock: Callable[[], float],
        on_retry: OnRetry | None,
    ) -> None:
        self.policy = policy if policy is not None else RetryPolicy()
        self.budget = budget if budget is not None else RetryBudget()
        self._random = random
        self._clock = clock
        self._on_retry = on_retry

    def _start(
        self,
        method: str,
        idempotency_key: bool,
        max_attempts: int | None,
        deadline: float | None,
    ) -> _Call:
        deadline = deadline if deadline is not None else self.policy.deadline
        return _Call(
            method_safe=idempotency_key or method.upper() in IDEMPOTENT_METHODS,
            max_attempts=max_attempts if max_attempts is not None else self.policy.max_attempts,
            deadline_at=None if deadline is None else self._clock() + deadline,
        )

    def _plan(self, call: _Call, error: ClientError) -> float | None:
        """The delay before the next attempt, or ``None`` to stop (docs/client-behaviour.md 2)."""
        error.attempts = call.attempts
        now = self._clock()
        if call.deadline_at is not None and now >= call.deadline_at:
            return None
        if not error.retryable:
            return None
        throttling = _throttling(error)
        if not (call.method_safe or throttling or _never_sent(error)):
            return None
        if call.attempts >= call.max_attempts:
            return None
        delay = self._delay(call, error, throttling)
        if delay is None:
            return None
        if call.deadline_at is not None and now + delay > call.deadline_at:
            return None
        if self.policy.budget:
            cost = self.budget.acquire(throttling)
            if cost is None:
                return None
            call.tokens_taken += cost
        call.retries += 1
        self._report(call, error, delay)
        return delay

    def _delay(self, call: _Call, error: ClientError, throttling: bool) -> float | None:
        policy = self.policy
        base = policy.throttle_base_delay if throttling else policy.base_delay
        exponent = min(call.retries, _MAX_EXPONENT)
        backoff = self._random() * min(policy.max_delay, base * 2.0**exponent)
        hint = error.retry_after if isinstance(error, APIError) else None
        if hint is None:
            return backoff
        if hint > policy.max_retry_after:
            return None
        return max(hint, backoff)

    def _report(self, call: _Call, error: ClientError, delay: float) -> None:
        logger.debug(
            "retrying (attempt %d of %d) in %.3f s after: %s",
            call.attempts + 1,
            call.max_attempts,
            delay,
            error,
        )
        if self._on_retry is not None:
            self._on_retry(call.attempts + 1, error, delay)

    def _succeeded(self, call: _Call) -> None:
        if self.policy.budget:
            refund = call.tokens_taken if call.retries else self.budget.success_refund
            self.budget.release(refund)


def _throttling(error: ClientError) -> bool:
    return isinstance(error, APIError) and (
        error.category == "rate_limit" or error.http_status == 429
    )


def _never_sent(error: ClientError) -> bool:
    return isinstance(error, APIConnectionError) and not error.request_sent


class Retrier(_RetryCore):
    """Runs a call, retrying it under the policy; for synchronous code.

    ``call(send, ...)`` calls ``send(attempt)`` (attempt 1, 2, ...). ``send`` returns the
    result or raises an error of this package; any other exception propagates at once.
    On stop the last error is raised with ``attempts`` set.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        budget: RetryBudget | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: OnRetry | None = None,
    ) -> None:
        super().__init__(policy, budget, random, clock, on_retry)
        self._sleep = sleep

    def call(
        self,
        send: Callable[[int], T],
        *,
        method: str = "GET",
        idempotency_key: bool = False,
        max_attempts: int | None = None,
        deadline: float | None = None,
    ) -> T:
        """Run ``send`` until it succeeds or the policy says stop.

        ``idempotency_key``: the request carries one, so resending it is safe.
        ``max_attempts`` and ``deadline`` (seconds) override the policy for this call.
        """
        call = self._start(method, idempotency_key, max_attempts, deadline)
        while True:
            call.attempts += 1
            try:
                result = send(call.attempts)
            except ClientError as error:
                delay = self._plan(call, error)
                if delay is None:
                    raise
                self._sleep(delay)
                continue
            self._succeeded(call)
            return result


async def _sleep(seconds: float) -> None:
    """Sleep in whichever event loop runs the call: through anyio (asyncio or trio, as
    httpx supports them) when it is installed, as it is with httpx; else asyncio."""
    try:
        import anyio
    except ImportError:
        import asyncio

        await asyncio.sleep(seconds)
    else:
        await anyio.sleep(seconds)


class AsyncRetrier(_RetryCore):
    """``Retrier`` for async code: cancelling the task during a backoff sleep stops at once.

    ``sleep`` defaults to one that works under asyncio and, with anyio installed (httpx
    installs it), under trio.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        budget: RetryBudget | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        on_retry: OnRetry | None = None,
    ) -> None:
        super().__init__(policy, budget, random, clock, on_retry)
        self._sleep = sleep if sleep is not None else _sleep

    async def call(
        self,
        send: Callable[[int], Awaitable[T]],
        *,
        method: str = "GET",
        idempotency_key: bool = False,
        max_attempts: int | None = None,
        deadline: float | None = None,
    ) -> T:
        """As ``Retrier.call``, awaiting ``send`` and the sleeps."""
        call = self._start(method, idempotency_key, max_attempts, deadline)
        while True:
            call.attempts += 1
            try:
                result = await send(call.attempts)
            except ClientError as error:
                delay = self._plan(call, error)
                if delay is None:
                    raise
                await self._sleep(delay)
                continue
            self._succeeded(call)
            return result
