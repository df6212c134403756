"""Frozen, sorted, fully defaulted model of a registry.

Every target reads this and nothing else. Templates must not sort, default or
mangle names: everything they need is resolved here or by the target's own
naming module (``errcodegen.lang.<language>``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContextField:
    """A conventional member of an error's ``context`` object."""

    name: str
    type: str  # JSON type: "string", "integer", "number" or "boolean"
    description: str
    format: str | None = None  # e.g. "date-time" for rate_limit.reset_at


@dataclass(frozen=True)
class AlertThreshold:
    """An alert fires when an error rate stays above ``above`` for ``for_``."""

    above: float  # errors per second, averaged over the settings' rate window
    for_: str  # Prometheus duration, e.g. "5m"
    severity: str  # the alert's severity label: "info", "warning" or "critical"


@dataclass(frozen=True)
class AlertSettings:
    """Platform-wide alerting: the error counter and the rules over all errors."""

    metric: str  # counter labelled {module, code, category, severity}
    window: str  # Prometheus duration the rate is averaged over
    error_rate: tuple[AlertThreshold, ...]  # sorted by threshold
    critical_severity: AlertThreshold | None  # errors of the most severe severity
    critical_severity_label: str  # that severity's name, e.g. "critical"


@dataclass(frozen=True)
class Category:
    """An error category and the defaults its codes inherit."""

    name: str  # snake_case, e.g. "not_found"
    description: str
    severity: str
    retryable: bool
    http_status: int
    context_fields: tuple[ContextField, ...]
    alert: AlertThreshold | None = None  # per module, errors of this category


@dataclass(frozen=True)
class Code:
    """One registered error, every default already applied."""

    module: str
    number: int
    name: str  # snake_case, unique within its module
    message: str
    category: str
    severity: str
    retryable: bool
    http_status: int
    description: str  # "" when the registry gives none
    action: str  # recommended client action; "" when none
    deprecated: bool
    replaced_by: str | None  # "module:number" of the replacement
    go_symbol: str | None  # the Go variable that registers it on the server
    category_inferred: bool  # category guessed by the importer, awaiting review
    alert: AlertThreshold | None = None  # errors of this one code
    # what decided the category: grpc_code, source, review, subrange, message; "" unrecorded
    category_evidence: str = ""
    category_note: str = ""  # where the platform returns it and why that category; "" none
    source: str | None = None  # the platform's Go file that registers it

    @property
    def key(self) -> str:
        """The wire form of the code: ``module:number``."""
        return f"{self.module}:{self.number}"


@dataclass(frozen=True)
class Range:
    start: int
    end: int  # inclusive

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.start <= number <= self.end


@dataclass(frozen=True)
class Module:
    name: str
    description: str
    ranges: tuple[Range, ...]  # empty for a namespace without allocation
    codes: tuple[Code, ...]  # sorted by number
    upstream: str | None = None  # who defines the codes, when not the platform


@dataclass(frozen=True)
class Sentinel:
    """A common error callers test for (``errors.Is(err, ErrNotFound)``).

    An error matches when any condition holds (docs/client-behaviour.md 3.1): its category
    is in ``categories``, its key in ``codes``, it has no code and its status is in
    ``statuses``, or it is one of the client-side ``failures``.
    """

    name: str  # snake_case, e.g. "not_found"
    message: str
    description: str
    categories: tuple[str, ...]
    codes: tuple[str, ...]  # "module:number" keys, sorted
    statuses: tuple[int, ...] = ()  # sorted
    failures: tuple[str, ...] = ()  # sorted: connect, reset, timeout, deadline, ...


@dataclass(frozen=True)
class StatusRule:
    """A row of the status table used when nothing better is known."""

    status: int
    category: str | None  # None: the base API error
    retryable: bool


@dataclass(frozen=True)
class GrpcStatus:
    """A gRPC status code and the category it implies for an error without a known code."""

    code: int
    name: str  # e.g. "NotFound"
    category: str | None  # None: the code says nothing about the category


@dataclass(frozen=True)
class RetryPolicy:
    """Retry defaults (docs/client-behaviour.md section 2); durations in milliseconds."""

    max_attempts: int
    base_delay_ms: int
    throttle_base_delay_ms: int
    max_delay_ms: int
    max_retry_after_ms: int
    budget: bool
    budget_capacity: int
    retry_cost: int
    throttle_retry_cost: int
    success_refund: int
    idempotent_methods: tuple[str, ...]
    max_error_body_bytes: int


@dataclass(frozen=True)
class Packages:
    """Names of the generated packages."""

    python_distribution: str  # e.g. "virtengine-errors"
    python_package: str  # import name, e.g. "virtengine_errors"
    npm: str  # e.g. "@virtengine/errors"
    go_module: str  # module path
    go_package: str  # package clause


@dataclass(frozen=True)
class IR:
    name: str  # platform name, e.g. "VirtEngine"
    version: str  # registry version; the generated packages carry it
    description: str
    packages: Packages
    severities: tuple[str, ...]  # least to most severe
    categories: tuple[Category, ...]  # sorted by name
    modules: tuple[Module, ...]  # sorted by name
    codes: tuple[Code, ...]  # every code, sorted by (module, number)
    sentinels: tuple[Sentinel, ...]  # sorted by name
    status_rules: tuple[StatusRule, ...]  # sorted by status
    reason_phrases: tuple[tuple[int, str], ...]  # sorted by status
    grpc_statuses: tuple[GrpcStatus, ...]  # sorted by code
    retry: RetryPolicy
    alerts: AlertSettings | None = None  # None: the registry sets no platform-wide alerts

    def category(self, name: str) -> Category:
        for category in self.categories:
            if category.name == name:
                return category
        raise KeyError(name)
