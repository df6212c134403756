"""Prometheus alerting rules generated from the registry, so no rule names a code that
does not exist and every threshold is reviewed where the code is."""

from __future__ import annotations

from errcodegen.ir import IR
from errcodegen.lang import prometheus
from errcodegen.targets import Target
from errcodegen.targets.alerts.rules import build_groups
from errcodegen.targets.common import template_env
from errcodegen.targets.layout import ALERTS_FOLDER as FOLDER
from errcodegen.targets.layout import CATALOG_FOLDER, rules_file
from errcodegen.writer import Files

_ENV = template_env(__name__, {"yaml": prometheus.yaml_string})


def render(ir: IR) -> Files:
    groups = build_groups(ir, CATALOG_FOLDER)
    return {rules_file(ir): _ENV.get_template("rules.yaml.j2").render(groups=groups)}


TARGET = Target("alerts", FOLDER, render)
