"""Send a request again when that is safe and useful, and only then.

``Retrier`` (sync) and ``AsyncRetrier`` run one call under a ``RetryPolicy``: they stop on
errors that are not retryable, never resend a non-idempotent request the server may have
acted on nor a body that cannot be sent twice, back off with full jitter, honour the
server's retry hints, bound the call by a deadline, and draw from a ``RetryBudget`` shared
by every call of one client so that an outage is not multiplied by retries. When they
stop, the error raised says why (``stop_reason``) and lists every attempt (``history``).
The random source, the monotonic clock and the sleep are injectable.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from random import random as uniform_draw
from types import MappingProxyType
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
from .errors import APIConnectionError, APIError, Attempt, ClientError, StopReason

__all__ = [
    "AsyncRetrier",
    "AsyncSend",
    "OnRetry",
    "Retrier",
    "RetryBudget",
    "RetryPolicy",
    "RetryRequest",
    "Send",
    "ShouldRetry",
]

T = TypeVar("T")

logger = logging.getLogger(PACKAGE)

_IDEMPOTENCY_KEY = "idempotency-key"

_MAX_EXPONENT = 1000  # 2.0 ** n stays finite; max_delay caps the delay long before


@dataclass(frozen=True, slots=True)
class RetryRequest:
    """What the retry helper knows of the request it sends; the hooks receive it."""

    method: str = "GET"
    url: str | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The headers the caller set."""
    body_replayable: bool = True
    """Whether the body can be sent a second time (``False`` for a stream or a generator)."""
    idempotency_key: bool = False
    """Whether the caller said the request carries an idempotency key."""

    @property
    def has_idempotency_key(self) -> bool:
        """The option, or a non-empty ``Idempotency-Key`` header (its name in any case)."""
        return self.idempotency_key or any(
            name.lower() == _IDEMPOTENCY_KEY and value for name, value in self.headers.items()
        )


ShouldRetry = Callable[[ClientError, int, RetryRequest], bool | None]
"""Asked after each failed attempt with the error, the number of that attempt and the
request: ``True`` retries an error the policy would not, ``False`` stops, ``None`` leaves
the decision to the error's ``retryable``. It cannot resend a request the idempotency
rule forbids, nor one whose body cannot be sent twice."""

OnRetry = Callable[[int, ClientError, float, RetryRequest], None]
"""Called before each retry with the attempt about to be sent, the error, the delay in
seconds and the request. If it raises, the retry's budget tokens are given back and the
call ends with its exception."""

Send = Callable[[int, float | None], T]
"""``send(attempt, timeout)``: sends the request once. ``attempt`` counts from 1;
``timeout`` is the time in seconds this attempt may take (what is left until the deadline,
reading the body included), or ``None`` without a deadline: give it to the HTTP call."""

AsyncSend = Callable[[int, float | None], Awaitable[T]]
"""``Send`` for ``AsyncRetrier``; the attempt is also abandoned when ``timeout`` passes."""


def _check_attempts(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: max_attempts must be an integer of at least 1, got {value!r}")


def _check_delay(name: str, value: object, where: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{where}: {name} must be a finite number of at least 0, got {value!r}")


def _check_deadline(value: object, where: str) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(
            f"{where}: deadline must be a finite number of seconds above 0 or None, got {value!r}"
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a call is retried; durations in seconds. Defaults come from the registry.

    Checked when created: a value out of range raises ``ValueError`` naming the option.
    """

    max_attempts: int = MAX_ATTEMPTS
    """Attempts in all, the first included."""
    base_delay: float = BASE_DELAY
    throttle_base_delay: float = THROTTLE_BASE_DELAY
    """Base delay after a rate-limit error."""
    max_delay: float = MAX_DELAY
    max_retry_after: float = MAX_RETRY_AFTER
    """A server hint longer than this stops retrying rather than waiting."""
    deadline: float | None = None
    """Time allowed for a call, every attempt (reading its body included) and every sleep."""
    budget: bool = BUDGET_ENABLED
    """Whether retries draw from the client's retry budget."""

    def __post_init__(self) -> None:
        _check_attempts(self.max_attempts, "RetryPolicy")
        for name in ("base_delay", "throttle_base_delay", "max_delay", "max_retry_after"):
            _check_delay(name, getattr(self, name), "RetryPolicy")
        _check_deadline(self.deadline, "RetryPolicy")
        if not isinstance(self.budget, bool):
            raise ValueError(f"RetryPolicy: budget must be True or False, got {self.budget!r}")


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
        for name, value in (
            ("capacity", capacity),
            ("retry_cost", retry_cost),
            ("throttle_retry_cost", throttle_retry_cost),
            ("success_refund", success_refund),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"RetryBudget: {name} must be an integer of at least 0")
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
        if tokens >= 0 and self._tokens == self.capacity:
            return  # full: nothing changes (an acquire racing this read orders after it)
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + tokens)


_Describe = Callable[[], RetryRequest]
"""Builds the ``RetryRequest`` of a call when an attempt fails: a call that succeeds at
once never needs it (the transports describe their httpx request this way)."""


@dataclass(slots=True)
class _Call:
    """The state of one call across its attempts."""

    described: RetryRequest | _Describe
    max_attempts: int
    deadline_at: float | None
    attempts: int = 0
    retries: int = 0
    tokens_taken: int = 0
    next_delay: float = 0.0
    history: list[Attempt] = field(default_factory=list)
    last_api_error: APIError | None = None

    @property
    def request(self) -> RetryRequest:
        described = self.described
        if not isinstance(described, RetryRequest):
            described = self.described = described()
        return described


class _RetryCore:
    def __init__(
        self,
        policy: RetryPolicy | None,
        budget: RetryBudget | None,
        random: Callable[[], float],
        clock: Callable[[], float],
        on_retry: OnRetry | None,
        should_retry: ShouldRetry | None,
    ) -> None:
        self.policy = policy if policy is not None else RetryPolicy()
        self.budget = budget if budget is not None else RetryBudget()
        self._random = random
        self._clock = clock
        self._on_retry = on_retry
        self._should_retry = should_retry

    def _start(
        self,
        request: RetryRequest | _Describe,
        max_attempts: int | None,
        deadline: float | None,
    ) -> _Call:
        if max_attempts is None:
            max_attempts = self.policy.max_attempts
        else:
            _check_attempts(max_attempts, "call")
        if deadline is None:
            deadline = self.policy.deadline
        else:
            _check_deadline(deadline, "call")
        return _Call(request, max_attempts, None if deadline is None else self._clock() + deadline)

    def _time_left(self, call: _Call) -> float | None:
        """The time budget of the next attempt: what is left until the deadline."""
        if call.deadline_at is None:
            return None
        return max(call.deadline_at - self._clock(), 0.0)

    def _failed(self, call: _Call, error: ClientError, cut: bool = False) -> float | None:
        """Record a failed attempt on ``error``; the delay before the next one, or ``None``
        when the call stops (``error.stop_reason`` then says why)."""
        if isinstance(error, APIError):
            call.history.append(Attempt(error.http_status, None, call.next_delay))
            call.last_api_error = error
        elif isinstance(error, APIConnectionError):
            call.history.append(Attempt(None, error.phase, call.next_delay))
            if call.last_api_error is not None:
                error.last_api_error = call.last_api_error
        error.attempts = call.attempts
        error.history = tuple(call.history)
        error.method = call.request.method
        error.url = call.request.url
        decision = self._decide(call, error, cut)
        if isinstance(decision, str):
            error.stop_reason = decision
            return None
        error.stop_reason = None
        return decision

    def _decide(self, call: _Call, error: ClientError, cut: bool) -> float | StopReason:
        """Rules 2.1 to 2.8 of the client contract, in order."""
        now = self._clock()
        if cut or (call.deadline_at is not None and now >= call.deadline_at):
            return "deadline"
        retryable = error.retryable
        if self._should_retry is not None:
            answer = self._should_retry(error, call.attempts, call.request)
            if answer is not None:
                retryable = bool(answer)
        if not retryable:
            return "not_retryable"
        throttling = _throttling(error)
        if not (throttling or _never_sent(error) or _may_resend(call.request)):
            return "not_idempotent"
        if not call.request.body_replayable:
            return "body_not_replayable"
        if call.attempts >= call.max_attempts:
            return "max_attempts"
        delay = self._delay(call, error, throttling)
        if delay is None:
            return "hint_too_long"
        if call.deadline_at is not None and now + delay > call.deadline_at:
            return "deadline"
        cost = 0
        if self.policy.budget:
            taken = self.budget.acquire(throttling)
            if taken is None:
                return "budget_exhausted"
            cost = taken
        try:
            self._report(call, error, delay)
        except BaseException:
            if cost:
                self.budget.release(cost)
            raise
        call.tokens_taken += cost
        call.retries += 1
        call.next_delay = delay
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
        request = call.request
        logger.debug(
            "retrying %s %s (attempt %d of %d) in %.3f s after: %s",
            request.method,
            request.url if request.url is not None else "(no URL given)",
            call.attempts + 1,
            call.max_attempts,
            delay,
            error,
        )
        if self._on_retry is not None:
            self._on_retry(call.attempts + 1, error, delay, request)

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


def _may_resend(request: RetryRequest) -> bool:
    """An idempotent method, or an idempotency key."""
    return request.method.upper() in IDEMPOTENT_METHODS or request.has_idempotency_key


def _request(
    method: str,
    url: str | None,
    headers: Mapping[str, str] | None,
    body_replayable: bool,
    idempotency_key: bool,
) -> RetryRequest:
    return RetryRequest(
        method=method,
        url=url,
        headers=MappingProxyType(dict(headers)) if headers else MappingProxyType({}),
        body_replayable=body_replayable,
        idempotency_key=idempotency_key,
    )


class Retrier(_RetryCore):
    """Runs a call, retrying it under the policy; for synchronous code.

    ``call(send, ...)`` calls ``send(attempt, timeout)``: ``attempt`` counts from 1 and
    ``timeout`` is the seconds this attempt may take (the time left until the deadline),
    or ``None`` without one; the HTTP call must give up after it (pass it as its timeout).
    ``send`` returns the result or raises an ``APIError`` or ``APIConnectionError``; any
    other exception (a mistake in the request, a hook that raises) propagates at once.
    On stop the last error is raised with ``attempts``, ``stop_reason`` and ``history``.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        budget: RetryBudget | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: OnRetry | None = None,
        should_retry: ShouldRetry | None = None,
    ) -> None:
        super().__init__(policy, budget, random, clock, on_retry, should_retry)
        self._sleep = sleep

    def call(
        self,
        send: Send[T],
        *,
        method: str = "GET",
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        body_replayable: bool = True,
        idempotency_key: bool = False,
        max_attempts: int | None = None,
        deadline: float | None = None,
    ) -> T:
        """Run ``send`` until it succeeds or the policy says stop.

        ``idempotency_key``: the request carries one, so resending it is safe (a non-empty
        ``Idempotency-Key`` in ``headers`` counts too). ``body_replayable=False``: the body
        cannot be sent twice, so the request is sent once. ``max_attempts`` and
        ``deadline`` (seconds) override the policy for this call.
        """
        request = _request(method, url, headers, body_replayable, idempotency_key)
        return self._run(send, request, max_attempts, deadline)

    def _run(
        self,
        send: Send[T],
        request: RetryRequest | _Describe,
        max_attempts: int | None,
        deadline: float | None,
    ) -> T:
        call = self._start(request, max_attempts, deadline)
        while True:
            call.attempts += 1
            try:
                result = send(call.attempts, self._time_left(call))
            except (APIError, APIConnectionError) as error:
                delay = self._failed(call, error)
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


async def _within(send: AsyncSend[T], attempt: int, timeout: float, cut: APIConnectionError) -> T:
    """``send`` abandoned when ``timeout`` passes, raising ``cut`` then. Through anyio
    (asyncio or trio) when it is installed, else asyncio."""
    try:
        import anyio
    except ImportError:
        import asyncio

        limit = asyncio.timeout(timeout)
        try:
            async with limit:
                return await send(attempt, timeout)
        except TimeoutError:
            if not limit.expired():
                raise
        raise cut from None
    with anyio.move_on_after(timeout):
        return await send(attempt, timeout)
    raise cut  # reached only when the time ran out


class AsyncRetrier(_RetryCore):
    """``Retrier`` for async code, under asyncio or (with anyio, which httpx installs)
    trio. Each attempt is abandoned when the deadline passes, reading its body included;
    cancelling the task stops the call at once, during an attempt or a sleep."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        budget: RetryBudget | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        on_retry: OnRetry | None = None,
        should_retry: ShouldRetry | None = None,
    ) -> None:
        super().__init__(policy, budget, random, clock, on_retry, should_retry)
        self._sleep = sleep if sleep is not None else _sleep

    async def call(
        self,
        send: AsyncSend[T],
        *,
        method: str = "GET",
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        body_replayable: bool = True,
        idempotency_key: bool = False,
        max_attempts: int | None = None,
        deadline: float | None = None,
    ) -> T:
        """As ``Retrier.call``, awaiting ``send`` (abandoned at the deadline) and sleeps."""
        request = _request(method, url, headers, body_replayable, idempotency_key)
        return await self._run(send, request, max_attempts, deadline)

    async def _run(
        self,
        send: AsyncSend[T],
        request: RetryRequest | _Describe,
        max_attempts: int | None,
        deadline: float | None,
    ) -> T:
        call = self._start(request, max_attempts, deadline)
        while True:
            call.attempts += 1
            timeout = self._time_left(call)
            cut = None  # the error of an attempt the deadline cuts
            try:
                if timeout is None:
                    result = await send(call.attempts, timeout)
                else:
                    cut = APIConnectionError(
                        f"the call's deadline passed during attempt {call.attempts}",
                        phase="timeout",
                    )
                    result = await _within(send, call.attempts, timeout, cut)
            except (APIError, APIConnectionError) as error:
                delay = self._failed(call, error, cut=error is cut)
                if delay is None:
                    raise
                await self._sleep(delay)
                continue
            self._succeeded(call)
            return result
