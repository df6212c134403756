"""Run every rule at the registry's levels and summarise the findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from errcodegen.lint.rules import RULES, RULES_BY_ID
from errcodegen.registry.load import EXCEPTIONS_FILE, LINT_FILE, Registry
from errcodegen.registry.problems import Problem, RegistryError


@dataclass(frozen=True, order=True)
class Finding:
    where: Problem
    rule: str
    level: str  # "error" or "warning"
    subject: str
    excepted: bool  # listed in lint-exceptions.yaml: a deployed violation

    def __str__(self) -> str:
        w = self.where
        place = f"{w.file}:{w.line}:{w.column}" if w.line else w.file
        note = " (deployed exception)" if self.excepted else ""
        return f"{place}: {self.level} {self.rule}: {w.message}{note}"


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    def summary(self) -> str:
        """Two tables: findings per rule, then per module."""
        by_rule = Counter((f.rule, f.level) for f in self.findings)
        lines = [f"{'rule':<24} {'errors':>7} {'warnings':>9}  purpose"]
        for rule in RULES:
            lines.append(
                f"{rule.id:<24} {by_rule[(rule.id, 'error')]:>7} "
                f"{by_rule[(rule.id, 'warning')]:>9}  {rule.purpose}"
            )
        by_module = Counter((f.subject.rsplit(":", 1)[0], f.level) for f in self.findings)
        modules = sorted({m for m, _ in by_module})
        lines += ["", f"{'module':<24} {'errors':>7} {'warnings':>9}"]
        for module in modules:
            lines.append(
                f"{module:<24} {by_module[(module, 'error')]:>7} "
                f"{by_module[(module, 'warning')]:>9}"
            )
        total_errors = len(self.errors)
        lines += ["", f"{total_errors} errors, {len(self.findings) - total_errors} warnings"]
        return "\n".join(lines)


def lint_registry(registry: Registry) -> LintReport:
    """Findings of every enabled rule; configuration mistakes raise RegistryError."""
    check_config(registry)
    levels = registry.lint.levels
    findings = []
    for rule in RULES:
        level = levels.get(rule.id, rule.default_level)
        if level == "off":
            continue
        excepted = set(registry.exceptions.exceptions.get(rule.id, ()))
        for hit in rule.check(registry):
            is_excepted = hit.subject in excepted
            findings.append(
                Finding(
                    hit.where,
                    rule.id,
                    "warning" if is_excepted else level,
                    hit.subject,
                    is_excepted,
                )
            )
    return LintReport(tuple(sorted(findings)))


def check_config(registry: Registry) -> None:
    problems = []
    lint_doc = registry.docs.get(LINT_FILE)
    for rule_id, level in registry.lint.levels.items():
        rule = RULES_BY_ID.get(rule_id)
        if lint_doc is None:
            break
        if rule is None:
            problems.append(lint_doc.locate(("levels", rule_id), f"unknown rule {rule_id}"))
        elif rule.fixed and level != "error":
            problems.append(lint_doc.locate(("levels", rule_id), f"{rule_id} is always an error"))
    exceptions_doc = registry.docs.get(EXCEPTIONS_FILE)
    for rule_id in registry.exceptions.exceptions:
        rule = RULES_BY_ID.get(rule_id)
        if exceptions_doc is not None and (rule is None or rule.fixed):
            why = "unknown rule" if rule is None else "takes no exceptions"
            problems.append(exceptions_doc.locate(("exceptions", rule_id), f"{rule_id}: {why}"))
    if problems:
        raise RegistryError(problems)
