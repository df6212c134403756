"""compat: a previous/current registry pair per rule, the CLI, its bad inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from errcodegen.cli import main
from errcodegen.compat import RULES, check_compat
from errcodegen.compat.report import next_version

from .conftest import SPEC, MakeRegistry, module_yaml

Code = dict[str, Any]


def code(number: int = 1000, **fields: Any) -> Code:
    base: Code = {
        "number": number,
        "name": "invalid_scope",
        "message": "invalid scope",
        "category": "validation",
    }
    return {**base, **fields}


SECOND = code(1001, name="scope_not_found", message="scope not found", category="not_found")
SENTINELS = "sentinels:\n- {name: not_found, message: not found, categories: [not_found]}\n"


def files(*codes: Code, start: int = 1000, end: int = 1099, **extra: str) -> dict[str, str]:
    return {"modules/veid.yaml": module_yaml(start=start, end=end, codes=list(codes)), **extra}


def rules_between(make: MakeRegistry, before: dict[str, str], after: dict[str, str]) -> list[str]:
    previous, current = make(before), make(after)
    return [c.rule.id for c in check_compat(current, str(previous)).changes]


SETTINGS = (SPEC / "registry.yaml").read_text(encoding="utf-8")


def settings(old: str, new: str) -> dict[str, str]:
    """The project's registry.yaml with one edit, and one code."""
    assert old in SETTINGS
    return files(code(), **{"registry.yaml": SETTINGS.replace(old, new, 1)})


PAIRS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("CODE_NO_DELETE", files(code(), SECOND), files(code())),
    (
        "CODE_NUMBER_REUSED",
        files(code(), SECOND),
        files(code(), code(1001, name="scope_expired", message="scope expired")),
    ),
    ("CODE_NAME_CHANGED", files(code()), files(code(name="bad_scope"))),
    (
        "CODE_CATEGORY_CHANGED",
        files(code()),
        files(code(category="conflict", severity="info", http_status=400, reason="as before")),
    ),
    ("CODE_RETRYABLE_CHANGED", files(code()), files(code(retryable=True, reason="transient"))),
    ("CODE_HTTP_STATUS_CHANGED", files(code()), files(code(http_status=422))),
    ("RANGE_SHRUNK_OR_MOVED", files(code()), files(code(), end=1049)),
    ("RANGE_SHRUNK_OR_MOVED", files(code()), files(code(), start=1100, end=1199)),
    (
        "MODULE_NO_DELETE",
        files(code(), **{"modules/mfa.yaml": module_yaml("mfa", 1200, 1299)}),
        files(code()),
    ),
    ("SENTINEL_NO_DELETE", files(code(), **{"sentinels.yaml": SENTINELS}), files(code())),
    (
        "PACKAGE_RENAMED",
        files(code()),
        settings('npm: "@virtengine/errors"', 'npm: "@virtengine/error-codes"'),
    ),
    (
        "STATUS_RULE_CHANGED",
        files(code()),
        settings(
            "{status: 422, category: validation, retryable: false}",
            "{status: 422, category: state, retryable: false}",
        ),
    ),
    ("RETRY_POLICY_CHANGED", files(code()), settings("max_attempts: 3", "max_attempts: 4")),
    ("CODE_ADDED", files(code()), files(code(), SECOND)),
    (
        "MODULE_ADDED",
        files(code()),
        files(code(), **{"modules/mfa.yaml": module_yaml("mfa", 1200, 1299)}),
    ),
    ("SENTINEL_ADDED", files(code()), files(code(), **{"sentinels.yaml": SENTINELS})),
    ("CODE_DEPRECATED", files(code(), SECOND), files(code(deprecated=True), SECOND)),
    ("CODE_UNDEPRECATED", files(code(deprecated=True)), files(code())),
    ("CODE_SEVERITY_CHANGED", files(code()), files(code(severity="warning", reason="noisy"))),
    ("RANGE_EXTENDED", files(code()), files(code(), end=1199)),
    (
        "RANGE_SHRUNK_OR_MOVED",
        files(code()),
        {
            "modules/veid.yaml": module_yaml(codes=[code()]).replace(
                "  end: 1099\n", "  end: 1040\n- start: 1042\n  end: 1099\n"
            )
        },
    ),
    (
        "RANGE_EXTENDED",
        files(code()),
        {
            "modules/veid.yaml": module_yaml(codes=[code()]).replace(
                "  end: 1099\n", "  end: 1049\n- start: 1050\n  end: 1199\n"
            )
        },
    ),
    ("CODE_MESSAGE_CHANGED", files(code()), files(code(message="the scope is invalid"))),
    ("CODE_DOCS_CHANGED", files(code()), files(code(description="The scope is not known."))),
    ("CODE_DOCS_CHANGED", files(code()), files(code(action="Fix the scope"))),
]


@pytest.mark.parametrize(("rule", "before", "after"), PAIRS, ids=[p[0] for p in PAIRS])
def test_rule_pair(
    make_registry: MakeRegistry, rule: str, before: dict[str, str], after: dict[str, str]
) -> None:
    assert rules_between(make_registry, before, after) == [rule]


def test_every_rule_has_a_pair() -> None:
    tested = {p[0] for p in PAIRS} | {"CATEGORY_NO_DELETE", "CATEGORY_ADDED"}
    assert tested == {r.id for r in RULES}


def test_category_removed_and_added(make_registry: MakeRegistry) -> None:
    settings = yaml.safe_load((SPEC / "registry.yaml").read_text(encoding="utf-8"))
    settings["categories"]["quota"] = settings["categories"].pop("rate_limit")
    for table in ("status_table", "grpc_status"):
        settings[table] = [
            {**row, "category": "quota"} if row["category"] == "rate_limit" else row
            for row in settings[table]
        ]
    renamed = files(code(), **{"registry.yaml": yaml.safe_dump(settings, sort_keys=False)})
    assert rules_between(make_registry, files(code()), renamed) == [
        "STATUS_RULE_CHANGED",  # 429 now maps to the renamed category
        "STATUS_RULE_CHANGED",  # and so does gRPC's ResourceExhausted
        "CATEGORY_NO_DELETE",
        "CATEGORY_ADDED",
    ]


def test_category_default_change_reaches_every_code(make_registry: MakeRegistry) -> None:
    text = (SPEC / "registry.yaml").read_text(encoding="utf-8")
    flipped = text.replace(
        "    severity: info\n    retryable: false\n    http_status: 400",
        "    severity: info\n    retryable: true\n    http_status: 400",
        1,
    )
    assert flipped != text
    after = files(code(), code(1002, name="empty_scope"), **{"registry.yaml": flipped})
    before = files(code(), code(1002, name="empty_scope"))
    assert rules_between(make_registry, before, after) == ["CODE_RETRYABLE_CHANGED"] * 2


def test_identical_registries_have_no_change(make_registry: MakeRegistry) -> None:
    assert rules_between(make_registry, files(code(), SECOND), files(code(), SECOND)) == []


def test_bump_and_reason(make_registry: MakeRegistry) -> None:
    previous = make_registry(files(code(), SECOND))
    current = make_registry(files(code(message="scope is invalid"), code(1002, name="empty")))
    report = check_compat(current, str(previous))
    assert report.bump == "major"
    assert report.suggested_version == "2.0.0"
    assert report.reason == "1 breaking change(s): CODE_NO_DELETE (1)"
    minor = check_compat(make_registry(files(code(), SECOND)), str(make_registry(files(code()))))
    assert (minor.bump, minor.suggested_version) == ("minor", "1.1.0")
    assert [next_version("1.4.2", b) for b in ("major", "minor", "patch", None)] == [
        "2.0.0",
        "1.5.0",
        "1.4.3",
        "1.4.2",
    ]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose HEAD holds a copy of the project's registry."""
    root = tmp_path / "repo"
    shutil.copytree(SPEC, root / "spec", ignore=shutil.ignore_patterns("openapi", "bootstrap"))
    git(root, "init", "-q")
    git(root, "add", "spec")
    git(root, "commit", "-q", "-m", "registry")
    return root


def test_unchanged_registry_against_head_exits_0(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["compat", "--spec", str(repo / "spec"), "--against", "HEAD"], capsys)
    assert status == 0
    assert "0 breaking, 0 minor, 0 patch change(s)" in out
    assert "suggested bump: none" in out


def test_deleted_code_against_head_names_the_rule(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = repo / "spec" / "modules" / "veid.yaml"
    text = module.read_text(encoding="utf-8")
    start = text.index("- number: 1001\n")
    module.write_text(text[:start] + text[text.index("- number: 1002\n") :], encoding="utf-8")
    status, out, _ = run(["compat", "--spec", str(repo / "spec"), "--against", "HEAD"], capsys)
    assert status == 1
    assert "BREAKING  CODE_NO_DELETE" in out
    assert "veid:1001 invalid_scope was deleted" in out
    assert "suggested bump: major (1.0.0 -> 2.0.0)" in out
    status, out, _ = run(
        ["compat", "--spec", str(repo / "spec"), "--against", "HEAD", "--format", "json"], capsys
    )
    body = json.loads(out)
    assert status == 1
    assert body["breaking"] is True
    assert body["bump"] == "major"
    assert body["changes"] == [
        {
            "rule": "CODE_NO_DELETE",
            "bump": "major",
            "breaking": True,
            "subject": "veid:1001",
            "message": "veid:1001 invalid_scope was deleted; mark it deprecated "
            "(with replaced_by) instead",
        }
    ]


def test_against_a_folder(make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]) -> None:
    previous = make_registry(files(code()))
    current = make_registry(files(code(), SECOND))
    status, out, _ = run(
        ["compat", "--spec", str(current), "--against", str(previous / "registry.yaml")], capsys
    )
    assert status == 0
    assert "minor     CODE_ADDED" in out
    assert "suggested bump: minor (1.0.0 -> 1.1.0)" in out


def test_unknown_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        ["compat", "--spec", str(repo / "spec"), "--against", "no-such-branch"], capsys
    )
    assert (status, out) == (2, "")
    assert err == "error: unknown git revision 'no-such-branch' (and no such file or folder)\n"


def test_revision_outside_a_repository(
    make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = make_registry(files(code()))
    status, _, err = run(["compat", "--spec", str(spec), "--against", "HEAD"], capsys)
    assert status == 2
    assert err == f"error: 'HEAD' is not a file or folder, and {spec} is not in a git repository\n"


def test_revision_without_the_registry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "README").write_text("first\n", encoding="utf-8")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "readme")
    git(repo, "rm", "-q", "-r", "spec")
    git(repo, "commit", "-q", "-m", "drop")
    shutil.copytree(SPEC, repo / "spec", ignore=shutil.ignore_patterns("openapi", "bootstrap"))
    status, _, err = run(["compat", "--spec", str(repo / "spec"), "--against", "HEAD"], capsys)
    assert status == 2
    assert err == "error: revision 'HEAD' has no spec/ folder\n"


def test_folder_without_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["compat", "--spec", str(SPEC), "--against", str(tmp_path)], capsys)
    assert status == 2
    assert err == f"error: {tmp_path} holds no registry.yaml (nor spec/registry.yaml)\n"


def test_malformed_previous_registry(
    make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = make_registry({"modules/veid.yaml": "name: veid\ndescription: x\ncodes: [\n"})
    status, _, err = run(["compat", "--spec", str(SPEC), "--against", str(broken)], capsys)
    assert status == 2
    assert "modules/veid.yaml:4:1: YAML syntax error" in err
    assert err.endswith("1 problem(s); nothing was written\n")


def test_malformed_registry_in_the_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = repo / "spec" / "modules" / "veid.yaml"
    good = module.read_text(encoding="utf-8")
    module.write_text(good.replace("name: veid", "name: veid\nowner: nobody", 1), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    module.write_text(good, encoding="utf-8")
    status, _, err = run(["compat", "--spec", str(repo / "spec"), "--against", "HEAD"], capsys)
    assert status == 2
    assert err.splitlines()[0] == "HEAD:spec/modules/veid.yaml:2:1: owner: unknown field"


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["compat", "--list-rules"], capsys)
    assert status == 0
    assert out.splitlines()[0].split()[:2] == ["CODE_NO_DELETE", "major"]
    assert len(out.splitlines()) == len(RULES)
