"""What the generated ``errors.py`` provides to the runtime (its whole typed surface).

The generated module names the base class after the platform (``VirtEngineError``) and
binds it to ``ClientError`` too; it defines one ``APIError`` subclass per category of the
registry, listed in ``ERROR_TYPES``.
"""

from typing import Any, ClassVar, Literal, Self

from .catalog import Category, Severity

ConnectionPhase = Literal["connect", "reset", "timeout"]
ErrorShape = Literal[
    "envelope", "problem", "grpc_gateway", "error_member", "text", "none", "abci", "grpc"
]

class ClientError(Exception):
    retryable: bool
    attempts: int

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
    ) -> None: ...
    @classmethod
    def _decoded(cls, message: str, fields: dict[str, Any]) -> Self: ...

class APIConnectionError(ClientError):
    message: str
    phase: ConnectionPhase
    def __init__(
        self, message: str, *, phase: ConnectionPhase = "connect", attempts: int = 1
    ) -> None: ...
    @property
    def request_sent(self) -> bool: ...

ERROR_TYPES: dict[str, type[APIError]]
