"""The python client target (being built)."""

from __future__ import annotations

from errcodegen.ir import IR
from errcodegen.targets import Target
from errcodegen.writer import Files


def render(ir: IR) -> Files:
    return {}


TARGET = Target("python", "clients/python", render)
