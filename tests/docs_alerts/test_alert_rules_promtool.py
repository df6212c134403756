"""The generated alert rules through promtool: they parse, and they fire on the right data."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from .conftest import HOSTILE_ACTION, HOSTILE_CATEGORY, HOSTILE_MESSAGE, REPO

RULES = REPO / "deploy" / "prometheus" / "virtengine-errors.rules.yaml"


def run_promtool(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)


def series(module: str, code: int, category: str, severity: str, per_minute: int) -> dict[str, str]:
    """A counter of one code growing by ``per_minute`` every minute for 30 minutes."""
    labels = f'module="{module}",code="{code}",category="{category}",severity="{severity}"'
    return {
        "series": f"virtengine_errors_total{{{labels}}}",
        "values": f"0+{per_minute}x30",
    }


def promtool_test(
    promtool: str, tmp_path: Path, rules: Path, inputs: list[dict[str, str]], cases: list[Any]
) -> None:
    unit = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": inputs, "alert_rule_test": cases}],
    }
    (tmp_path / "unit.yaml").write_text(yaml.safe_dump(unit, allow_unicode=True))
    result = run_promtool(promtool, "test", "rules", str(tmp_path / "unit.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_rules_pass_promtool_check(promtool: str) -> None:
    result = run_promtool(promtool, "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 11 rules found" in result.stdout


def test_code_rule_fires_above_its_threshold_only(promtool: str, tmp_path: Path) -> None:
    inputs = [
        series("veid", 1037, "timeout", "error", 30),  # 0.5/s, threshold 0.2/s
        series("veid", 1036, "external", "error", 6),  # 0.1/s, threshold 0.5/s
    ]
    fired = {
        "exp_labels": {
            "severity": "warning",
            "module": "veid",
            "code": "1037",
            "category": "timeout",
        },
        "exp_annotations": {
            "summary": "veid:1037 verification_timeout at 500m/s",
            "description": "verification timeout. Action: Retry with longer timeout",
            "catalog": "docs/errors/veid.md",
        },
    }
    cases = [
        {"eval_time": "4m", "alertname": "VeidVerificationTimeout", "exp_alerts": []},  # pending
        {"eval_time": "15m", "alertname": "VeidVerificationTimeout", "exp_alerts": [fired]},
        {"eval_time": "15m", "alertname": "VeidMlInferenceFailed", "exp_alerts": []},
    ]
    promtool_test(promtool, tmp_path, RULES, inputs, cases)


def test_platform_rules_fire_by_rate_and_severity(promtool: str, tmp_path: Path) -> None:
    inputs = [
        series("veid", 1000, "validation", "info", 600),  # 10/s
        series("market", 1, "validation", "info", 180),  # 3/s
        series("settlement", 1537, "internal", "critical", 90),  # 1.5/s critical: 14.5/s in all
    ]
    warning = {
        "exp_labels": {"severity": "warning"},
        "exp_annotations": {
            "summary": "VirtEngine errors at 14.5/s",
            "description": "All modules together return more than 10 errors per second "
            "(rate over 5m).",
        },
    }
    critical = {
        "exp_labels": {"severity": "critical", "module": "settlement"},
        "exp_annotations": {
            "summary": "settlement: critical errors at 1.5/s",
            "description": "Module settlement returns errors of severity critical faster "
            "than 1 per second.",
        },
    }
    cases = [  # the critical (50/s) error-rate rule stays silent
        {"eval_time": "15m", "alertname": "VirtEngineHighErrorRate", "exp_alerts": [warning]},
        {"eval_time": "15m", "alertname": "VirtEngineCriticalErrors", "exp_alerts": [critical]},
    ]
    promtool_test(promtool, tmp_path, RULES, inputs, cases)


def test_category_rule_fires_per_module(promtool: str, tmp_path: Path) -> None:
    inputs = [
        series("veid", 1050, "external", "error", 240),  # 4/s
        series("veid", 1051, "external", "error", 120),  # +2/s: 6/s for veid
        series("market", 50, "external", "error", 240),  # 4/s for market: below 5/s
    ]
    fired = {
        "exp_labels": {"severity": "warning", "category": "external", "module": "veid"},
        "exp_annotations": {
            "summary": "veid: external errors at 6/s",
            "description": "A service the platform depends on failed or is unavailable.",
        },
    }
    cases = [
        {"eval_time": "9m", "alertname": "VirtEngineExternalErrors", "exp_alerts": []},
        {"eval_time": "20m", "alertname": "VirtEngineExternalErrors", "exp_alerts": [fired]},
    ]
    promtool_test(promtool, tmp_path, RULES, inputs, cases)


def test_hostile_registry_text_reaches_the_annotations_verbatim(
    promtool: str, tmp_path: Path, hostile_root: Path
) -> None:
    rules = hostile_root / "deploy/prometheus/virtengine-errors.rules.yaml"
    check = run_promtool(promtool, "check", "rules", str(rules))
    assert check.returncode == 0, check.stdout + check.stderr
    inputs = [series("hostile", 1050, "external", "error", 600)]
    code_alert = {
        "exp_labels": {
            "severity": "warning",
            "module": "hostile",
            "code": "1050",
            "category": "external",
        },
        "exp_annotations": {
            "summary": "hostile:1050 backend_down at 10/s",
            "description": f"{HOSTILE_MESSAGE}. Action: {HOSTILE_ACTION}",
            "catalog": "docs/errors/hostile.md",
        },
    }
    category_alert = {
        "exp_labels": {"severity": "warning", "category": "external", "module": "hostile"},
        "exp_annotations": {
            "summary": "hostile: external errors at 10/s",
            "description": HOSTILE_CATEGORY,
        },
    }
    cases = [
        {"eval_time": "20m", "alertname": "HostileBackendDown", "exp_alerts": [code_alert]},
        {
            "eval_time": "20m",
            "alertname": "VirtEngineExternalErrors",
            "exp_alerts": [category_alert],
        },
    ]
    promtool_test(promtool, tmp_path, rules, inputs, cases)
