"""Load a registry folder: parse, validate every file, check references across files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from errcodegen.registry.problems import Problem, RegistryError
from errcodegen.registry.raw import (
    RawCode,
    RawExceptions,
    RawLintConfig,
    RawModule,
    RawSentinels,
    RawSettings,
)
from errcodegen.registry.yamlsource import YamlDocument, read_yaml

SETTINGS_FILE = "registry.yaml"
SENTINELS_FILE = "sentinels.yaml"
LINT_FILE = "lint.yaml"
EXCEPTIONS_FILE = "lint-exceptions.yaml"
MODULES_DIR = "modules"

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class LocatedModule:
    module: RawModule
    doc: YamlDocument


@dataclass(frozen=True)
class Registry:
    """A registry whose every file parsed and validated, with positions for later checks."""

    root: Path
    settings: RawSettings
    modules: tuple[LocatedModule, ...]  # sorted by module name
    sentinels: RawSentinels
    lint: RawLintConfig
    exceptions: RawExceptions
    docs: dict[str, YamlDocument]  # by file name relative to root

    def codes(self) -> Iterator[tuple[LocatedModule, int, RawCode]]:
        """Every code with its module and its index in that module's file."""
        for located in self.modules:
            for index, code in enumerate(located.module.codes):
                yield located, index, code

    def platform_codes(self) -> Iterator[tuple[LocatedModule, int, RawCode]]:
        """The codes the platform numbers itself (not those of an upstream module)."""
        for located, index, code in self.codes():
            if located.module.upstream is None:
                yield located, index, code


def load_registry(root: Path) -> Registry:
    """Read and validate the registry under ``root``; raise RegistryError with every problem."""
    problems: list[Problem] = []
    docs: dict[str, YamlDocument] = {}

    def parse(relative: str, model: type[Model], required: bool = True) -> Model | None:
        path = root / relative
        if not path.exists():
            if required:
                problems.append(Problem(_display(root, path), 0, 0, "", "file is missing"))
            return None
        doc, found = read_yaml(path, _display(root, path))
        problems.extend(found)
        if doc is None:
            return None
        docs[relative] = doc
        return _validate(model, doc, problems)

    settings = parse(SETTINGS_FILE, RawSettings)
    sentinels = parse(SENTINELS_FILE, RawSentinels, required=False) or RawSentinels(sentinels=[])
    lint = parse(LINT_FILE, RawLintConfig, required=False) or RawLintConfig()
    exceptions = parse(EXCEPTIONS_FILE, RawExceptions, required=False) or RawExceptions()
    modules = []
    for path in sorted((root / MODULES_DIR).glob("*.yaml")):
        relative = f"{MODULES_DIR}/{path.name}"
        module = parse(relative, RawModule)
        if module is not None:
            modules.append(LocatedModule(module, docs[relative]))
    if settings is None or problems:
        raise RegistryError(problems)
    modules.sort(key=lambda m: m.module.name)
    registry = Registry(root, settings, tuple(modules), sentinels, lint, exceptions, docs)
    problems.extend(check_references(registry))
    if problems:
        raise RegistryError(problems)
    return registry


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _validate(model: type[Model], doc: YamlDocument, problems: list[Problem]) -> Model | None:
    if not isinstance(doc.data, dict):
        problems.append(doc.locate((), "expected a mapping at the top level"))
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            problems.append(doc.locate(path, _describe(error)))
        return None


def _describe(error: object) -> str:
    assert isinstance(error, dict)
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} does not match the pattern {error['ctx']['pattern']}"
    return f"{message} (got {error['input']!r})" if "input" in error else str(message)


def check_references(registry: Registry) -> list[Problem]:
    """Names that must refer to something declared elsewhere in the registry."""
    settings = registry.settings
    severities = set(settings.severities)
    categories = set(settings.categories)
    reg_doc = registry.docs[SETTINGS_FILE]
    problems: list[Problem] = []

    def expect(
        doc: YamlDocument,
        path: tuple[str | int, ...],
        value: str | None,
        known: set[str],
        what: str,
    ) -> None:
        if value is not None and value not in known:
            hint = f" (known: {', '.join(sorted(known))})" if len(known) <= 20 else ""
            problems.append(doc.locate(path, f"unknown {what} {value!r}{hint}"))

    for name, category in settings.categories.items():
        expect(reg_doc, ("categories", name, "severity"), category.severity, severities, "severity")
    for i, rule in enumerate(settings.status_table):
        expect(reg_doc, ("status_table", i, "category"), rule.category, categories, "category")
    for i, grpc in enumerate(settings.grpc_status):
        expect(reg_doc, ("grpc_status", i, "category"), grpc.category, categories, "category")

    keys = set()
    seen_modules: dict[str, str] = {}
    for located in registry.modules:
        module, doc = located.module, located.doc
        if module.name in seen_modules:
            problems.append(
                doc.locate(
                    ("name",),
                    f"module {module.name!r} is also defined in {seen_modules[module.name]}",
                )
            )
        seen_modules[module.name] = doc.file
        for r, span in enumerate(module.ranges):
            if span.start > span.end:
                problems.append(
                    doc.locate(
                        ("ranges", r, "end"),
                        f"range end {span.end} is before its start {span.start}",
                    )
                )
        for i, code in enumerate(module.codes):
            keys.add(f"{module.name}:{code.number}")
            expect(doc, ("codes", i, "category"), code.category, categories, "category")
            expect(doc, ("codes", i, "severity"), code.severity, severities, "severity")
    for located, i, code in registry.codes():
        if code.replaced_by is not None and code.replaced_by not in keys:
            problems.append(
                located.doc.locate(
                    ("codes", i, "replaced_by"), f"unknown code {code.replaced_by!r}"
                )
            )
    if SENTINELS_FILE in registry.docs:
        sentinel_doc = registry.docs[SENTINELS_FILE]
        for s, sentinel in enumerate(registry.sentinels.sentinels):
            for c, category_name in enumerate(sentinel.categories):
                expect(
                    sentinel_doc,
                    ("sentinels", s, "categories", c),
                    category_name,
                    categories,
                    "category",
                )
            for c, key in enumerate(sentinel.codes):
                expect(sentinel_doc, ("sentinels", s, "codes", c), key, keys, "code")
    return problems
