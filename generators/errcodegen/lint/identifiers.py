"""Every identifier the targets name after the registry's platform, categories,
severities and sentinels, checked against every other and against the names each target
defines whatever the registry holds (part of IDENTIFIER_COLLISION, for every language).

Two registry entries that become one identifier (categories ``x1`` and ``x_1`` are both
``X1Error``), or an entry that becomes a name the runtime already defines (a category
``read`` is Go's ``ReadError``, a sentinel ``known_code`` TypeScript's ``isKnownCode``),
make a client that does not compile or silently shadows: always an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from errcodegen.lang import Language, go, python, typescript
from errcodegen.lang.words import pascal
from errcodegen.registry.load import SENTINELS_FILE, SETTINGS_FILE, Registry
from errcodegen.registry.problems import Problem

Naming = Callable[[str, str], list[tuple[str, str]]]

# The OpenAPI document's schema names, which the Python models and the TypeScript wire
# types are generated from (errcodegen.targets.openapi.build).
OPENAPI_SCHEMAS = frozenset(
    "Category Severity ErrorCode KnownErrorCode ErrorBody ErrorEnvelope Problem "
    "TypedErrorBody".split()
)


def openapi_names(kind: str, name: str) -> list[tuple[str, str]]:
    """(namespace, schema name) of the schemas the OpenAPI target names after a category."""
    if kind != "category":
        return []
    suffixes = (("context",), ("error", "body"), ("error", "envelope"))
    return [("schemas", pascal(name, *suffix)) for suffix in suffixes]


# Typed as Language, so mypy checks that each module has the whole shared interface.
CLIENT_LANGUAGES: dict[str, Language] = {"Python": python, "TypeScript": typescript, "Go": go}

LANGUAGES: dict[str, tuple[Naming, dict[str, frozenset[str]]]] = {
    **{name: (lang.generated_names, lang.RUNTIME_NAMES) for name, lang in CLIENT_LANGUAGES.items()},
    "OpenAPI": (openapi_names, {"schemas": OPENAPI_SCHEMAS}),
}


@dataclass(frozen=True)
class Entry:
    """A registry entry that identifiers are named after, and where it is written."""

    kind: str  # platform, category, severity, sentinel
    name: str
    where: Problem  # the location; the message is filled in per collision

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


def entries(registry: Registry) -> Iterator[Entry]:
    """The platform, then the severities, categories and sentinels, in file order."""
    settings = registry.settings
    doc = registry.docs[SETTINGS_FILE]
    yield Entry("platform", settings.platform, doc.locate(("platform",), ""))
    for i, severity in enumerate(settings.severities):
        yield Entry("severity", severity, doc.locate(("severities", i), ""))
    for category in settings.categories:
        yield Entry("category", category, doc.locate(("categories", category), ""))
    sentinel_doc = registry.docs.get(SENTINELS_FILE)
    for i, sentinel in enumerate(registry.sentinels.sentinels):
        if sentinel_doc is not None:
            yield Entry(
                "sentinel", sentinel.name, sentinel_doc.locate(("sentinels", i, "name"), "")
            )


def collisions(registry: Registry) -> Iterator[tuple[str, Problem]]:
    """(subject, located problem) for each identifier that is already taken."""
    for language, (naming, runtime) in LANGUAGES.items():
        taken: dict[tuple[str, str], str] = {
            (namespace, name): f"the {language} runtime's {name}"
            for namespace, names in runtime.items()
            for name in names
        }
        for entry in entries(registry):
            for namespace, ident in dict.fromkeys(naming(entry.kind, entry.name)):
                owner = taken.setdefault((namespace, ident), entry.label)
                if owner != entry.label:
                    yield entry.label, _problem(entry, language, ident, owner)
    yield from module_page_collisions(registry)


# The catalog's own files beside the module pages ``<module>.md`` (errcodegen.targets.docs).
DOC_FILES = frozenset({"index.md", "catalog.html"})


def module_page_collisions(registry: Registry) -> Iterator[tuple[str, Problem]]:
    """A module whose catalog page would overwrite one of the catalog's own files."""
    for located in registry.modules:
        page = located.module.name.replace("/", ".") + ".md"
        if page in DOC_FILES:
            message = (
                f"module {located.module.name!r} would be the catalog page {page}, "
                "which is the catalog's own index; rename the module"
            )
            yield located.module.name, located.doc.locate(("name",), message)


def _problem(entry: Entry, language: str, ident: str, owner: str) -> Problem:
    message = f"{language} identifier {ident} of {entry.label} collides with {owner}"
    w = entry.where
    return Problem(w.file, w.line, w.column, w.field, message)
