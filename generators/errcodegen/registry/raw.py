"""Pydantic models of the registry files exactly as written (strict, no extras)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

SnakeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
ModuleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*([_/-][a-z0-9]+)*$")]
CodeKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_/-]*:[0-9]+$")]
Text = Annotated[str, StringConstraints(min_length=1)]
HttpErrorStatus = Annotated[int, Field(ge=400, le=599)]

# Bounds every client can hold: code numbers are uint32 on the platform; milliseconds
# become a Go time.Duration (int64 nanoseconds) and a TypeScript number (exact to 2**53);
# counts become a Go int, 32 bits wide on some platforms.
MAX_CODE_NUMBER = 2**32 - 1
MAX_MILLIS = (2**63 - 1) // 1_000_000
MAX_COUNT = 2**31 - 1
CodeNumber = Annotated[int, Field(ge=0, le=MAX_CODE_NUMBER)]
Millis = Annotated[int, Field(ge=0, le=MAX_MILLIS)]
Count = Annotated[int, Field(ge=1, le=MAX_COUNT)]
# The platform's name reaches code, comments, TOML, JSON, Markdown and HTML of every
# output: letters (ASCII and the Latin-1 and Latin Extended ones, so "Société Générale"),
# digits, spaces, '.', '-' and '_', starting and ending with a letter or digit.
_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
PlatformName = Annotated[
    str, StringConstraints(pattern=f"^[{_LATIN}]([{_LATIN} ._-]{{0,62}}[{_LATIN}])?$")
]
# Three decimal numbers in ASCII digits (``\d`` would also take other scripts' digits).
Version = Annotated[
    str,
    StringConstraints(pattern=r"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$"),
]


def _yaml_off(value: object) -> object:
    """YAML 1.1 reads a bare ``off`` as false; a level of false means "off"."""
    return "off" if value is False else value


Level = Annotated[Literal["error", "warning", "off"], BeforeValidator(_yaml_off)]
PromDuration = Annotated[str, StringConstraints(pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+$")]
MetricName = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RawAlertThreshold(Strict):
    """Fire when the error rate (per second, over the rate window) stays above ``above``."""

    above: Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
    for_: PromDuration = Field(alias="for")  # how long it must stay above before firing
    severity: Literal["info", "warning", "critical"] = "warning"  # the alert's own label


class RawAlertSettings(Strict):
    """``registry.yaml`` ``alerts``: the metric servers count errors in, platform-wide rules."""

    metric: MetricName  # a counter labelled {module, code, category, severity}
    window: PromDuration  # the range of rate(): errors per second averaged over it
    error_rate: list[RawAlertThreshold] = []  # every error, all modules together
    critical_severity: RawAlertThreshold | None = None  # errors of the most severe severity


class RawContextField(Strict):
    name: SnakeName
    type: Literal["string", "integer", "number", "boolean"]
    description: str = ""
    format: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")] | None = None


class RawCategory(Strict):
    description: Text
    severity: str
    retryable: bool
    http_status: HttpErrorStatus
    context: list[RawContextField] = []
    alert: RawAlertThreshold | None = None  # per module, errors of this category


class RawStatusRule(Strict):
    status: HttpErrorStatus
    category: str | None
    retryable: bool


class RawGrpcStatus(Strict):
    code: Annotated[int, Field(ge=0, le=16)]
    name: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z]*$")]
    category: str | None


class RawRetry(Strict):
    max_attempts: Annotated[int, Field(ge=1, le=100)]
    base_delay_ms: Millis
    throttle_base_delay_ms: Millis
    max_delay_ms: Millis
    max_retry_after_ms: Millis
    budget: bool
    budget_capacity: Count
    retry_cost: Count
    throttle_retry_cost: Count
    success_refund: Annotated[int, Field(ge=0, le=MAX_COUNT)]
    idempotent_methods: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]+$")]]
    max_error_body_bytes: Annotated[int, Field(ge=1024, le=MAX_COUNT)]


class RawPackages(Strict):
    python_distribution: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    python_package: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    npm: Annotated[str, StringConstraints(pattern=r"^(@[a-z0-9-]+/)?[a-z0-9-]+$")]
    go_module: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+(/[A-Za-z0-9._-]+)+$")]
    go_package: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*$")]


class RawSettings(Strict):
    """``registry.yaml``."""

    platform: PlatformName
    version: Version
    description: Text
    packages: RawPackages
    severities: list[SnakeName]
    categories: dict[SnakeName, RawCategory]
    status_table: list[RawStatusRule]
    grpc_status: list[RawGrpcStatus]
    reason_phrases: dict[HttpErrorStatus, Text]
    retry: RawRetry
    alerts: RawAlertSettings | None = None


class RawRange(Strict):
    start: CodeNumber
    end: CodeNumber


# What decided a code's category, strongest first: the gRPC code its registration names,
# a category its source states, a person's review, the module's sub-range convention, the
# message. The last two are guesses (see INFERRED_EVIDENCE).
CategoryEvidence = Literal["grpc_code", "source", "review", "subrange", "message"]
INFERRED_EVIDENCE = frozenset({"subrange", "message"})


class RawCode(Strict):
    number: CodeNumber
    name: SnakeName
    message: Text
    category: str
    category_inferred: bool = False  # older form of category_evidence: message
    category_evidence: CategoryEvidence | None = None  # None: written by a person
    # What a review read to decide the category: the use site and what it checks.
    category_note: str | None = None
    grpc_code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z]*$")] | None = None
    severity: str | None = None
    retryable: bool | None = None
    http_status: HttpErrorStatus | None = None
    reason: str | None = None  # why severity/retryable differ from the category's
    description: str = ""
    action: str = ""
    deprecated: bool = False
    replaced_by: CodeKey | None = None
    go_symbol: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")] | None
    ) = None
    source: str | None = None  # the Go file that registers it
    reviewed: bool = False  # a human checked it: importers must not overwrite it
    alert: RawAlertThreshold | None = None  # errors of this one code


class RawModule(Strict):
    """``modules/<name>.yaml``."""

    name: ModuleName
    description: Text
    # Who defines these codes when the platform does not (e.g. the Cosmos SDK): the
    # registry records them for clients, and the platform's numbering rules do not apply.
    upstream: Text | None = None
    ranges: list[RawRange] = []
    codes: list[RawCode] = []


ClientFailure = Literal["connect", "reset", "timeout", "deadline", "cancelled", "max_attempts"]


class RawSentinel(Strict):
    name: SnakeName
    message: Text
    description: str = ""
    categories: list[str] = []
    codes: list[CodeKey] = []
    statuses: list[HttpErrorStatus] = []  # API errors of these statuses without a code
    failures: list[ClientFailure] = []  # client-side failures (contract 3.1)


class RawSentinels(Strict):
    """``sentinels.yaml``."""

    sentinels: list[RawSentinel]


class RawReservedRange(Strict):
    start: CodeNumber
    end: CodeNumber
    reason: Text


class RawSubrange(Strict):
    """Codes whose number modulo 100 lies in [start, end] belong to these categories."""

    start: Annotated[int, Field(ge=0, le=99)]
    end: Annotated[int, Field(ge=0, le=99)]
    categories: list[str]  # empty: no code belongs here (a reserved block)
    meaning: Text


class RawLintConfig(Strict):
    """``lint.yaml``: how strict each rule is, and the conventions the rules check."""

    levels: dict[str, Level] = {}
    reserved_ranges: list[RawReservedRange] = []
    subranges: list[RawSubrange] = []


class RawExceptions(Strict):
    """``lint-exceptions.yaml``: deployed violations, reported as warnings, never as errors."""

    exceptions: dict[str, list[str]] = {}
