"""Mutation testing over deskguard/core: do the tests catch a broken core?

Each mutant is one small change to one line (a comparison flipped or loosened, a
constant nudged, min/max swapped, and/or swapped, a returned value or condition
negated). The core's own tests (tests/core, plain pytest, no Qt) run against each
mutant in a copy of the tree; a mutant is *killed* when they fail. Survivors are
printed with their line so a test can be written for them, unless they are listed
below in EQUIVALENT with the reason they cannot change behaviour.

    python benchmarks/mutate_core.py                 # planner, stats, programme, session
    python benchmarks/mutate_core.py core/planner.py --limit 40

Prints killed/total per module. Exit status 0; this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODULES = ("core/planner.py", "core/stats.py", "core/programme.py")

SWAPS: dict[type[ast.AST], type[ast.AST]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.And: ast.Or,
    ast.Or: ast.And,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}

# (module, line text stripped, mutation) -> why the mutant cannot change behaviour.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    (
        "core/session.py",
        "for ahead in range(REST_DAYS_BETWEEN + 1, REST_DAYS_BETWEEN + 8):",
        "+1",
    ): "seven consecutive days already visit every weekday; an eighth finds none earlier",
    ("core/planner.py", "for offset in range(15):", "+1"): (
        "working days repeat weekly: a window exists within 7 days or never"
    ),
    ("core/planner.py", "if end <= base:", "op LtE"): (
        "when end == base, base + interval > end fails the next test for that day anyway"
    ),
    ("core/planner.py", "if fresh is not None and self.next_due > fresh:", "op Gt"): (
        "when equal, next_due is set to the same value and now < next_due holds anyway"
    ),
    ("core/export.py", "if TYPE_CHECKING:", "negate condition"): (
        "type-only imports: importing them at run time as well changes no behaviour"
    ),
    ("core/planner.py", "for offset in range(1, 8):", "+1"): (
        "offsets 1-7 visit every weekday; an eighth adds none, and no working day falls back"
    ),
    ("core/stats.py", "if hi <= lo:", "op LtE"): (
        "when hi == lo every gap the loop can measure is <= 0, so best stays 0 and 0.0 returns"
    ),
    ("core/stats.py", "if end <= cursor:", "op LtE"): (
        "a rest ending at the cursor (cursor < hi there) leaves cursor and best as they were"
    ),
    ("core/stats.py", "if start >= hi:", "op GtE"): (
        "a rest starting at hi adds the gap hi - cursor, the same the tail check adds after it"
    ),
    ("core/stats.py", "if start > cursor:", "op Gt"): (
        "when start == cursor the gap is 0 and max(best, 0) changes nothing"
    ),
    ("core/stats.py", "if cursor >= hi:", "op GtE"): (
        "with cursor == hi no later rest can add a gap (they start >= hi or end past it)"
    ),
    ("core/stats.py", "if cursor < hi:", "op Lt"): (
        "when cursor == hi the tail gap is 0 and max(best, 0) changes nothing"
    ),
    (
        "core/stats.py",
        "cuts += [(start, end or hi) for start, end in pauses if start < hi]",
        "op Lt",
    ): "a pause starting at hi also starts >= longest_sitting's hi, which skips it anyway",
    (
        "core/stats.py",
        "span[0], span[1] = min(span[0], trail.first), max(span[1], trail.last)",
        "0->1",
    ): "(target span[0] -> span[1]) trails come in time order: span[0] is already the min",
    ("core/programme.py", "paused = False", "not bool"): (
        "status's starting value: unread if no STARTED comes, and STARTED resets it to False"
    ),
}


def code_of(line: str) -> str:
    """A line without its trailing comment: keys match the code, whatever the comment."""
    return line.split("  #", 1)[0].strip()


EQUIVALENT_CODE = {(m, code_of(text), what) for (m, text, what) in EQUIVALENT}


@dataclass(frozen=True)
class Mutant:
    module: str
    lineno: int
    what: str
    source: str


class _Collector(ast.NodeVisitor):
    def __init__(self) -> None:
        self.sites: list[tuple[ast.AST, str]] = []
        self._docstrings: set[int] = set()

    def generic_visit(self, node: ast.AST) -> None:
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            self._docstrings.add(id(first.value))
        for op_holder in (ast.Compare, ast.BoolOp, ast.BinOp):
            if isinstance(node, op_holder):
                self.sites.append((node, "op"))
        is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if is_call and node.func.id in ("min", "max"):  # type: ignore[attr-defined]
            self.sites.append((node, "minmax"))
        if (
            isinstance(node, ast.Constant)
            and id(node) not in self._docstrings
            and isinstance(node.value, bool | int | float)
        ):
            self.sites.append((node, "const"))
        if isinstance(node, ast.If | ast.While):
            self.sites.append((node, "negate"))
        super().generic_visit(node)


def mutants_of(module: str, tree: Path = ROOT) -> list[Mutant]:
    # From the copy taken at the start, never the live tree: an edit made there while
    # the run goes on must not leak into the mutants (it once broke every one of them).
    path = tree / "deskguard" / module
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    collector = _Collector()
    collector.visit(tree)
    found: list[Mutant] = []
    for index, (node, kind) in enumerate(collector.sites):
        for what in _variants(node, kind):
            mutated = ast.parse(text)
            target = _Collector()
            target.visit(mutated)
            node2, _ = target.sites[index]
            if not _apply(node2, kind, what):
                continue
            source = ast.unparse(mutated)
            found.append(Mutant(module, getattr(node, "lineno", 0), what, source))
    return found


def _variants(node: ast.AST, kind: str) -> list[str]:
    if kind == "op":
        ops = getattr(node, "ops", None) or [getattr(node, "op", None)]
        return [f"op {type(ops[0]).__name__}"] if type(ops[0]) in SWAPS else []
    if kind == "minmax":
        return ["min<->max"]
    if kind == "const":
        value = node.value  # type: ignore[attr-defined]
        if isinstance(value, bool):
            return ["not bool"]
        return ["+1"] if value != 0 else ["0->1"]
    if kind == "negate":
        return ["negate condition"]
    return []


def _apply(node: ast.AST, kind: str, what: str) -> bool:
    if kind == "op":
        if isinstance(node, ast.Compare):
            node.ops[0] = SWAPS[type(node.ops[0])]()
        else:
            node.op = SWAPS[type(node.op)]()  # type: ignore[attr-defined]
        return True
    if kind == "minmax":
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        node.func.id = "max" if node.func.id == "min" else "min"
        return True
    if kind == "const":
        assert isinstance(node, ast.Constant)
        if isinstance(node.value, bool):
            node.value = not node.value
        else:
            node.value = node.value + 1
        return True
    if kind == "negate":
        assert isinstance(node, ast.If | ast.While)
        node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        return True
    return False


def run_tests(tree: Path) -> bool:
    """True when the core tests pass (the mutant survived)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "tests/core"],
        cwd=tree,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=list(DEFAULT_MODULES))
    parser.add_argument("--limit", type=int, default=0, help="a random sample per module")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="deskguard-mutants-") as tmp:
        tree = Path(tmp)
        shutil.copytree(ROOT / "deskguard", tree / "deskguard")
        shutil.copytree(ROOT / "tests", tree / "tests")
        shutil.copytree(ROOT / "resources", tree / "resources")
        shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
        if not run_tests(tree):
            print("the core tests fail without any mutant: fix them first")
            return 1
        report: list[str] = []
        for module in args.modules:
            mutants = mutants_of(module, tree)
            if args.limit:
                mutants = random.Random(args.seed).sample(mutants, min(args.limit, len(mutants)))
            target = tree / "deskguard" / module
            original = target.read_text(encoding="utf-8")
            lines = original.splitlines()
            killed, survivors, equivalent = 0, [], 0
            started = time.monotonic()
            for m in mutants:
                target.write_text(m.source, encoding="utf-8")
                try:
                    survived = run_tests(tree)
                finally:
                    target.write_text(original, encoding="utf-8")
                line = lines[m.lineno - 1].strip() if 0 < m.lineno <= len(lines) else ""
                if not survived:
                    killed += 1
                elif (module, code_of(line), m.what) in EQUIVALENT_CODE:
                    equivalent += 1
                else:
                    survivors.append(f"  {module}:{m.lineno} [{m.what}] {line}")
            report.append(
                f"{module}: {killed}/{len(mutants)} killed, {equivalent} equivalent, "
                f"{len(survivors)} alive ({time.monotonic() - started:.0f} s)"
            )
            print(report[-1], flush=True)
            for s in survivors:
                print(s, flush=True)
        print("\n".join(["", "summary:", *report]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
