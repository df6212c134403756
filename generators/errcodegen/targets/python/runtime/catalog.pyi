"""What the generated ``catalog.py`` provides: ``ErrorCode``, every code by key, lookup."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# Two StrEnums whose members the registry decides; the runtime names none of them.
Category = StrEnum
Severity = StrEnum

@dataclass(frozen=True, slots=True)
class ErrorCode:
    key: str
    module: str
    number: int
    name: str
    message: str
    category: Category
    severity: Severity
    retryable: bool
    http_status: int
    deprecated: bool = False
    replaced_by: str | None = None

CODES: Final[Mapping[str, ErrorCode]]

def lookup(code: str) -> ErrorCode | None: ...
