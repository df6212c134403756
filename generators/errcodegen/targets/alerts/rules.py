"""Alerting rules worked out from the IR: names, PromQL, labels and annotations.

Registry text reaches a rule only through ``lang.prometheus``: label values as PromQL
string literals, annotation text with Go-template actions neutralised (Prometheus
expands annotations as templates). The YAML quoting happens in the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from errcodegen.ir import IR, Category, Code
from errcodegen.ir.model import AlertSettings, AlertThreshold
from errcodegen.lang import prometheus as prom
from errcodegen.targets.layout import slug

# Prometheus fills these in when the alert fires.
_VALUE = "{{ $value | humanize }}"
_MODULE = "{{ $labels.module }}"


@dataclass(frozen=True)
class Rule:
    alert: str
    expr: str
    for_: str
    labels: tuple[tuple[str, str], ...]  # the alert's own labels, severity first
    annotations: tuple[tuple[str, str], ...]  # summary, description, catalog


@dataclass(frozen=True)
class Group:
    name: str
    rules: tuple[Rule, ...]


def build_groups(ir: IR, catalog_folder: str) -> tuple[Group, ...]:
    """The rule groups that have at least one rule (Prometheus rejects an empty group)."""
    if ir.alerts is None:
        return ()
    settings = ir.alerts
    prefix = slug(ir.name)
    groups = (
        Group(f"{prefix}-errors-platform", _platform_rules(ir.name, settings)),
        Group(
            f"{prefix}-errors-categories",
            tuple(
                _category_rule(ir.name, settings, c, c.alert)
                for c in ir.categories
                if c.alert is not None
            ),
        ),
        Group(
            f"{prefix}-errors-codes",
            tuple(
                _code_rule(settings, c, c.alert, catalog_folder)
                for c in ir.codes
                if c.alert is not None
            ),
        ),
    )
    return tuple(g for g in groups if g.rules)


def _platform_rules(platform: str, settings: AlertSettings) -> tuple[Rule, ...]:
    rules = [
        Rule(
            alert=prom.alert_name(platform, "high", "error", "rate"),
            expr=f"sum({_rate(settings, ())}) > {prom.number(t.above)}",
            for_=t.for_,
            labels=(("severity", t.severity),),
            annotations=(
                ("summary", f"{prom.template_text(platform)} errors at {_VALUE}/s"),
                (
                    "description",
                    f"All modules together return more than {prom.number(t.above)} "
                    f"errors per second (rate over {settings.window}).",
                ),
            ),
        )
        for t in settings.error_rate
    ]
    _check_unique(rules)
    threshold = settings.critical_severity
    if threshold is not None:
        label = settings.critical_severity_label
        rules.append(
            Rule(
                alert=prom.alert_name(platform, label, "errors"),
                expr=f"sum by (module) ({_rate(settings, (('severity', label),))}) "
                f"> {prom.number(threshold.above)}",
                for_=threshold.for_,
                labels=(("severity", threshold.severity),),
                annotations=(
                    (
                        "summary",
                        f"{_MODULE}: {prom.template_text(label)} errors at {_VALUE}/s",
                    ),
                    (
                        "description",
                        f"Module {_MODULE} returns errors of severity "
                        f"{prom.template_text(label)} faster than "
                        f"{prom.number(threshold.above)} per second.",
                    ),
                ),
            )
        )
    return tuple(rules)


def _category_rule(
    platform: str, settings: AlertSettings, category: Category, threshold: AlertThreshold
) -> Rule:
    name = prom.template_text(category.name)
    return Rule(
        alert=prom.alert_name(platform, category.name, "errors"),
        expr=f"sum by (module) ({_rate(settings, (('category', category.name),))}) "
        f"> {prom.number(threshold.above)}",
        for_=threshold.for_,
        labels=(("severity", threshold.severity), ("category", category.name)),
        annotations=(
            ("summary", f"{_MODULE}: {name} errors at {_VALUE}/s"),
            ("description", prom.template_text(category.description)),
        ),
    )


def _code_rule(
    settings: AlertSettings, code: Code, threshold: AlertThreshold, catalog_folder: str
) -> Rule:
    selector = (("module", code.module), ("code", str(code.number)))
    key = prom.template_text(code.key)
    description = code.message if not code.action else f"{code.message}. Action: {code.action}"
    return Rule(
        alert=prom.alert_name(code.module, code.name),
        expr=f"sum({_rate(settings, selector)}) > {prom.number(threshold.above)}",
        for_=threshold.for_,
        labels=(
            ("severity", threshold.severity),
            ("module", code.module),
            ("code", str(code.number)),
            ("category", code.category),
        ),
        annotations=(
            ("summary", f"{key} {prom.template_text(code.name)} at {_VALUE}/s"),
            ("description", prom.template_text(description)),
            ("catalog", f"{catalog_folder}/{code.module.replace('/', '.')}.md"),
        ),
    )


def _rate(settings: AlertSettings, selector: tuple[tuple[str, str], ...]) -> str:
    matchers = ",".join(f"{label}={prom.promql_string(value)}" for label, value in selector)
    series = f"{settings.metric}{{{matchers}}}" if matchers else settings.metric
    return f"rate({series}[{settings.window}])"


def _check_unique(rules: list[Rule]) -> None:
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for rule in rules:
        identity = (rule.alert, rule.labels)
        if identity in seen:
            raise ValueError(
                f"two error_rate alerts share severity {dict(rule.labels)['severity']!r}: "
                "give each threshold its own severity"
            )
        seen.add(identity)
