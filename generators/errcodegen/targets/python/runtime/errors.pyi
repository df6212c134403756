"""What the generated ``errors.py`` provides to the runtime (its whole typed surface).

The generated module names the base class after the platform (``VirtEngineError``) and
binds it to ``ClientError`` too; it defines one ``APIError`` subclass per category of the
registry, listed in ``ERROR_TYPES``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

from .catalog import Category, Severity

ConnectionPhase = Literal["connect", "reset", "timeout"]
ErrorShape = Literal[
    "envelope", "problem", "grpc_gateway", "error_member", "text", "none", "abci", "grpc"
]
StopReason = Literal[
    "not_retryable",
    "not_idempotent",
    "max_attempts",
    "budget_exhausted",
    "hint_too_long",
    "deadline",
    "cancelled",
    "body_not_replayable",
]

@dataclass(frozen=True, slots=True)
class Attempt:
    status: int | None
    phase: ConnectionPhase | None
    delay: float

class ClientError(Exception):
    retryable: bool
    attempts: int
    stop_reason: StopReason | None
    history: tuple[Attempt, ...]
    method: str | None
    url: str | None

class APIError(ClientError):
    category_type: ClassVar[Category | None]
    message: str
    code: str | None
    module: str | None
    number: int | None
    category: Category | str | None
    severity: Severity | str
    context: dict[str, Any] | None
    http_status: int | None
    request_id: str | None
    retry_after: float | None
    raw_bytes: bytes
    from_envelope: bool
    shape: ErrorShape
    headers: Mapping[str, str]
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        module: str | None = None,
        number: int | None = None,
        category: Category | str | None = None,
        severity: Severity | str = "error",
        retryable: bool = False,
        context: dict[str, Any] | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
        raw_bytes: bytes = b"",
        from_envelope: bool = False,
        shape: ErrorShape = "none",
        headers: Mapping[str, str] | None = None,
    ) -> None: ...
    @classmethod
    def _decoded(cls, message: str, fields: dict[str, Any]) -> Self: ...

class APIConnectionError(ClientError):
    message: str
    phase: ConnectionPhase
    last_api_error: APIError | None
    def __init__(
        self, message: str, *, phase: ConnectionPhase = "connect", attempts: int = 1
    ) -> None: ...
    @property
    def request_sent(self) -> bool: ...

ERROR_TYPES: Mapping[str, type[APIError]]
