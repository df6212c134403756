"""The cross-language comparison itself, on scripted runners."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from compare import disagreements, main, run_runner, same


def _fake_runner(
    tmp_path: Path, name: str, cases: list[dict[str, object]], exit_code: int = 0
) -> str:
    script = tmp_path / f"{name}.py"
    lines = [json.dumps(case) for case in cases]
    passed = sum(1 for case in cases if case["pass"])
    lines.append(f"{passed} passed, {len(cases) - passed} failed")
    script.write_text(f"import sys\nprint({chr(10).join(lines)!r})\nsys.exit({exit_code})\n")
    return f"{name}={sys.executable} {script}"


def _case(case_id: str, **got: object) -> dict[str, object]:
    return {"id": case_id, "pass": True, "got": got, "why": ""}


def test_numbers_compare_within_tolerance_and_booleans_strictly() -> None:
    assert same(250, 250.0)
    assert same([1234.5], [1234.5004])
    assert not same(250, 251)
    assert not same(True, 1)
    assert not same({"a": 1}, {"a": 1, "b": None})


def test_agreeing_runners_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [_case("a", attempts=1), _case("b", attempts=2.0)]
    twin = [_case("a", attempts=1.0), _case("b", attempts=2)]
    assert (
        main(
            [
                "--runner",
                _fake_runner(tmp_path, "x", cases),
                "--runner",
                _fake_runner(tmp_path, "y", twin),
                "f",
            ]
        )
        == 0
    )
    assert "agree on every case" in capsys.readouterr().out


def test_a_disagreement_is_named_by_case_and_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    left = [_case("retry/gate/x", attempts=1, outcome="error")]
    right = [_case("retry/gate/x", attempts=2, outcome="error")]
    status = main(
        [
            "--runner",
            _fake_runner(tmp_path, "x", left),
            "--runner",
            _fake_runner(tmp_path, "y", right),
            "f",
        ]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert "1 disagreement(s)" in out
    row = next(line for line in out.splitlines() if line.startswith("retry/gate/x"))
    assert "attempts" in row and "1" in row and "2" in row


def test_a_failed_case_or_crashed_runner_fails(tmp_path: Path) -> None:
    failing = [{"id": "a", "pass": False, "got": {}, "why": "expected 1"}]
    assert main(["--runner", _fake_runner(tmp_path, "x", failing, exit_code=1), "f"]) == 1
    assert main(["--runner", _fake_runner(tmp_path, "y", [], exit_code=2), "f"]) == 1


def test_a_case_missing_from_one_language_is_reported(tmp_path: Path) -> None:
    x = run_runner(
        "x", [sys.executable, "-c", 'print(\'{"id": "a", "pass": true, "got": {}}\')'], []
    )
    y = run_runner("y", [sys.executable, "-c", "print('0 passed, 0 failed')"], [])
    assert disagreements([x, y]) == [("a", "(case)", ["ran", "missing"])]
