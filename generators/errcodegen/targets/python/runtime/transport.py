"""httpx integration: transports that retry under the policy, and typed errors on demand.

    client = Client(base_url=url, idempotency_keys=True)   # raises typed errors
    client.post("/orders", json=order, extensions=call_options(deadline=10))

    http = httpx.Client(transport=RetryTransport())         # plain httpx: check yourself
    raise_for_error(http.get(url))

The transports obey httpx's transport contract: an error response is a response. They
retry it while the policy allows, then return the last one (its body cut at the size cap,
the decoded error attached), so auth flows such as ``httpx.DigestAuth`` see the 401 they
answer and response event hooks see every response. The typed error comes from
``raise_for_error(response)`` (``araise_for_error`` for async), from a ``response`` event
hook calling it, or from ``Client`` / ``AsyncClient``, which raise it once httpx is done
with auth, redirects and hooks. A request that got no response after its retries raises
``APIConnectionError`` chained to httpx's exception.

``Client`` and ``AsyncClient`` are the httpx clients with every transport httpx builds
wrapped: the default one, ``proxy=``, environment proxies (``HTTP_PROXY``, ...), ``mounts=``
and ``transport=``; all of them share one retry budget.

Each transport owns one retry budget, shared by every call of the client it serves.
Retries carry ``Retry-Attempt: <n>`` and the call's ``Idempotency-Key``. A call's deadline
bounds every attempt: each gets the time left as its httpx timeout, and the wait for the
response head ends when the time is up (httpx's timeouts bound each read, so a server
trickling its headers would outlast them: with a deadline, ``RetryTransport`` sends the
attempt from a worker thread). Reading a body past the deadline fails
(``httpx.ReadTimeout`` for the body of a success, which httpx reads after the transport
returned). A body that cannot be sent twice (a generator, a file object) is sent once; a
mistake in the request (an unsupported URL scheme, an invalid header) raises httpx's
exception at once, unsent and not retried.
"""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import partial
from random import random as uniform_draw
from typing import Any

from ._registry import DISTRIBUTION, IDEMPOTENT_METHODS, MAX_ERROR_BODY_BYTES, PACKAGE

try:
    import httpx
except ImportError as missing:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        f"{PACKAGE}.transport needs httpx, which {DISTRIBUTION} installs with its httpx "
        f"extra: pip install '{DISTRIBUTION}[httpx]'",
        name=missing.name,
    ) from missing

from .decoding import decode_error
from .errors import APIConnectionError, APIError, ConnectionPhase
from .retry import (
    AsyncRetrier,
    OnRetry,
    Retrier,
    RetryBudget,
    RetryPolicy,
    RetryRequest,
    ShouldRetry,
    _Describe,
    _request,
)

__all__ = [
    "ERROR_EXTENSION",
    "EXTENSION",
    "IDEMPOTENCY_KEY",
    "RETRY_ATTEMPT",
    "AsyncClient",
    "AsyncRetryTransport",
    "CallOptions",
    "Client",
    "RetryTransport",
    "araise_for_error",
    "call_options",
    "raise_for_error",
]

EXTENSION = f"{PACKAGE}.call_options"
"""The httpx request extension that carries a call's ``CallOptions``."""

ERROR_EXTENSION = f"{PACKAGE}.error"
"""The response extension where the transports leave the error they decoded."""

IDEMPOTENCY_KEY = "Idempotency-Key"
RETRY_ATTEMPT = "Retry-Attempt"
_IDEMPOTENCY_KEY_NAME = IDEMPOTENCY_KEY.lower().encode()
_RETRY_ATTEMPT_NAME = RETRY_ATTEMPT.lower().encode()
_WATCHED_LENGTHS = frozenset((len(_IDEMPOTENCY_KEY_NAME), len(_RETRY_ATTEMPT_NAME)))

# Headers that described the body on the wire, not the capped, decoded one handed on.
_BODY_FRAMING = ("content-encoding", "content-length", "transfer-encoding")
_TIMEOUTS = ("connect", "read", "write", "pool")
_SHORTEST_TIMEOUT = 0.001  # a socket timeout of 0 would mean non-blocking, not "at once"
# httpx's exceptions for a request that is wrong in itself: raised at once, never retried
_REQUEST_MISTAKES = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


@dataclass(frozen=True, slots=True)
class CallOptions:
    """Per-call overrides of the transport's policy."""

    max_attempts: int | None = None
    deadline: float | None = None
    """Seconds for the whole call, every attempt (reading its body included) and sleep."""
    idempotency_key: str | bool | None = None
    """A key to send, ``True`` to generate one, ``False`` for none, ``None`` for the
    transport's default."""

    def __post_init__(self) -> None:
        # the retry helper's checks, at once rather than when the request is sent
        RetryPolicy(
            max_attempts=1 if self.max_attempts is None else self.max_attempts,
            deadline=self.deadline,
        )


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


def _begin(request: httpx.Request, options: CallOptions, generate_by_default: bool) -> _Describe:
    """Ready ``request`` for its first attempt: a ``Request`` sent again keeps nothing of
    an earlier call's attempts, and gets the idempotency key it should carry. Returns how
    to describe the call to the retry helper, which builds the ``RetryRequest`` (the URL
    as text, the headers as a mapping) only if an attempt fails.
    """
    headers = request.headers
    raw = headers.raw  # a copy, and the headers as the call starts unless changed below
    # One pass over the raw names; a lookup by name would decode and scan them all.
    names = {name.lower() for name, _ in raw if len(name) in _WATCHED_LENGTHS}
    if _RETRY_ATTEMPT_NAME in names:
        del headers[RETRY_ATTEMPT]
    # set by hand (an empty header is no key), else by the call's option or the default
    has_key = _IDEMPOTENCY_KEY_NAME in names and bool(headers.get(IDEMPOTENCY_KEY))
    if not has_key:
        wanted = options.idempotency_key
        if wanted is None:
            wanted = generate_by_default and request.method.upper() not in IDEMPOTENT_METHODS
        if wanted is not False:
            headers[IDEMPOTENCY_KEY] = wanted if isinstance(wanted, str) else str(uuid.uuid4())
            has_key = True
    if _RETRY_ATTEMPT_NAME in names or has_key:
        raw = headers.raw
    return partial(_retry_request, request.method, request.url, raw, _replayable(request), has_key)


def _retry_request(
    method: str,
    url: httpx.URL,
    raw_headers: list[tuple[bytes, bytes]],
    body_replayable: bool,
    has_key: bool,
) -> RetryRequest:
    return _request(method, str(url), httpx.Headers(raw_headers), body_replayable, has_key)


def _mark_attempt(request: httpx.Request, attempt: int) -> None:
    """Before a retry: the number of retries so far."""
    request.headers[RETRY_ATTEMPT] = str(attempt - 1)


def _replayable(request: httpx.Request) -> bool:
    """Whether the body can be sent again: bytes (``content=``, ``json=``, ``data=``, a
    body already read), or httpx's multipart, which rewinds its files; not a generator
    or a file object given as ``content=``."""
    stream = request.stream
    return isinstance(stream, httpx.ByteStream) or type(stream).__name__ == "MultipartStream"


def _limit_attempt(request: httpx.Request, call_timeout: Any, timeout: float | None) -> None:
    """Give the attempt at most ``timeout`` seconds in each of httpx's timeouts."""
    if timeout is None:
        if call_timeout is not None:
            request.extensions["timeout"] = call_timeout
        return
    timeout = max(timeout, _SHORTEST_TIMEOUT)
    given = call_timeout if isinstance(call_timeout, dict) else {}
    request.extensions["timeout"] = {
        name: timeout if given.get(name) is None else min(given[name], timeout)
        for name in _TIMEOUTS
    }


def _mark_not_sent(exc: Exception) -> None:
    exc.add_note(f"{PACKAGE}: a mistake in the request; it was not sent nor retried")


def _deadline_passed() -> APIConnectionError:
    return APIConnectionError(
        "the call's deadline passed while reading the response body", phase="timeout"
    )


def _connection_error(exc: httpx.TransportError) -> APIConnectionError:
    phase: ConnectionPhase
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        phase = "connect"  # nothing reached the server
    elif isinstance(exc, httpx.TimeoutException):
        phase = "timeout"
    else:
        phase = "reset"
    return APIConnectionError(f"{type(exc).__name__}: {exc}", phase=phase)


def _read_capped(
    response: httpx.Response,
    limit: int,
    until: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """At most ``limit`` bytes of the body; the rest is never read (the connection closes).

    With ``until`` (on ``clock``), reading past that moment fails as a timeout.
    """
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            if until is not None and clock() >= until:
                raise _deadline_passed()
            body += chunk
            if len(body) >= limit:
                break
    except httpx.HTTPError as exc:
        if until is not None and clock() >= until:
            raise _deadline_passed() from exc
        # else a body cut short still tells what it can
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


_HEAD_WAITERS = 64  # threads that wait for response heads, shared by every RetryTransport
_head_pool: ThreadPoolExecutor | None = None
_head_pool_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _head_pool
    with _head_pool_lock:
        if _head_pool is None:
            _head_pool = ThreadPoolExecutor(_HEAD_WAITERS, thread_name_prefix=f"{PACKAGE}-attempt")
        return _head_pool


def _close_late(future: Future[httpx.Response]) -> None:
    """Close the response of an attempt abandoned before it arrived."""
    if not future.cancelled() and future.exception() is None:
        future.result().close()


def _head_within(
    transport: httpx.BaseTransport, request: httpx.Request, timeout: float, attempt: int
) -> httpx.Response:
    """``transport.handle_request(request)`` given at most ``timeout`` seconds to return
    the response head. httpx's timeouts bound each read, not the whole head, so a server
    that trickles its status line and headers would outlast them: the attempt runs in a
    worker thread, and the calling thread stops waiting when the time is up. A response
    that arrives later is closed.
    """
    context = contextvars.copy_context()
    future = _pool().submit(context.run, transport.handle_request, request)
    try:
        return future.result(timeout)
    except FutureTimeout:
        # an attempt still queued was never sent: nothing reached the server
        phase: ConnectionPhase = "connect" if future.cancel() else "timeout"
        future.add_done_callback(_close_late)
        raise APIConnectionError(
            f"the call's deadline passed during attempt {attempt}, before the response head",
            phase=phase,
        ) from None
    except BaseException:
        future.cancel()  # interrupted (KeyboardInterrupt): let the attempt go, unread
        future.add_done_callback(_close_late)
        raise


class _Bounded(httpx.SyncByteStream):
    """The body of a success, read after the transport returned: past ``until`` (on
    ``clock``), reading it raises ``httpx.ReadTimeout``."""

    def __init__(
        self,
        stream: httpx.SyncByteStream,
        request: httpx.Request,
        until: float,
        clock: Callable[[], float],
    ) -> None:
        self._stream = stream
        self._request = request
        self._until = until
        self._clock = clock

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if self._clock() >= self._until:
                raise httpx.ReadTimeout(_LATE_BODY, request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()


class _AsyncBounded(httpx.AsyncByteStream):
    """``_Bounded`` for async bodies: each read is also cut when the deadline passes."""

    def __init__(
        self,
        stream: httpx.AsyncByteStream,
        request: httpx.Request,
        until: float,
        clock: Callable[[], float],
    ) -> None:
        self._stream = stream
        self._request = request
        self._until = until
        self._clock = clock

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import anyio  # httpx depends on it

        chunks = aiter(self._stream)
        while True:
            with anyio.move_on_after(self._until - self._clock()) as scope:
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    return
            if scope.cancelled_caught:
                raise httpx.ReadTimeout(_LATE_BODY, request=self._request)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


_LATE_BODY = "the call's deadline passed while reading the body"


def _error_response(
    response: httpx.Response, fields: list[tuple[str, str]], body: bytes, error: APIError
) -> httpx.Response:
    """``response`` again with ``body`` (read, decoded, capped) and ``error`` attached;
    ``fields`` are its headers (``multi_items``)."""
    headers = [(k, v) for k, v in fields if k not in _BODY_FRAMING]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        extensions={**response.extensions, ERROR_EXTENSION: error},
    )


def _already_read(response: httpx.Response) -> bytes | None:
    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


def _attached(response: httpx.Response) -> APIError | None:
    error = response.extensions.get(ERROR_EXTENSION)
    return error if isinstance(error, APIError) else None


def raise_for_error(response: httpx.Response) -> httpx.Response:
    """Raise the typed ``APIError`` of an error response (status >= 400); else return it.

    The ``raise_for_status`` of this package: call it on any httpx response, or register it
    as a ``response`` event hook of an ``httpx.Client``. A response from ``RetryTransport``
    carries the error it decoded (``attempts`` included); another is decoded here, reading
    at most the size cap of a body not read yet.
    """
    if response.status_code < 400:
        return response
    error = _attached(response)
    if error is None:
        body = _already_read(response)
        if body is None:
            body = _read_capped(response, MAX_ERROR_BODY_BYTES)
        error = decode_error(response.status_code, response.headers, body)
    raise error


async def araise_for_error(response: httpx.Response) -> httpx.Response:
    """``raise_for_error`` for ``httpx.AsyncClient`` (and its ``response`` event hooks)."""
    if response.status_code < 400:
        return response
    error = _attached(response)
    if error is None:
        body = _already_read(response)
        if body is None:
            body = await _aread_capped(response, MAX_ERROR_BODY_BYTES)
        error = decode_error(response.status_code, response.headers, body)
    raise error


class RetryTransport(httpx.BaseTransport):
    """Wraps a transport (default ``httpx.HTTPTransport()``) with retries.

    ``idempotency_keys=True`` gives every non-idempotent request a generated key (reused
    by its retries), which makes it safe to retry; per call, ``call_options`` decides.
    An error response the policy does not retry (or no longer retries) is returned, its
    body read up to ``max_error_body_bytes`` and its decoded error attached for
    ``raise_for_error``. To send through a proxy, wrap ``httpx.HTTPTransport(proxy=...)``
    or use ``Client``: httpx routes ``httpx.Client(proxy=...)`` around a custom transport.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
        idempotency_keys: bool = False,
        on_retry: OnRetry | None = None,
        should_retry: ShouldRetry | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_error_body_bytes: int = MAX_ERROR_BODY_BYTES,
    ) -> None:
        self._transport = transport if transport is not None else httpx.HTTPTransport()
        self._retrier = Retrier(
            policy,
            budget=budget,
            random=random,
            clock=clock,
            sleep=sleep,
            on_retry=on_retry,
            should_retry=should_retry,
        )
        self._clock = clock
        self._idempotency_keys = idempotency_keys
        self._max_error_body_bytes = max_error_body_bytes

    @property
    def budget(self) -> RetryBudget:
        return self._retrier.budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        options = _options(request)
        describe = _begin(request, options, self._idempotency_keys)
        answered: dict[int, httpx.Response] = {}  # id(error) -> its response, last attempt

        call_timeout = request.extensions.get("timeout")

        def send(attempt: int, timeout: float | None) -> httpx.Response:
            if attempt > 1:  # a retry: nothing of the attempt before is kept
                answered.clear()
                _mark_attempt(request, attempt)
            if attempt > 1 or timeout is not None:
                _limit_attempt(request, call_timeout, timeout)
            until = None if timeout is None else self._clock() + timeout
            try:
                if timeout is None:
                    response = self._transport.handle_request(request)
                else:
                    response = _head_within(self._transport, request, timeout, attempt)
            except _REQUEST_MISTAKES as exc:
                _mark_not_sent(exc)
                raise
            except httpx.TransportError as exc:
                raise _connection_error(exc) from exc
            if response.status_code < 400:
                if until is not None and isinstance(response.stream, httpx.SyncByteStream):
                    response.stream = _Bounded(response.stream, request, until, self._clock)
                return response
            body = _read_capped(response, self._max_error_body_bytes, until, self._clock)
            fields = response.headers.multi_items()  # names in lower case, decoded once
            error = decode_error(response.status_code, fields, body)
            answered[id(error)] = _error_response(response, fields, body, error)
            raise error

        try:
            return self._retrier._run(send, describe, options.max_attempts, options.deadline)
        except APIError as error:
            if id(error) in answered:
                return answered[id(error)]
            raise

    def close(self) -> None:
        self._transport.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """``RetryTransport`` for ``httpx.AsyncClient``, under asyncio or trio; cancelling the
    task stops at once."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
        idempotency_keys: bool = False,
        on_retry: OnRetry | None = None,
        should_retry: ShouldRetry | None = None,
        random: Callable[[], float] = uniform_draw,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_error_body_bytes: int = MAX_ERROR_BODY_BYTES,
    ) -> None:
        self._transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self._retrier = AsyncRetrier(
            policy,
            budget=budget,
            random=random,
            clock=clock,
            sleep=sleep,
            on_retry=on_retry,
            should_retry=should_retry,
        )
        self._clock = clock
        self._idempotency_keys = idempotency_keys
        self._max_error_body_bytes = max_error_body_bytes

    @property
    def budget(self) -> RetryBudget:
        return self._retrier.budget

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        options = _options(request)
        describe = _begin(request, options, self._idempotency_keys)
        answered: dict[int, httpx.Response] = {}

        call_timeout = request.extensions.get("timeout")

        async def send(attempt: int, timeout: float | None) -> httpx.Response:
            if attempt > 1:  # a retry: nothing of the attempt before is kept
                answered.clear()
                _mark_attempt(request, attempt)
            if attempt > 1 or timeout is not None:
                _limit_attempt(request, call_timeout, timeout)
            until = None if timeout is None else self._clock() + timeout
            try:
                response = await self._transport.handle_async_request(request)
            except _REQUEST_MISTAKES as exc:
                _mark_not_sent(exc)
                raise
            except httpx.TransportError as exc:
                raise _connection_error(exc) from exc
            if response.status_code < 400:
                if until is not None and isinstance(response.stream, httpx.AsyncByteStream):
                    response.stream = _AsyncBounded(response.stream, request, until, self._clock)
                return response
            # the retry helper abandons the attempt, this read included, at the deadline
            body = await _aread_capped(response, self._max_error_body_bytes)
            fields = response.headers.multi_items()  # names in lower case, decoded once
            error = decode_error(response.status_code, fields, body)
            answered[id(error)] = _error_response(response, fields, body, error)
            raise error

        try:
            return await self._retrier._run(send, describe, options.max_attempts, options.deadline)
        except APIError as error:
            if id(error) in answered:
                return answered[id(error)]
            raise

    async def aclose(self) -> None:
        await self._transport.aclose()


class Client(httpx.Client):
    """An ``httpx.Client`` that retries every request and raises typed errors.

    Takes every argument of ``httpx.Client`` (``proxy=``, ``mounts=``, ``auth=``,
    ``event_hooks=``, ...) and the retry options of ``RetryTransport``. Each transport
    httpx builds or is given is wrapped in a ``RetryTransport``, all sharing ``budget``.
    ``send`` (and so ``get``, ``post``, ``stream``, ...) raises the ``APIError`` of an
    error response once auth flows, redirects and event hooks are done with it;
    ``raise_errors=False`` returns it instead, for ``raise_for_error`` later.
    """

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
        idempotency_keys: bool = False,
        on_retry: OnRetry | None = None,
        should_retry: ShouldRetry | None = None,
        max_error_body_bytes: int = MAX_ERROR_BODY_BYTES,
        raise_errors: bool = True,
        **httpx_options: Any,
    ) -> None:
        shared = budget if budget is not None else RetryBudget()

        def wrap(transport: httpx.BaseTransport) -> RetryTransport:
            return RetryTransport(
                transport,
                policy=policy,
                budget=shared,
                idempotency_keys=idempotency_keys,
                on_retry=on_retry,
                should_retry=should_retry,
                max_error_body_bytes=max_error_body_bytes,
            )

        self._wrap = wrap
        self.budget = shared
        self.raise_errors = raise_errors
        mounts = httpx_options.pop("mounts", None) or {}
        super().__init__(
            mounts={k: None if t is None else wrap(t) for k, t in mounts.items()},
            **httpx_options,
        )

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        return self._wrap(super()._init_transport(*args, **kwargs))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        return self._wrap(super()._init_proxy_transport(*args, **kwargs))

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = super().send(request, **kwargs)
        if self.raise_errors and response.status_code >= 400:
            try:
                raise_for_error(response)
            finally:
                response.close()
        return response


class AsyncClient(httpx.AsyncClient):
    """``Client`` for asyncio and trio: an ``httpx.AsyncClient`` over ``AsyncRetryTransport``."""

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        budget: RetryBudget | None = None,
        idempotency_keys: bool = False,
        on_retry: OnRetry | None = None,
        should_retry: ShouldRetry | None = None,
        max_error_body_bytes: int = MAX_ERROR_BODY_BYTES,
        raise_errors: bool = True,
        **httpx_options: Any,
    ) -> None:
        shared = budget if budget is not None else RetryBudget()

        def wrap(transport: httpx.AsyncBaseTransport) -> AsyncRetryTransport:
            return AsyncRetryTransport(
                transport,
                policy=policy,
                budget=shared,
                idempotency_keys=idempotency_keys,
                on_retry=on_retry,
                should_retry=should_retry,
                max_error_body_bytes=max_error_body_bytes,
            )

        self._wrap = wrap
        self.budget = shared
        self.raise_errors = raise_errors
        mounts = httpx_options.pop("mounts", None) or {}
        super().__init__(
            mounts={k: None if t is None else wrap(t) for k, t in mounts.items()},
            **httpx_options,
        )

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        return self._wrap(super()._init_transport(*args, **kwargs))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        return self._wrap(super()._init_proxy_transport(*args, **kwargs))

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = await super().send(request, **kwargs)
        if self.raise_errors and response.status_code >= 400:
            try:
                await araise_for_error(response)
            finally:
                await response.aclose()
        return response
