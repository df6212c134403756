"""Typed errors for gRPC clients (grpcio), the ``grpc`` extra.

Install the interceptor on a channel and every failed call raises the SDK's error for its
status (contract 1.12), as ``error_from_grpc_status`` gives it::

    channel = grpc.intercept_channel(grpc.insecure_channel(target), ErrorInterceptor())

A status whose message names a registered code (``codespace veid code 1036: ...``, as the
Cosmos SDK renders a module error, or ``veid:1036: ...``) raises that code's error; any
other status takes its category from the gRPC code (``NOT_FOUND`` raises
``NotFoundError``). The ``grpc.RpcError`` stays reachable: it is the error's
``__cause__``, and ``rpc_error_of(error)`` returns it with its ``code()``, ``details()``
and ``trailing_metadata()``. Errors that are no status (an exception of the client
itself) and successful calls pass unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._registry import DISTRIBUTION

try:
    import grpc
except ImportError as missing:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(f"{__name__} needs grpcio: pip install '{DISTRIBUTION}[grpc]'") from missing

from .decoding import error_from_grpc_status
from .errors import APIError

__all__ = ["ErrorInterceptor", "error_from_rpc_error", "rpc_error_of"]

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")

if TYPE_CHECKING:
    # What grpcio's interceptors hand back: a call that is also a future (unary
    # responses) or an iterator (streamed responses). The stubs declare them only.
    from grpc import _CallFuture, _CallIterator

    class _Call(_CallFuture[_Response], _CallIterator[_Response]):
        """Both, as far as the type checker knows."""

else:

    class _Call(grpc.Call, grpc.Future, Generic[_Response]):
        """A call that is a future and an iterator (grpcio's own calls are both)."""


def error_from_rpc_error(error: BaseException) -> APIError | None:
    """The SDK's error for a failed call's ``grpc.RpcError`` (``error_from_grpc_status`` of
    its code and details), with the ``RpcError`` as its ``__cause__``; ``None`` for an
    error that carries no status, or the status ``OK``."""
    if not (isinstance(error, grpc.RpcError) and isinstance(error, grpc.Call)):
        return None
    code = error.code()
    if not isinstance(code, grpc.StatusCode):
        return None
    converted = error_from_grpc_status(code.value[0], error.details() or "")
    if converted is not None:
        converted.__cause__ = error
    return converted


def rpc_error_of(error: BaseException) -> grpc.RpcError | None:
    """The ``grpc.RpcError`` whose status ``error`` was made from, if it was."""
    cause = error.__cause__
    return cause if isinstance(cause, grpc.RpcError) else None


class ErrorInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """A client interceptor for every kind of call: a failed call raises the SDK's error
    for its status, where grpcio would raise the ``grpc.RpcError`` (``result()`` and
    ``exception()`` of a unary call or its future, each step of a response stream)."""

    def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, _Request], _CallFuture[_Response]],
        client_call_details: grpc.ClientCallDetails,
        request: _Request,
    ) -> _CallFuture[_Response]:
        return _TypedCall(continuation(client_call_details, request))

    def intercept_unary_stream(
        self,
        continuation: Callable[[grpc.ClientCallDetails, _Request], _CallIterator[_Response]],
        client_call_details: grpc.ClientCallDetails,
        request: _Request,
    ) -> _CallIterator[_Response]:
        return _TypedCall(continuation(client_call_details, request))

    def intercept_stream_unary(
        self,
        continuation: Callable[
            [grpc.ClientCallDetails, Iterator[_Request]], _CallFuture[_Response]
        ],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[_Request],
    ) -> _CallFuture[_Response]:
        return _TypedCall(continuation(client_call_details, request_iterator))

    def intercept_stream_stream(
        self,
        continuation: Callable[
            [grpc.ClientCallDetails, Iterator[_Request]], _CallIterator[_Response]
        ],
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Iterator[_Request],
    ) -> _CallIterator[_Response]:
        return _TypedCall(continuation(client_call_details, request_iterator))


class _TypedCall(_Call[_Response]):
    """The call grpcio gave, its failure raised as the SDK's error. Everything else
    (metadata, status, cancellation, callbacks) is the call's own."""

    def __init__(self, call: _CallFuture[_Response] | _CallIterator[_Response]) -> None:
        self._call: Any = call  # a future, an iterator or both, as grpcio made it
        self._error: APIError | None = None

    def _typed(self, error: BaseException) -> BaseException:
        if self._error is None:
            self._error = error_from_rpc_error(error)
        return self._error if self._error is not None else error

    # ----- the response: a unary call's result, a stream's messages -----

    def result(self, timeout: float | None = None) -> _Response:
        try:
            response: _Response = self._call.result(timeout)
        except grpc.RpcError as failed:
            typed = self._typed(failed)
            if typed is failed:
                raise
            raise typed from failed
        return response

    def exception(self, timeout: float | None = None) -> Exception | None:
        error: Exception | None = self._call.exception(timeout)
        if error is None:
            return None
        typed = self._typed(error)
        return typed if isinstance(typed, Exception) else error

    def __iter__(self) -> _TypedCall[_Response]:
        return self

    def __next__(self) -> _Response:
        try:
            response: _Response = next(self._call)
        except grpc.RpcError as failed:
            typed = self._typed(failed)
            if typed is failed:
                raise
            raise typed from failed
        return response

    # ----- the rest is the call's -----

    def traceback(self, timeout: float | None = None) -> TracebackType | None:
        traceback: TracebackType | None = self._call.traceback(timeout)
        return traceback

    def add_done_callback(self, fn: Callable[[grpc.Future[_Response]], None]) -> None:
        self._call.add_done_callback(lambda _: fn(self))

    def cancel(self) -> bool:
        return bool(self._call.cancel())

    def cancelled(self) -> bool:
        return bool(self._call.cancelled())

    def running(self) -> bool:
        return bool(self._call.running())

    def done(self) -> bool:
        return bool(self._call.done())

    def add_callback(self, callback: Callable[[], None]) -> bool:
        return bool(self._call.add_callback(callback))

    def is_active(self) -> bool:
        return bool(self._call.is_active())

    def time_remaining(self) -> float:
        remaining: float = self._call.time_remaining()
        return remaining

    def code(self) -> grpc.StatusCode:
        code: grpc.StatusCode = self._call.code()
        return code

    def details(self) -> str:
        details: str = self._call.details()
        return details

    def initial_metadata(self) -> Any:
        return self._call.initial_metadata()

    def trailing_metadata(self) -> Any:
        return self._call.trailing_metadata()
