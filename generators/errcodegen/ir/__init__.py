"""The intermediate representation: the one model every output is rendered from."""

from errcodegen.ir.model import (
    IR,
    Category,
    Code,
    ContextField,
    GrpcStatus,
    Module,
    Packages,
    Range,
    RetryPolicy,
    Sentinel,
    StatusRule,
)

__all__ = [
    "IR",
    "Category",
    "Code",
    "ContextField",
    "GrpcStatus",
    "Module",
    "Packages",
    "Range",
    "RetryPolicy",
    "Sentinel",
    "StatusRule",
]
