"""Registry (as written) -> IR (sorted, every default applied)."""

from __future__ import annotations

from errcodegen.ir.model import (
    IR,
    AlertSettings,
    AlertThreshold,
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
from errcodegen.registry.load import Registry
from errcodegen.registry.raw import INFERRED_EVIDENCE, RawAlertThreshold, RawCode, RawSettings


def build_ir(registry: Registry) -> IR:
    settings = registry.settings
    categories = tuple(_category(name, settings) for name in sorted(settings.categories))
    by_name = {c.name: c for c in categories}
    modules = tuple(
        Module(
            name=located.module.name,
            description=located.module.description,
            upstream=located.module.upstream,
            ranges=tuple(
                sorted(
                    (Range(r.start, r.end) for r in located.module.ranges),
                    key=lambda r: (r.start, r.end),
                )
            ),
            codes=tuple(
                sorted(
                    (
                        _code(located.module.name, raw, by_name, settings.severities)
                        for raw in located.module.codes
                    ),
                    key=lambda c: c.number,
                )
            ),
        )
        for located in registry.modules
    )
    return IR(
        name=settings.platform,
        version=settings.version,
        description=settings.description,
        packages=Packages(**settings.packages.model_dump()),
        severities=tuple(settings.severities),
        categories=categories,
        modules=modules,
        codes=tuple(code for module in modules for code in module.codes),
        sentinels=tuple(
            sorted(
                (
                    Sentinel(
                        name=s.name,
                        message=s.message,
                        description=s.description,
                        categories=tuple(sorted(set(s.categories))),
                        codes=tuple(sorted(set(s.codes), key=_key_order)),
                        statuses=tuple(sorted(set(s.statuses))),
                        failures=tuple(sorted(set(s.failures))),
                    )
                    for s in registry.sentinels.sentinels
                ),
                key=lambda s: s.name,
            )
        ),
        status_rules=tuple(
            sorted(
                (StatusRule(r.status, r.category, r.retryable) for r in settings.status_table),
                key=lambda r: r.status,
            )
        ),
        reason_phrases=tuple(sorted(settings.reason_phrases.items())),
        grpc_statuses=tuple(
            sorted(
                (GrpcStatus(g.code, g.name, g.category) for g in settings.grpc_status),
                key=lambda g: g.code,
            )
        ),
        retry=RetryPolicy(
            **{
                **settings.retry.model_dump(),
                "idempotent_methods": tuple(settings.retry.idempotent_methods),
            }
        ),
        alerts=_alert_settings(settings),
    )


def _alert_settings(settings: RawSettings) -> AlertSettings | None:
    raw = settings.alerts
    if raw is None:
        return None
    return AlertSettings(
        metric=raw.metric,
        window=raw.window,
        error_rate=tuple(
            sorted((_threshold(t) for t in raw.error_rate), key=lambda t: (t.above, t.for_))
        ),
        critical_severity=_optional_threshold(raw.critical_severity),
        critical_severity_label=settings.severities[-1],
    )


def _threshold(raw: RawAlertThreshold) -> AlertThreshold:
    return AlertThreshold(above=raw.above, for_=raw.for_, severity=raw.severity)


def _optional_threshold(raw: RawAlertThreshold | None) -> AlertThreshold | None:
    return None if raw is None else _threshold(raw)


def _key_order(key: str) -> tuple[str, int]:
    module, number = key.rsplit(":", 1)
    return module, int(number)


def _category(name: str, settings: RawSettings) -> Category:
    raw = settings.categories[name]
    return Category(
        name=name,
        description=raw.description,
        severity=raw.severity,
        retryable=raw.retryable,
        http_status=raw.http_status,
        context_fields=tuple(
            ContextField(f.name, f.type, f.description, f.format) for f in raw.context
        ),
        alert=_optional_threshold(raw.alert),
    )


def _code(
    module: str, raw: RawCode, categories: dict[str, Category], severities: list[str]
) -> Code:
    category = categories[raw.category]
    inferred = raw.category_inferred or raw.category_evidence in INFERRED_EVIDENCE
    retryable, severity = category.retryable, category.severity
    if inferred:
        # An unreviewed guess must be the safe one: it never makes a code retryable
        # (a client would re-send a request that may be malformed) nor of the most
        # severe severity (it would page someone).
        retryable = False
        if severity == severities[-1] and len(severities) > 1:
            severity = severities[-2]
    return Code(
        module=module,
        number=raw.number,
        name=raw.name,
        message=raw.message,
        category=raw.category,
        severity=raw.severity if raw.severity is not None else severity,
        retryable=raw.retryable if raw.retryable is not None else retryable,
        http_status=raw.http_status if raw.http_status is not None else category.http_status,
        description=raw.description,
        action=raw.action,
        deprecated=raw.deprecated,
        replaced_by=raw.replaced_by,
        go_symbol=raw.go_symbol,
        source=raw.source,
        category_inferred=inferred,
        alert=_optional_threshold(raw.alert),
        category_evidence=raw.category_evidence or ("message" if raw.category_inferred else ""),
        category_note=raw.category_note or "",
    )
