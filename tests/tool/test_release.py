"""``errcodegen release-check``: the version bump gate and the changelog section."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import SPEC
from .test_compat import git, run

NEW_CODE = (
    "- number: 3210\n  name: brand_new_blob\n  message: blob not found\n  category: not_found\n"
)


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A repository whose HEAD, tagged v1.0.0, holds a copy of the project's registry."""
    root = tmp_path / "repo"
    shutil.copytree(SPEC, root / "spec", ignore=shutil.ignore_patterns("openapi"))
    git(root, "init", "-q")
    git(root, "add", "spec")
    git(root, "commit", "-q", "-m", "registry")
    git(root, "tag", "v1.0.0")
    return root


def set_version(repo: Path, version: str) -> None:
    settings = repo / "spec" / "registry.yaml"
    settings.write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", settings.read_text()))


def add_code(repo: Path) -> None:
    module = repo / "spec" / "modules" / "artifact_store.yaml"
    module.write_text(module.read_text().replace("codes:\n", f"codes:\n{NEW_CODE}", 1))


def delete_code(repo: Path, number: int) -> None:
    module = repo / "spec" / "modules" / "veid.yaml"
    text = module.read_text()
    entry = re.search(rf"(?ms)^- number: {number}\n.*?(?=^- number: )", text)
    assert entry is not None
    module.write_text(text.replace(entry.group(0), ""))


def release_check(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    argv = ["release-check", "--spec", str(repo / "spec"), "--date", "2026-11-29", *extra]
    status, out, err = run(argv, capsys)
    return status, out + err


def test_first_release_has_no_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SPEC, root / "spec", ignore=shutil.ignore_patterns("openapi"))
    git(root, "init", "-q")
    changelog = root / "CHANGELOG.md"
    status, out = release_check(root, capsys, "--changelog", str(changelog))
    assert status == 0
    assert "is the first release" in out
    assert changelog.read_text() == "# Changelog\n\n## 1.0.0 (2026-11-29)\n\nFirst release.\n"


def test_added_code_without_a_bump_is_refused(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_code(released)
    changelog = released / "CHANGELOG.md"
    status, out = release_check(released, capsys, "--changelog", str(changelog))
    assert status == 1
    assert "release refused: version 1.0.0 is a no bump from 1.0.0" in out
    assert "need a minor bump" in out and "set version: 1.1.0" in out
    assert not changelog.exists()


def test_patch_bump_is_too_small_for_an_added_code(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_code(released)
    set_version(released, "1.0.1")
    status, out = release_check(released, capsys)
    assert status == 1
    assert "is a patch bump from 1.0.0, but the changes need a minor bump" in out


def test_minor_bump_writes_the_changelog_section(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_code(released)
    set_version(released, "1.1.0")
    changelog = released / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## 1.0.0 (2026-11-01)\n\nFirst release.\n")
    status, out = release_check(released, capsys, "--changelog", str(changelog))
    assert status == 0, out
    text = changelog.read_text()
    assert text.startswith("# Changelog\n\n## 1.1.0 (2026-11-29)\n\nCompared with v1.0.0")
    assert "### Codes added\n\n- `CODE_ADDED` artifact_store:3210 brand_new_blob was added" in text
    assert text.endswith("## 1.0.0 (2026-11-01)\n\nFirst release.\n")
    # Running it again replaces the section instead of adding a second one.
    assert release_check(released, capsys, "--changelog", str(changelog))[0] == 0
    assert changelog.read_text() == text


def test_deleting_a_code_needs_a_major_bump(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    delete_code(released, 1001)
    set_version(released, "1.1.0")
    status, out = release_check(released, capsys)
    assert status == 1
    assert "need a major bump" in out and "CODE_NO_DELETE" in out
    set_version(released, "2.0.0")
    changelog = released / "CHANGELOG.md"
    assert release_check(released, capsys, "--changelog", str(changelog))[0] == 0
    assert "### Breaking changes\n\n- `CODE_NO_DELETE` veid:1001" in changelog.read_text()


def test_a_lower_version_is_refused(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_version(released, "0.9.0")
    status, out = release_check(released, capsys)
    assert status == 1
    assert "version 0.9.0 is lower than the previous release's 1.0.0" in out


def test_the_newest_release_tag_is_the_default(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_version(released, "1.1.0")
    git(released, "commit", "-q", "-am", "1.1.0")
    git(released, "tag", "v1.1.0")
    git(released, "tag", "v1.0.9")  # a later tag with a smaller version is not the newest
    status, out = release_check(released, capsys)
    assert status == 0
    assert "release 1.1.0 against v1.1.0: no change a client can observe" in out


def test_a_registry_with_lint_errors_is_refused(
    released: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = released / "spec" / "modules" / "artifact_store.yaml"
    module.write_text(module.read_text().replace("codes:\n", f"codes:\n{NEW_CODE}{NEW_CODE}", 1))
    status, out = release_check(released, capsys)
    assert status == 2
    assert "DUPLICATE_CODE" in out
