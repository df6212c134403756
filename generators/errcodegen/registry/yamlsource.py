"""YAML reading that remembers where every value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from errcodegen.registry.problems import Problem, field_path

Path_ = tuple[str | int, ...]

# libyaml's parser when PyYAML was built with it: the same events, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    """A parsed YAML file and the (line, column) of each value, by path."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path_, message: str) -> Problem:
        """A problem at ``path``, or at its closest ancestor that has a position."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                line, column = self.positions[path[:end]]
                return Problem(self.file, line, column, field_path(path), message)
        return Problem(self.file, 0, 0, field_path(path), message)


def read_yaml(path: Path, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; syntax errors and duplicate keys come back as problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(display, 0, 0, "", f"cannot read file: {exc}")]
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(display, line, column, "", f"YAML syntax error: {reason}")]
    document = YamlDocument(display, None)
    problems: list[Problem] = []
    if node is not None:
        scalars = yaml.SafeLoader("")
        document.data = _construct(node, (), document, problems, scalars)
    return document, problems


def _construct(
    node: yaml.Node,
    path: Path_,
    doc: YamlDocument,
    problems: list[Problem],
    scalars: yaml.SafeLoader,
) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = scalars.construct_object(key_node)
            child = (*path, key if isinstance(key, str | int) else str(key))
            if key in result:
                doc.positions[child] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                problems.append(doc.locate(child, "duplicate key"))
                continue
            result[key] = _construct(value_node, child, doc, problems, scalars)
            doc.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, i), doc, problems, scalars)
            for i, item in enumerate(node.value)
        ]
    return scalars.construct_object(node)
