"""Registry lint: named rules, per-rule levels, deployed exceptions, a summary."""

from errcodegen.lint.run import Finding, LintReport, lint_registry

__all__ = ["Finding", "LintReport", "lint_registry"]
