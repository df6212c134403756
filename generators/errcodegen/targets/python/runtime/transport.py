"""httpx integration: transports that retry under the policy and raise typed errors.

    client = httpx.Client(transport=RetryTransport())
    client.post(url, json=order, extensions=call_options(idempotency_key=True))

Each transport owns one retry budget, shared by every call of the client it serves.
An error response (status >= 400) is read up to the size cap and raised as the
``APIError`` subclass of its category; a failed connection raises ``APIConnectionError``
chained to httpx's exception. Retries carry ``Retry-Attempt: <n>`` and the call's
``Idempotency-Key``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from random import random as uniform_draw
from typing import Any

import httpx

from ._registry import IDEMPOTENT_METHODS, MAX_ERROR_BODY_BYTES, PACKAGE
from .decoding import decode_error
from .errors import APIConnectionError, APIError, ConnectionPhase
from .retry import (
    AsyncRetrier,
    OnRetry,
    Retrier,
    RetryBudget,
    RetryPolicy,
)

EXTENSION = f"{PACKAGE}.call_options"
"""The httpx request extension that carries a call's ``CallOptions``."""

IDEMPOTENCY_KEY = "Idempotency-Key"
RETRY_ATTEMPT = "Retry-Attempt"


@dataclass(frozen=True, slots=True)
class CallOptions:
    """Per-call overrides of the transport's policy."""

    max_attempts: int | None = None
    deadline: float | None = None
    """Seconds for the whole call, retries and sleeps included."""
    idempotency_key: str | bool | None = None
    """A key to send, ``True`` to generate one, ``False`` for none, ``None`` for the
    transport's default."""


def call_options(
    *,
    max_attempts: int | None = None,
    deadline: float | None = None,
    idempotency_key: str | bool | None = None,
) -> dict[str, Any]:
    """Request extensions for httpx: ``client.get(url, extensions=call_options(...))``."""
    return {EXTENSION: CallOptions(max_attempts, deadline, idempotency_key)}


_DEFAULT_OPTIONS = CallOptions()


def _options(request: httpx.Request) -> CallOptions:
    options = request.extensions.get(EXTENSION)
    return options if isinstance(options, CallOptions) else _DEFAULT_OPTIONS


def _attach_idempotency_key(
    request: httpx.Request, options: CallOptions, generate_by_default: bool
) -> bool:
    """Give the request its key if the call asks for one; whether it carries one."""
    if IDEMPOTENCY_KEY in request.headers:
        return True
    wanted = options.idempotency_key
    if wanted is None:
        wanted = generate_by_default and request.method.upper() not in IDEMPOTENT_METHODS
    if wanted is False:
        return False
    request.headers[IDEMPOTENCY_KEY] = wanted if isinstance(wanted, str) else str(uuid.uuid4())
    return True


def _mark_attempt(request: httpx.Request, attempt: int) -> None:
    if attempt > 1:
        request.headers[RETRY_ATTEMPT] = str(attempt - 1)


def _connection_error(exc: httpx.TransportError) -> APIConnectionError:
    phase: ConnectionPhase
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        phase = "connect"  # nothing reached the server
    elif isinstance(exc, httpx.TimeoutException):
        phase = "timeout"
    else:
        phase = "reset"
    return APIConnectionError(f"{type(exc).__name__}: {exc}", phase=phase)


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the body; the rest is never read (the connection closes)."""
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) >= limit:
                break
    except httpx.HTTPError:
        pass  # a body cut short still tells what it can
    finally:
        response.close()
    return bytes(body[:limit])


async def _aread_capped(response: httpx.Response, limit: int) -> bytes:
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= limit:
                break
    except httpx.HTTPError:
        pass
    finally:
        await response.aclose()
    return bytes(body[:limit])


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport (default ``httpx.HTTPTransport()``) with retries and typed errors.

    ``idempotency_keys=True`` gives every non-idempotent request a generated key (reused
    by its retries), which makes it safe to retry; per call, ``call_options`` decides.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
        idempotency_keys: bool = False,
        on_retry: OnRetry | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_error_body_bytes: int = MAX_ERROR_BODY_BYTES,
    ) -> None:
        self._transport = transport if transport is not None else httpx.HTTPTransport()
        self._retrier = Retrier(
            policy, budget=budget, random=random, clock=clock, sleep=sleep, on_retry=on_retry
        )
        self._clock = clock
        self._idempotency_keys = idempotency_keys
        self._max_error_body_bytes = max_error_body_bytes

    @property
    def budget(self) -> RetryBudget:
        return self._retrier.budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        options = _options(request)
        has_key = _attach_idempotency_key(request, options, self._idempotency_keys)

        def send(attempt: int) -> httpx.Response:
            _mark_attempt(request, attempt)
            try:
                response = self._transport.handle_request(request)
            except httpx.TransportError as exc:
                raise _connection_error(exc) from exc
            if response.status_code < 400:
                return response
            raise self._error(response, _read_capped(response, self._max_error_body_bytes))

        return self._retrier.call(
            send,
            method=request.method,
            idempotency_key=has_key,
            max_attempts=options.max_attempts,
            deadline=options.deadline,
        )

    def _error(self, response: httpx.Response, body: bytes) -> APIError:
        return decode_error(response.status_code, response.headers, body, now=self._clock())

    def close(self) -> None:
        self._transport.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """``RetryTransport`` for ``httpx.AsyncClient``; cancelling the task stops at once."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
        idempotency_keys: bool = False,
        on_retry: OnRetry | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_error_body_bytes: int = MAX_ERROR_BODY_BYTES,
    ) -> None:
        self._transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self._retrier = AsyncRetrier(
            policy, budget=budget, random=random, clock=clock, sleep=sleep, on_retry=on_retry
        )
        self._clock = clock
        self._idempotency_keys = idempotency_keys
        self._max_error_body_bytes = max_error_body_bytes

    @property
    def budget(self) -> RetryBudget:
        return self._retrier.budget

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        options = _options(request)
        has_key = _attach_idempotency_key(request, options, self._idempotency_keys)

        async def send(attempt: int) -> httpx.Response:
            _mark_attempt(request, attempt)
            try:
                response = await self._transport.handle_async_request(request)
            except httpx.TransportError as exc:
                raise _connection_error(exc) from exc
            if response.status_code < 400:
                return response
            body = await _aread_capped(response, self._max_error_body_bytes)
            raise decode_error(response.status_code, response.headers, body, now=self._clock())

        return await self._retrier.call(
            send,
            method=request.method,
            idempotency_key=has_key,
            max_attempts=options.max_attempts,
            deadline=options.deadline,
        )

    async def aclose(self) -> None:
        await self._transport.aclose()
