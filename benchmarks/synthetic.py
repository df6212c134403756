"""Synthetic registries of any size that lint clean, for measuring generation at scale."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

# Offset blocks of the sub-range convention, and the category each block holds.
BLOCKS = [
    "validation",
    "not_found",
    "conflict",
    "unauthorized",
    "state",
    "external",
    "internal",
    "validation",
    "rate_limit",
]


def write_synthetic_registry(root: Path, modules: int, codes_per_module: int) -> Path:
    """A registry under ``root`` with ``modules`` x ``codes_per_module`` codes (at most 90 a
    module keep to the convention; more spill into further 100-blocks of the same module)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "modules").mkdir(parents=True)
    for name in ("registry.yaml", "lint.yaml"):
        shutil.copy(REPO / "spec" / name, root / name)
    blocks = -(-codes_per_module // 90)
    for m in range(modules):
        start = 10_000 + m * 100 * blocks
        numbers = [start + 100 * b + o for b in range(blocks) for o in range(90)]
        codes = [_code(number, number % 100) for number in numbers[:codes_per_module]]
        module = {
            "name": f"module_{m:04d}",
            "description": f"Synthetic module {m}.",
            "ranges": [{"start": start, "end": start + 100 * blocks - 1}],
            "codes": codes,
        }
        (root / "modules" / f"module_{m:04d}.yaml").write_text(
            yaml.safe_dump(module, sort_keys=False), encoding="utf-8"
        )
    return root


def _code(number: int, offset: int) -> dict[str, object]:
    category = BLOCKS[offset // 10]
    return {
        "number": number,
        "name": f"{category}_condition_{number}",
        "message": f"synthetic {category.replace('_', ' ')} condition {number}",
        "category": category,
        "description": f"Raised when synthetic condition {number} occurs.",
    }


# A synthetic Go source tree shaped like a Cosmos SDK chain, for timing the import scan.

GO_MODULE = "example.com/synthchain"
_TYPES_FILES = ("msgs", "genesis", "params", "events", "codec")
_OTHER_FILES = (
    "keeper/keeper",
    "keeper/msg_server",
    "keeper/grpc_query",
    "keeper/keeper_test",
    "client/cli/tx",
    "client/cli/query",
    "simulation/operations",
    "module",
)


def write_synthetic_go_tree(
    root: Path, files: int = 2000, registrations: int = 1100
) -> dict[str, int]:
    """A Go module under ``root`` with ``files`` Go files and ``registrations``
    package-level error registrations in a few ``types/errors.go`` files (20 a module,
    as the platform's modules have), in the shapes the platform uses (plain
    ``Register`` with literal numbers, an ``iota`` block with an offset, and
    ``RegisterWithGRPCCode``), beside keeper, CLI, simulation and test files and shared
    packages that register nothing. Returns the counts written."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "go.mod").write_text(f"module {GO_MODULE}\n\ngo 1.22\n", encoding="utf-8")
    per_module = 20
    modules = -(-registrations // per_module)
    written = 0
    left = registrations
    for m in range(modules):
        count = min(per_module, left)
        left -= count
        base = root / "x" / f"mod{m:03d}"
        types_dir = base / "types"
        types_dir.mkdir(parents=True)
        (types_dir / "keys.go").write_text(_keys_go(m), encoding="utf-8")
        (types_dir / "errors.go").write_text(_errors_go(m, count), encoding="utf-8")
        written += 2
        for name in _TYPES_FILES:
            source = _filler_go("types", f"{name}{m}", 6)
            (types_dir / f"{name}.go").write_text(source, encoding="utf-8")
            written += 1
        for name in _OTHER_FILES:
            path = base / f"{name}.go"
            path.parent.mkdir(parents=True, exist_ok=True)
            package = "mod" if "/" not in name else path.parent.name
            if name.endswith("_test"):
                package += "_test"
            path.write_text(_filler_go(package, f"{path.stem}{m}", 8), encoding="utf-8")
            written += 1
    n = 0
    while written < files:
        folder = root / "pkg" / f"lib{n // 10:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        source = _filler_go(folder.name, f"part{n}", 8)
        (folder / f"file{n % 10}.go").write_text(source, encoding="utf-8")
        written += 1
        n += 1
    return {"files": written, "registrations": registrations, "modules": modules}


def _keys_go(m: int) -> str:
    return f"""package types

const (
	// ModuleName is the name of the module.
	ModuleName = "mod{m:03d}"
	// StoreKey is the store key of the module.
	StoreKey = ModuleName
	// RouterKey is the message route of the module.
	RouterKey = ModuleName
)

// KeyPrefix returns the store prefix of a key.
func KeyPrefix(p string) []byte {{
	return []byte(p)
}}
"""


def _errors_go(m: int, count: int) -> str:
    start = 1000 + (m % 7) * 100
    shape = m % 3
    lines = ["package types", "", "import (", '\terrorsmod "cosmossdk.io/errors"']
    if shape == 2:
        lines.append('\t"google.golang.org/grpc/codes"')
    lines += [")", ""]
    if shape == 1:
        lines.append("const (")
        lines.append(f"\tcodeBase = {start} + iota")
        lines += [f"\tcode{i}" for i in range(1, count)]
        lines += [")", ""]
    lines.append("var (")
    for i in range(count):
        name = f"ErrCondition{i:02d}"
        message = f"synthetic condition {i} of module {m}"
        lines.append(f"\t// {name} is returned when synthetic condition {i} occurs.")
        if shape == 0:
            lines.append(f'\t{name} = errorsmod.Register(ModuleName, {start + i}, "{message}")')
        elif shape == 1:
            number = "codeBase" if i == 0 else f"code{i}"
            lines.append(f'\t{name} = errorsmod.Register(ModuleName, {number}, "{message}")')
        else:
            grpc = ["InvalidArgument", "NotFound", "AlreadyExists", "Internal"][i % 4]
            call = f'RegisterWithGRPCCode(ModuleName, {start + i}, codes.{grpc}, "{message}")'
            lines.append(f"\t{name} = errorsmod.{call}")
    lines += [")", ""]
    return "\n".join(lines)


def _filler_go(package: str, stem: str, functions: int) -> str:
    """Ordinary Go that registers nothing: a type, methods, loops, string handling."""
    name = "".join(part.capitalize() for part in stem.replace("-", "_").split("_"))
    out = [
        f"package {package}",
        "",
        "import (",
        '\t"fmt"',
        '\t"sort"',
        '\t"strings"',
        ")",
        "",
        f"// {name} holds the state of {stem}.",
        f"type {name} struct {{",
        "\tID     uint64",
        "\tOwner  string",
        "\tLabels map[string]string",
        "\tItems  []string",
        "}",
        "",
    ]
    for f in range(functions):
        out += [
            f"// Step{f} does step {f} of {stem}: it sorts, filters and formats the items.",
            f"func (s *{name}) Step{f}(prefix string, limit int) (string, error) {{",
            "\tif limit <= 0 {",
            f'\t\treturn "", fmt.Errorf("step {f}: limit %d is not positive", limit)',
            "\t}",
            "\tkept := make([]string, 0, len(s.Items))",
            "\tfor _, item := range s.Items {",
            "\t\tif strings.HasPrefix(item, prefix) && len(kept) < limit {",
            "\t\t\tkept = append(kept, strings.ToLower(item))",
            "\t\t}",
            "\t}",
            "\tsort.Strings(kept)",
            "\tfor key, value := range s.Labels {",
            '\t\tkept = append(kept, fmt.Sprintf("%s=%s", key, value))',
            "\t}",
            f'\treturn fmt.Sprintf("%d/%s/{f}: %s", s.ID, s.Owner, strings.Join(kept, ",")), nil',
            "}",
            "",
        ]
    return "\n".join(out)
