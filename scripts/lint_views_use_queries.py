#!/usr/bin/env python3
"""Views and template tags take people and records only from `queries` modules.

A page module that starts from `Model.objects` can show anyone's record: the scoping by the
user's sites or organisation, and the 404 for anyone outside it, live in each app's
`queries.py` (`referrals_for(user)`, `referral_for(user, pk, permission)` and friends), and
changes go through `actions.py`. This check reads the page modules under the given directories
(`linkwork/` by default) with `ast` and fails on:

- any manager reached from a name: `Referral.objects`, `models.Site.objects`,
  `Goal._default_manager` (whatever follows: `.filter(...)`, `.create(...)`, ...);
- `get_object_or_404` or `get_list_or_404` given a bare model class (`get_object_or_404(Site,
  pk=pk)`): a capitalised name, like a class, as the first argument.

Related managers (`referral.goals.filter(...)`) and querysets from a `queries` function
(`get_object_or_404(referrals_for(user), pk=pk)`) pass: they start from something already scoped.

Page modules are: `views.py`, `*_views.py`, every module in a `views/` package, every module
under `templatetags/`, and `panels.py` and `alerts.py` (sections and alerts rendered into
pages).

Usage: python scripts/lint_views_use_queries.py [DIRECTORY ...]
Prints each finding as `path:line:column: message: expression` and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRECTORIES = ("linkwork",)

MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})
PAGE_MODULE_NAMES = frozenset({"views.py", "panels.py", "alerts.py"})
PAGE_PACKAGES = frozenset({"views", "templatetags"})

# Page modules not checked yet, relative to the repository root, each with the reason. Every
# entry is temporary: move its reads into `queries.py` (and its writes into `actions.py`), then
# delete the entry.
ALLOWLIST: dict[str, str] = {}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    message: str
    expression: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}: {self.expression}"


def is_page_module(path: Path) -> bool:
    """Whether the module renders pages or parts of them (see the module docstring)."""
    name = path.name
    if name in PAGE_MODULE_NAMES or name.endswith("_views.py"):
        return True
    return any(part in PAGE_PACKAGES for part in path.parts[:-1])


def page_modules(directories: Iterable[Path]) -> Iterator[Path]:
    for directory in directories:
        candidates = [directory] if directory.is_file() else sorted(directory.rglob("*.py"))
        for path in candidates:
            if "__pycache__" in path.parts or "migrations" in path.parts:
                continue
            if is_page_module(path):
                yield path


def _dotted_name(node: ast.expr) -> bool:
    """`Name` or `a.b.Name`: something named, not a call's result or a subscript."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _last_name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _looks_like_a_class(node: ast.expr) -> bool:
    """A bare `Site` or `models.Site`: named, and capitalised as classes are."""
    return _dotted_name(node) and _last_name(node)[:1].isupper()


def _manager_in(node: ast.expr) -> ast.Attribute | None:
    """The `Model.objects` a chain like `Model.objects.select_related(...).filter(...)` starts
    from, if it starts from one."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in MANAGERS and _dotted_name(node.value):
                return node
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return None


class _Checker(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.findings: list[Finding] = []
        # The shortcuts by the names this module calls them (`import ... as` included).
        self.shortcuts = {name: name for name in SHORTCUTS}
        self.reported: set[int] = set()  # managers already reported as a shortcut's argument

    def _add(self, node: ast.AST, message: str, expression: ast.AST) -> None:
        self.findings.append(
            Finding(self.path, node.lineno, node.col_offset + 1, message, ast.unparse(expression))
        )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name in SHORTCUTS and alias.asname:
                self.shortcuts[alias.asname] = alias.name
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        shortcut = self.shortcuts.get(_last_name(node.func))
        if shortcut and node.args:
            first = node.args[0]
            manager = _manager_in(first)
            if manager is not None:
                self.reported.add(id(manager))
                self._add(node, f"{shortcut} on a model's manager", first)
            elif _looks_like_a_class(first):
                self._add(node, f"{shortcut} on a bare model class", first)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MANAGERS and _dotted_name(node.value) and id(node) not in self.reported:
            self._add(node, "a model's manager used directly", node)
        self.generic_visit(node)


def check_source(source: str, path: str) -> list[Finding]:
    checker = _Checker(path)
    checker.visit(ast.parse(source, filename=path))
    return checker.findings


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def check(directories: Iterable[Path]) -> tuple[list[Finding], list[str]]:
    """The findings, and the allowlisted modules that were skipped."""
    findings: list[Finding] = []
    skipped: list[str] = []
    for path in page_modules(directories):
        shown = _shown(path)
        if shown in ALLOWLIST:
            skipped.append(shown)
            continue
        findings.extend(check_source(path.read_text(encoding="utf-8"), shown))
    return sorted(findings), skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fail on page modules (views, template tags, panels, alerts) that read "
        "models directly instead of through a queries module."
    )
    parser.add_argument(
        "directories",
        nargs="*",
        type=Path,
        help="directories (or files) to check; default: linkwork/ in the repository",
    )
    args = parser.parse_args(argv)
    directories = args.directories or [REPO_ROOT / d for d in DEFAULT_DIRECTORIES]
    missing = [d for d in directories if not d.exists()]
    if missing:
        print(f"error: no such directory: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    findings, skipped = check(directories)
    for shown in skipped:
        print(f"note: not checked yet (temporary allowlist): {shown}: {ALLOWLIST[shown]}")
    if not args.directories:
        for shown in sorted(set(ALLOWLIST) - set(skipped)):
            if not (REPO_ROOT / shown).exists():
                print(
                    f"note: {shown} is gone: remove it from ALLOWLIST in {_shown(Path(__file__))}"
                )
    for finding in findings:
        print(finding)
    if findings:
        print(
            f"\n{len(findings)} direct model use(s) in views, template tags, panels or alerts. "
            "Take people and records from the app's queries.py (scoped to the user), and make "
            "changes through its actions.py. See docs/developer/architecture.md.",
            file=sys.stderr,
        )
        return 1
    print("Views, template tags, panels and alerts take their records from queries modules.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
