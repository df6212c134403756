"""What the catalog pages show, worked out once from the IR for both Markdown and HTML.

Templates only place these values; every registry string still goes through the
format's escaper (``lang.markdown`` / ``lang.html``) as a template filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from errcodegen.ir import IR, Code, Module
from errcodegen.ir.model import AlertThreshold, Range
from errcodegen.lang import go, html, python, typescript
from errcodegen.lang.prometheus import number


@dataclass(frozen=True)
class CodeRow:
    code: Code
    anchor: str  # HTML id of the row, e.g. "veid-1036"
    http_status: str  # "500 Internal Server Error"
    retryable: str  # "yes" / "no"
    replaced_by: Replacement | None
    alert: str  # "" or "above 0.2/s for 5m (warning)"
    usage: Usage
    category_basis: str  # what decided its category, "" when the registry does not say


# What each category_evidence of the registry means, for a reader of the catalog.
CATEGORY_BASIS = {
    "grpc_code": "the gRPC code the platform registers it with",
    "source": "how the platform's source returns it",
    "review": "a review",
    "subrange": "its number's sub-range (not reviewed)",
    "message": "its message (guessed by the importer, not reviewed)",
}


@dataclass(frozen=True)
class Usage:
    """What a developer looking at one code needs: how each client names it, what registers
    it in the platform's source, and the forms it takes on the wire today."""

    python: str  # "virtengine_errors.catalog.VEID_ML_INFERENCE_FAILED"
    typescript: str  # "Codes.VEID_ML_INFERENCE_FAILED"
    go: str  # "veerrors.ErrVeidMLInferenceFailed"
    platform: str  # the Go variable that registers it, "" when unknown
    platform_file: str  # the Go file it is registered in, "" when unknown
    gateway: str  # "codespace veid code 1036": the chain REST gateway's message
    log: str  # "veid:1036: ML inference failed": log form, `{"error": ...}` and text bodies


@dataclass(frozen=True)
class Replacement:
    key: str  # "module:number"
    page: str  # Markdown page of its module
    anchor: str  # HTML id of its row


@dataclass(frozen=True)
class ModulePage:
    module: Module
    page: str  # "verification.audit.md"
    anchor: str  # HTML id of its section
    ranges: str  # "1000-1099", "none allocated"
    rows: tuple[CodeRow, ...]
    alerts: tuple[CodeRow, ...]  # the rows whose code has its own alert threshold
    deprecated: int  # how many of its codes are deprecated


@dataclass(frozen=True)
class CategoryRow:
    name: str
    description: str
    severity: str
    retryable: str
    http_status: str
    context_fields: str  # "field, value"
    alert: str


@dataclass(frozen=True)
class Catalog:
    ir: IR
    modules: tuple[ModulePage, ...]
    categories: tuple[CategoryRow, ...]
    platform_alerts: tuple[str, ...]  # "all errors above 10/s for 5m (warning)", ...
    alert_rules_path: str  # where the generated rules live, relative to the repository


def module_page(module: Module) -> str:
    """The Markdown file of a module; ``/`` (allowed in names) becomes ``.`` (never in names)."""
    return module.name.replace("/", ".") + ".md"


def build_catalog(ir: IR, alert_rules_path: str) -> Catalog:
    pages = {m.name: module_page(m) for m in ir.modules}
    phrases = dict(ir.reason_phrases)
    go_names = go.code_vars(
        ((c.key, c.module, c.name) for c in ir.codes), (s.name for s in ir.sentinels)
    )[0]

    def row(code: Code) -> CodeRow:
        replacement = None
        if code.replaced_by is not None:
            module = code.replaced_by.rsplit(":", 1)[0]
            replacement = Replacement(
                code.replaced_by, pages.get(module, "index.md"), code_anchor(code.replaced_by)
            )
        return CodeRow(
            code=code,
            anchor=code_anchor(code.key),
            http_status=_status(code.http_status, phrases),
            retryable=_yes_no(code.retryable),
            replaced_by=replacement,
            alert=_threshold(code.alert),
            usage=usage(ir, code, go_names[code.key]),
            category_basis=CATEGORY_BASIS.get(code.category_evidence, ""),
        )

    def page(module: Module) -> ModulePage:
        rows = tuple(row(c) for c in module.codes)
        return ModulePage(
            module=module,
            page=pages[module.name],
            anchor="module-" + html.anchor(module.name),
            ranges=", ".join(_range(r) for r in module.ranges) or "none allocated",
            rows=rows,
            alerts=tuple(r for r in rows if r.alert),
            deprecated=sum(c.deprecated for c in module.codes),
        )

    modules = tuple(page(m) for m in ir.modules)
    categories = tuple(
        CategoryRow(
            name=c.name,
            description=c.description,
            severity=c.severity,
            retryable=_yes_no(c.retryable),
            http_status=_status(c.http_status, phrases),
            context_fields=", ".join(f.name for f in c.context_fields),
            alert=_threshold(c.alert),
        )
        for c in ir.categories
    )
    return Catalog(ir, modules, categories, _platform_alerts(ir), alert_rules_path)


def _platform_alerts(ir: IR) -> tuple[str, ...]:
    settings = ir.alerts
    if settings is None:
        return ()
    found = [f"all errors {_threshold(t)}" for t in settings.error_rate]
    if settings.critical_severity is not None:
        severity = settings.critical_severity_label
        found.append(f"{severity} errors {_threshold(settings.critical_severity)}")
    return tuple(found)


def usage(ir: IR, code: Code, go_name: str) -> Usage:
    return Usage(
        python=f"{ir.packages.python_package}.catalog.{python.constant(code.module, code.name)}",
        typescript=f"Codes.{typescript.constant(code.module, code.name)}",
        go=f"{ir.packages.go_package}.{go_name}",
        platform=code.go_symbol or "",
        platform_file=code.source or "",
        gateway=f"codespace {code.module} code {code.number}",
        log=f"{code.key}: {code.message}",
    )


def code_anchor(key: str) -> str:
    """The HTML id of a code's entry in both the Markdown page and the HTML page."""
    module, number = key.rsplit(":", 1)
    return f"{html.anchor(module)}-{number}"


def _status(status: int, phrases: dict[int, str]) -> str:
    phrase = phrases.get(status)
    return f"{status} {phrase}" if phrase else str(status)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _range(r: Range) -> str:
    return f"{r.start}-{r.end}"


def _threshold(alert: AlertThreshold | None) -> str:
    if alert is None:
        return ""
    return f"above {number(alert.above)}/s for {alert.for_} ({alert.severity})"
