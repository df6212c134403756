"""Command line: ``errcodegen <command>`` (also ``python -m errcodegen``).

Exit status: 0 success; 1 a check found differences (stale files, a breaking change,
drift between Go source and the registry, an unknown code, a release whose version
bump is too small); 2 the registry is invalid
or has lint errors, or an input (git revision, Go file) cannot be read (nothing
written); 3 a target failed (nothing written).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from errcodegen.compat import SourceError, check_compat, release, rules_text
from errcodegen.explain import explain_code
from errcodegen.goimport import GoSourceError, ImportPlan, drift, import_go, lint_hint
from errcodegen.ir.build import build_ir
from errcodegen.lint import LintReport, lint_registry
from errcodegen.lint.rules import RULES_BY_ID
from errcodegen.openapi_merge import add_openapi_commands
from errcodegen.pipeline import LintFailed, TargetFailed, generate
from errcodegen.registry import RegistryError, load_registry
from errcodegen.registry.load import EXCEPTIONS_FILE
from errcodegen.targets import all_targets

EXIT_DIFFERENCES = 1
EXIT_INVALID = 2
EXIT_TARGET_FAILED = 3


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result: int = args.handler(args)
        return result
    except RegistryError as exc:
        _report_problems([str(p) for p in exc.problems])
        return EXIT_INVALID
    except LintFailed as exc:
        _report_problems([str(f) for f in exc.report.errors])
        return EXIT_INVALID
    except TargetFailed as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_TARGET_FAILED
    except BrokenPipeError:  # `errcodegen lint | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (SourceError, GoSourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


def _report_problems(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)
    print(f"{len(lines)} problem(s); nothing was written", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="errcodegen", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="command")

    gen = commands.add_parser("generate", help="validate, lint and regenerate every output")
    _common(gen)
    gen.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        help="repository root the outputs are written under (default: .)",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any generated file is out of date",
    )
    gen.add_argument(
        "--only",
        action="append",
        metavar="TARGET",
        choices=[t.name for t in all_targets()],
        help="render only this target (repeatable); default: all",
    )
    gen.set_defaults(handler=_generate)

    lint = commands.add_parser("lint", help="validate and lint the registry")
    _common(lint)
    lint.add_argument("--errors-only", action="store_true", help="list only error findings")
    lint.add_argument(
        "--write-exceptions",
        action="store_true",
        help=f"record every current error as a deployed exception in {EXCEPTIONS_FILE}",
    )
    lint.set_defaults(handler=_lint)
    _add_lifecycle_commands(commands)
    return parser


def _add_lifecycle_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    compat = commands.add_parser(
        "compat", help="check the registry against an earlier one for breaking changes"
    )
    _common(compat)
    compat.add_argument(
        "--against",
        metavar="REF_OR_PATH",
        help="a git revision (e.g. HEAD, v1.2.0) or a registry folder / registry.yaml",
    )
    compat.add_argument("--format", choices=["text", "json"], default="text")
    compat.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    compat.set_defaults(handler=_compat)

    releaser = commands.add_parser(
        "release-check",
        help="refuse a version bump smaller than the changes since the last release need",
    )
    _common(releaser)
    releaser.add_argument(
        "--against",
        metavar="REF_OR_PATH",
        help="the previous release (default: the newest vX.Y.Z tag reachable from HEAD)",
    )
    releaser.add_argument(
        "--changelog", type=Path, metavar="FILE", help="write this release's section into FILE"
    )
    releaser.add_argument("--date", help="the release date for the changelog (YYYY-MM-DD)")
    releaser.set_defaults(handler=_release_check)

    importer = commands.add_parser(
        "import-go", help="merge the errors Go source registers into the registry"
    )
    _common(importer)
    importer.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Go files/folders")
    importer.set_defaults(handler=_import_go)

    drift_report = commands.add_parser(
        "drift", help="compare Go source with the registry; exit 1 when they disagree"
    )
    _common(drift_report)
    drift_report.add_argument(
        "--go-src",
        type=Path,
        action="append",
        required=True,
        metavar="PATH",
        help="a Go file or folder (repeatable)",
    )
    drift_report.add_argument("--format", choices=["text", "json"], default="text")
    drift_report.set_defaults(handler=_drift)

    explainer = commands.add_parser("explain", help="everything the registry knows about a code")
    _common(explainer)
    explainer.add_argument(
        "code", metavar="CODE", help="veid:1036, a log line, module:name, a Go symbol or a number"
    )
    explainer.add_argument("--format", choices=["text", "json"], default="text")
    explainer.set_defaults(handler=_explain)

    add_openapi_commands(commands, _common)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec", type=Path, default=Path("spec"), help="the registry folder (default: spec)"
    )


def _generate(args: argparse.Namespace) -> int:
    targets = [t for t in all_targets() if not args.only or t.name in args.only]
    run, changed = generate(args.spec, args.root, targets, check_only=args.check)
    warnings = len(run.report.findings)
    listed = " (errcodegen lint lists them)" if warnings else ""
    for path in changed:
        print(f"{'outdated' if args.check else 'wrote'} {path}")
    print(
        f"{len(run.ir.codes)} codes in {len(run.ir.modules)} modules; {warnings} lint "
        f"warnings{listed}; {len(changed)} file(s) {'out of date' if args.check else 'changed'}"
    )
    return EXIT_DIFFERENCES if args.check and changed else 0


def _compat(args: argparse.Namespace) -> int:
    if args.list_rules:
        print(rules_text())
        return 0
    if args.against is None:
        raise SourceError("compat needs --against REF_OR_PATH (or --list-rules)")
    report = check_compat(args.spec, args.against)
    print(report.to_json() if args.format == "json" else report.to_text())
    return EXIT_DIFFERENCES if report.breaking else 0


def _release_check(args: argparse.Namespace) -> int:
    lint = lint_registry(load_registry(args.spec))
    if lint.errors:
        for finding in lint.errors:
            print(finding, file=sys.stderr)
        return EXIT_INVALID
    date = args.date or datetime.date.today().isoformat()
    against = args.against or release.previous_release(args.spec.resolve().parent)
    if against is None:
        version = build_ir(load_registry(args.spec)).version
        print(f"no earlier release (no vX.Y.Z tag): {version} is the first release")
        section = release.first_release_section(version, date)
    else:
        report = check_compat(args.spec, against)
        refused = release.verdict(report).refused
        if refused:
            print(f"release refused: {refused}", file=sys.stderr)
            return EXIT_DIFFERENCES
        print(f"release {report.current_version} against {against}: {report.reason}")
        version, section = report.current_version, release.changelog_section(report, date)
    if args.changelog:
        release.update_changelog(args.changelog, version, section)
        print(f"wrote the {version} section of {args.changelog}")
    return 0


def _import_go(args: argparse.Namespace) -> int:
    plan, written = import_go(args.spec, args.paths)
    _print_plan(plan)
    for path in written:
        print(f"wrote {path}")
    hint = lint_hint(args.spec) if written else None
    if hint:
        print(hint)
    return 0


def _drift(args: argparse.Namespace) -> int:
    plan = drift(args.spec, args.go_src)
    if args.format == "json":
        print(plan.to_json())
    else:
        _print_plan(plan)
    return 0 if plan.in_sync else EXIT_DIFFERENCES


def _explain(args: argparse.Namespace) -> int:
    found, text = explain_code(args.spec, args.code, args.format == "json")
    print(text, file=sys.stdout if found or args.format == "json" else sys.stderr)
    return 0 if found else EXIT_DIFFERENCES


def _print_plan(plan: ImportPlan) -> None:
    for difference in plan.differences:
        print(difference)
    print(plan.summary())


def _lint(args: argparse.Namespace) -> int:
    registry = load_registry(args.spec)
    report = lint_registry(registry)
    if args.write_exceptions:
        _write_exceptions(args.spec / EXCEPTIONS_FILE, registry.exceptions.exceptions, report)
        report = lint_registry(load_registry(args.spec))
    for finding in report.findings:
        if finding.level == "error" or not args.errors_only:
            print(finding)
    print()
    print(report.summary())
    return EXIT_INVALID if report.errors else 0


def _write_exceptions(path: Path, current: dict[str, list[str]], report: LintReport) -> None:
    merged = {rule: set(subjects) for rule, subjects in current.items()}
    for finding in report.errors:
        if not RULES_BY_ID[finding.rule].fixed:
            merged.setdefault(finding.rule, set()).add(finding.subject)
    body = {rule: sorted(subjects, key=_subject_order) for rule, subjects in sorted(merged.items())}
    header = (
        "# Deployed violations of lint rules: codes already in production cannot be renumbered.\n"
        "# Each is reported as a warning instead of an error. Never add a new code here: fix it.\n"
        "# Written by `errcodegen lint --write-exceptions`.\n"
    )
    text = yaml.safe_dump({"exceptions": body}, sort_keys=False, width=100, default_flow_style=None)
    path.write_text(header + text, encoding="utf-8")


def _subject_order(subject: str) -> tuple[str, int]:
    module, _, number = subject.rpartition(":")
    return (module, int(number)) if module and number.isdigit() else (subject, -1)


if __name__ == "__main__":
    raise SystemExit(main())
