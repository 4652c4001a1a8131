"""One direction of imports: command line -> runners (suites, judge, report) -> sandbox (engine).

The engine must be importable, typed and installable alone: nothing under ``sandbox/`` may
import ``runners``, not even lazily inside a function.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "sandbox"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_engine_module_imports_runners() -> None:
    offenders = {
        str(path.relative_to(ENGINE.parent)): sorted(
            m for m in _imported_modules(path) if m == "runners" or m.startswith("runners.")
        )
        for path in sorted(ENGINE.rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


BLOCKED_IMPORT = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "runners" or name.startswith("runners."):
            raise ImportError(f"the engine imported {name}")
        return None
sys.meta_path.insert(0, Block())
import sandbox
for info in pkgutil.walk_packages(sandbox.__path__, "sandbox."):
    importlib.import_module(info.name)
print("ok")
"""


def test_every_engine_module_imports_with_runners_absent() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORT],
        cwd=ENGINE.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
