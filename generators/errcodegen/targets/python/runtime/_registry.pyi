"""What the generated ``_registry.py`` provides: the registry's tables and retry defaults."""

from collections.abc import Mapping
from typing import Final, NamedTuple

PACKAGE: Final[str]
DISTRIBUTION: Final[str]
REGISTRY_VERSION: Final[str]

class CategoryDefaults(NamedTuple):
    severity: str
    retryable: bool
    http_status: int

SEVERITIES: Final[tuple[str, ...]]
CATEGORY_DEFAULTS: Final[Mapping[str, CategoryDefaults]]
STATUS_TABLE: Final[Mapping[int, tuple[str | None, bool]]]
GRPC_STATUS_TABLE: Final[Mapping[int, tuple[str, str | None]]]
REASON_PHRASES: Final[Mapping[int, str]]
MAX_ERROR_BODY_BYTES: Final[int]
MAX_ATTEMPTS: Final[int]
BASE_DELAY: Final[float]
THROTTLE_BASE_DELAY: Final[float]
MAX_DELAY: Final[float]
MAX_RETRY_AFTER: Final[float]
BUDGET_ENABLED: Final[bool]
BUDGET_CAPACITY: Final[int]
RETRY_COST: Final[int]
THROTTLE_RETRY_COST: Final[int]
SUCCESS_REFUND: Final[int]
IDEMPOTENT_METHODS: Final[frozenset[str]]
