"""Compare scanned Go registrations with the registry, and merge them into it.

What the source decides: a code exists, its default message, its Go symbol and
file, and its category when the source states one. What people decide is kept:
names (renaming breaks every client), descriptions already written, actions,
overrides, deprecations, and every field of a code marked ``reviewed: true``
(its differences are reported as ``kept``). Codes the source no longer registers
are reported ``missing``, never deleted: deleting a deployed code is a breaking
change (``compat`` rule CODE_NO_DELETE); deprecate it instead.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from errcodegen.goimport.infer import (
    base_name,
    infer_category,
    is_sdk_copy,
    subrange_category,
    unique_name,
)
from errcodegen.goimport.source import GoCode, GoSourceError, Scan
from errcodegen.goimport.yamledit import edit_module, module_text, write_atomically
from errcodegen.registry import Registry, RegistryError, load_registry
from errcodegen.registry.load import MODULES_DIR, LocatedModule
from errcodegen.registry.raw import RawCode

Kind = Literal["added", "renumbered", "changed", "missing", "kept", "docs"]
KINDS: tuple[Kind, ...] = ("added", "renumbered", "changed", "missing", "kept", "docs")
# What a client can observe: a code's message and category (which decide its status,
# retryability and severity). Other differences are documentation: shown, never failing.
OBSERVABLE_FIELDS = frozenset({"message", "category", "category_evidence"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object

    def __str__(self) -> str:
        return f"{self.field} {self.old!r} -> {self.new!r}"


@dataclass(frozen=True)
class Difference:
    kind: Kind
    key: str  # "module:number"
    name: str
    where: str  # the Go file and line, or the registry's record of the source file
    changes: tuple[FieldChange, ...] = ()
    note: str = ""

    def __str__(self) -> str:
        detail = "; ".join(str(c) for c in self.changes)
        kind = f"{self.kind:<8}" if len(self.kind) < 8 else self.kind + " "
        parts = [f"{kind}{self.key} {self.name}", detail, self.note, f"({self.where})"]
        return "  ".join(p for p in parts if p)

    @property
    def observable(self) -> bool:
        """Whether a client built on the registry could tell the difference."""
        if self.kind in ("added", "renumbered", "missing"):
            return True
        return any(c.field in OBSERVABLE_FIELDS for c in self.changes)


@dataclass
class _ModuleEdit:
    located: LocatedModule | None  # None: a module the registry does not have yet
    replaced: dict[int, dict[str, Any]] = field(default_factory=dict)  # by index in file
    added: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportPlan:
    scan: Scan
    differences: tuple[Difference, ...]
    edits: dict[str, _ModuleEdit]  # by module name

    def count(self, kind: Kind) -> int:
        return sum(1 for d in self.differences if d.kind == kind)

    @property
    def in_sync(self) -> bool:
        """No difference a client could observe (documentation may still differ)."""
        return not any(d.observable for d in self.differences)

    def to_json(self) -> str:
        body = {
            "in_sync": self.in_sync,
            "files_read": len(self.scan.files),
            "skipped": list(self.scan.skipped),
            "findings": list(self.scan.findings),
            "registrations": len(self.scan.codes),
            "counts": {kind: self.count(kind) for kind in KINDS},
            "differences": [
                {
                    "kind": d.kind,
                    "observable": d.observable,
                    "code": d.key,
                    "name": d.name,
                    "where": d.where,
                    "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in d.changes],
                    "note": d.note,
                }
                for d in self.differences
            ],
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(kind)} {kind}" for kind in KINDS)
        findings = f", {len(self.scan.findings)} finding(s)" if self.scan.findings else ""
        notes = "".join(f"finding {f}\n" for f in self.scan.findings)
        return notes + (
            f"{len(self.scan.files)} Go file(s) read, {len(self.scan.skipped)} skipped, "
            f"{len(self.scan.codes)} registration(s){findings}: {counts}"
        )


def plan_import(registry: Registry, scan: Scan) -> ImportPlan:
    planner = _Planner(registry, scan)
    return planner.plan()


class _Planner:
    def __init__(self, registry: Registry, scan: Scan) -> None:
        self.registry = registry
        self.scan = scan
        self.categories = set(registry.settings.categories)
        self.grpc_categories = {
            g.name: g.category for g in registry.settings.grpc_status if g.category is not None
        }
        self.modules = {m.module.name: m for m in registry.modules}
        self.edits: dict[str, _ModuleEdit] = {}
        self.differences: list[Difference] = []

    def plan(self) -> ImportPlan:
        existing, new = [], []
        for code in self.scan.codes:
            located = self.modules.get(code.module)
            index = _index_of(located, code.number) if located else None
            if located is not None and index is not None:
                existing.append((code, located, index))
            else:
                new.append(code)
        for code, located, index in existing:
            self._compare(code, located, index)
        # the chain module's copy of an error keeps the plain name, the SDK's gets "_sdk"
        for code in sorted(new, key=lambda c: (is_sdk_copy(c.file), c.module, c.number)):
            self._add(code)
        self._missing()
        self._renumbered()
        order = {kind: i for i, kind in enumerate(KINDS)}
        differences = sorted(self.differences, key=lambda d: (order[d.kind], _key_order(d.key)))
        for edit in self.edits.values():
            edit.added.sort(key=lambda e: int(e["number"]))
        return ImportPlan(self.scan, tuple(differences), self.edits)

    def _edit(self, module: str) -> _ModuleEdit:
        return self.edits.setdefault(module, _ModuleEdit(self.modules.get(module)))

    def _compare(self, code: GoCode, located: LocatedModule, index: int) -> None:
        raw = located.module.codes[index]
        entry: dict[str, Any] = dict(located.doc.data["codes"][index])
        changes = self._updates(code, raw, entry)
        if not changes:
            return
        if raw.reviewed:
            note = "reviewed: registry kept; review the source or the registry"
            self.differences.append(
                Difference("kept", code.key, raw.name, code.where, tuple(changes), note)
            )
            return
        self._edit(code.module).replaced[index] = entry
        observable = any(c.field in OBSERVABLE_FIELDS for c in changes)
        kind: Kind = "changed" if observable else "docs"
        self.differences.append(Difference(kind, code.key, raw.name, code.where, changes))

    def source_evidence(self, code: GoCode) -> tuple[str, str] | None:
        """(category, evidence) when the source decides the category: the gRPC code its
        registration names, else a category it states."""
        if code.grpc_code is not None and code.grpc_code in self.grpc_categories:
            category = self.grpc_categories[code.grpc_code]
            if category is not None and category in self.categories:
                return category, "grpc_code"
        if code.category in self.categories:
            return str(code.category), "source"
        return None

    def _updates(
        self, code: GoCode, raw: RawCode, entry: dict[str, Any]
    ) -> tuple[FieldChange, ...]:
        """Apply what the source decides to ``entry``; return what changed."""
        changes: list[FieldChange] = []

        def put(name: str, old: object, new: object) -> None:
            changes.append(FieldChange(name, old, new))
            _set_field(entry, name, new)

        if code.message != raw.message:
            put("message", raw.message, code.message)
        decided = self.source_evidence(code)
        if decided is not None:
            category, evidence = decided
            if category != raw.category:
                put("category", raw.category, category)
            if raw.category_inferred:
                put("category_inferred", True, False)
            if raw.category_evidence != evidence:
                put("category_evidence", raw.category_evidence, evidence)
        if code.grpc_code != raw.grpc_code:
            put("grpc_code", raw.grpc_code, code.grpc_code)
        if code.description and not raw.description:
            put("description", raw.description, code.description)
        if code.symbol != raw.go_symbol:
            put("go_symbol", raw.go_symbol, code.symbol)
        if raw.source is None or not _same_file(raw.source, code.path):
            put("source", raw.source, code.file)
        return tuple(changes)

    def _add(self, code: GoCode) -> None:
        located = self.modules.get(code.module)
        edit = self._edit(code.module)
        taken = {c.name for c in located.module.codes} if located else set()
        taken |= {str(e["name"]) for e in edit.added}
        name = unique_name(base_name(code.symbol, code.number), code.file, code.number, taken)
        entry: dict[str, Any] = {"number": code.number, "name": name, "message": code.message}
        note = ""
        decided = self.source_evidence(code)
        by_subrange = subrange_category(located, code.number, self.registry.lint.subranges)
        if decided is not None:
            entry["category"], entry["category_evidence"] = decided
        elif by_subrange is not None:
            entry["category"], entry["category_evidence"] = by_subrange, "subrange"
            note = f"category from the module's sub-range convention: {by_subrange}"
        else:
            entry["category"] = infer_category(code.message, code.symbol, self.categories)
            entry["category_evidence"] = "message"
            note = f"category inferred: {entry['category']}"
        if decided is None and code.category is not None:
            note += f" (the source's {code.category!r} is not a registry category)"
        if code.grpc_code is not None:
            entry["grpc_code"] = code.grpc_code
        if code.description:
            entry["description"] = code.description
        entry["go_symbol"] = code.symbol
        entry["source"] = code.file
        edit.added.append(entry)
        self.differences.append(Difference("added", code.key, name, code.where, note=note))

    def _missing(self) -> None:
        found = {(c.module, c.number) for c in self.scan.codes}
        scanned_modules = {c.module for c in self.scan.codes}
        folders = self.scan.folders
        for located, _, raw in self.registry.codes():
            module = located.module.name
            if (module, raw.number) in found or raw.deprecated:
                continue
            if raw.source is not None:
                in_scope = any(_same_folder(raw.source, folder) for folder in folders)
            else:
                in_scope = module in scanned_modules
            if in_scope:
                self.differences.append(
                    Difference(
                        "missing",
                        f"{module}:{raw.number}",
                        raw.name,
                        raw.source or "no source recorded",
                        note="not registered by the scanned source; deprecate it, never delete",
                    )
                )

    def _renumbered(self) -> None:
        """An added code whose symbol and file a missing code of its module had: renumbered."""
        missing = {
            (d.key.rpartition(":")[0], d.where): d for d in self.differences if d.kind == "missing"
        }
        symbols = {
            (located.module.name, raw.number): raw.go_symbol
            for located, _, raw in self.registry.codes()
        }
        for i, added in enumerate(self.differences):
            if added.kind != "added":
                continue
            module = added.key.rpartition(":")[0]
            code = next(c for c in self.scan.codes if c.key == added.key)
            old = missing.get((module, code.file))
            if old is None or symbols.get(_key_tuple(old.key)) != code.symbol:
                continue
            self.differences[i] = dataclasses.replace(
                added, kind="renumbered", note=f"was {old.key}: {added.note}".rstrip(": ")
            )
            self.differences.remove(old)
            del missing[(module, code.file)]


def _key_tuple(key: str) -> tuple[str, int]:
    module, _, number = key.rpartition(":")
    return module, int(number)


def _index_of(located: LocatedModule, number: int) -> int | None:
    return next((i for i, c in enumerate(located.module.codes) if c.number == number), None)


# Where a field goes when a code does not have it yet: after the last of these it has.
_FIELD_ORDER = tuple(RawCode.model_fields)


def _set_field(entry: dict[str, Any], name: str, value: object) -> None:
    if (name == "category_inferred" and value is False) or value is None:
        entry.pop(name, None)
        return
    if name in entry:
        entry[name] = value
        return
    rank = _FIELD_ORDER.index(name)
    items = list(entry.items())
    position = sum(1 for key, _ in items if key in _FIELD_ORDER and _FIELD_ORDER.index(key) < rank)
    items.insert(position, (name, value))
    entry.clear()
    entry.update(items)


def _same_file(recorded: str, path: Path) -> bool:
    """Whether the registry's ``source`` names ``path``: its parts end ``path``'s parts."""
    parts = PurePosixPath(recorded).parts
    return len(parts) <= len(path.parts) and path.parts[-len(parts) :] == parts


def _same_folder(recorded: str, folder: Path) -> bool:
    parts = PurePosixPath(recorded).parent.parts
    return bool(parts) and len(parts) <= len(folder.parts) and folder.parts[-len(parts) :] == parts


def _key_order(key: str) -> tuple[str, int]:
    module, _, number = key.rpartition(":")
    return module, int(number)


def module_file(module: str) -> str:
    return f"{MODULES_DIR}/{module.replace('/', '.')}.yaml"


def new_texts(registry: Registry, plan: ImportPlan) -> dict[str, str]:
    """File (relative to the registry root) -> new content, for the files that change."""
    relative_of = {id(doc): rel for rel, doc in registry.docs.items()}
    texts: dict[str, str] = {}
    for module, edit in sorted(plan.edits.items()):
        if edit.located is None:
            description = f"Errors registered under the {module} namespace (no allocated range)."
            texts[module_file(module)] = module_text(module, description, edit.added)
            continue
        relative = relative_of[id(edit.located.doc)]
        text = (registry.root / relative).read_text(encoding="utf-8")
        updated = edit_module(text, edit.replaced, edit.added)
        if updated != text:
            texts[relative] = updated
    return texts


def apply_import(registry: Registry, plan: ImportPlan) -> list[Path]:
    """Write the plan into the registry; return the files written.

    The result is validated in a copy of the registry first: if it would not load,
    RegistryError is raised and nothing is written.
    """
    texts = new_texts(registry, plan)
    for module, edit in plan.edits.items():
        if edit.located is None and module_file(module) in registry.docs:
            raise GoSourceError(
                f"new module {module}: {module_file(module)} already holds another module"
            )
    with tempfile.TemporaryDirectory(prefix="errcodegen-import-") as tmp:
        trial = Path(tmp) / "spec"
        shutil.copytree(registry.root, trial)
        for relative, text in texts.items():
            (trial / relative).write_text(text, encoding="utf-8")
        try:
            load_registry(trial)
        except RegistryError as exc:
            raise _located_in(exc, trial, registry.root) from None
    written = []
    for relative, text in sorted(texts.items()):
        write_atomically(registry.root / relative, text)
        written.append(registry.root / relative)
    return written


def _located_in(error: RegistryError, trial: Path, root: Path) -> RegistryError:
    """Problems found in the scratch copy, named after the files they would have changed."""
    prefix = str(trial) + "/"
    return RegistryError(
        [
            dataclasses.replace(p, file=str(root / p.file[len(prefix) :]))
            if p.file.startswith(prefix)
            else p
            for p in error.problems
        ]
    )
