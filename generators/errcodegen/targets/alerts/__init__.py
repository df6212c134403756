"""Prometheus alerting rules generated from the registry, so no rule names a code that
does not exist and every threshold is reviewed where the code is."""

from __future__ import annotations

from errcodegen.ir import IR
from errcodegen.lang import prometheus
from errcodegen.targets import Target
from errcodegen.targets.alerts.rules import build_groups, rules_file
from errcodegen.targets.common import template_env
from errcodegen.writer import Files

FOLDER = "deploy/prometheus"
CATALOG_FOLDER = "docs/errors"  # where each code's module page lives, for annotations

_ENV = template_env(__name__, {"yaml": prometheus.yaml_string})


def render(ir: IR) -> Files:
    groups = build_groups(ir, CATALOG_FOLDER)
    return {rules_file(ir): _ENV.get_template("rules.yaml.j2").render(groups=groups)}


TARGET = Target("alerts", FOLDER, render)
