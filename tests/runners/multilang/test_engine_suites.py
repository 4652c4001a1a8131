"""McEval / MultiPL-E and the self-test on the real engine, with the python image
(``sandbox images build --lang python``): canonical solutions pass, wrong ones never do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.executor import LocalExecutor
from tests.runners.helpers import CountingExecutor, run_program_suite

pytestmark = pytest.mark.docker

REPO = Path(__file__).resolve().parents[3]
WRONG_BODIES = {
    "returns None": "    return None\n",
    "raises": "    raise NotImplementedError('deliberately wrong')\n",
    "loops": "    while True:\n        pass\n",
    "exits 0 early": "    import sys\n    sys.exit(0)\n",
    "kills itself with 0": "    import os\n    os._exit(0)\n",
}


def _sandbox(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from runners.cli.main import run_app; run_app()", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})}
    )


def _write_samples(path: Path, task_ids: list[str], body: str, language: str = "python") -> Path:
    with path.open("w") as handle:
        for task_id in task_ids:
            record = {"task_id": task_id, "language": language, "completion": body}
            handle.write(json.dumps(record) + "\n")
    return path


def test_mceval_python_canonical_solutions_pass(tmp_path: Path, data_dir: Path) -> None:
    args = {"languages": ("python",), "output": tmp_path, "data_dir": data_dir, "limit": 6}
    summary = run_program_suite("mceval", **args)
    metrics = summary.details["languages"]["python"]
    assert (metrics["samples"], metrics["passed"]) == (6, 6), metrics["unexpected_failure_tasks"]
    assert summary.provenance["images"]["python"]["image_id"].startswith("sha256:")
    records = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert all(r["status"] == "passed" and r["result"]["status"] == "ok" for r in records)
    assert all(r["request"]["image"] == "sandbox-lang-python:latest" for r in records)

    with LocalExecutor(workers=1) as real:
        counting = CountingExecutor(real)
        run_program_suite("mceval", executor=counting, **args)
    assert counting.ran == 0  # resumed: nothing ran twice
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 6


@pytest.mark.parametrize("kind", sorted(WRONG_BODIES))
def test_wrong_python_completions_fail(tmp_path: Path, data_dir: Path, kind: str) -> None:
    task_ids = [f"Python/{n}" for n in (1, 2, 3, 4, 35)]  # 35 uses unittest.main()
    samples = _write_samples(tmp_path / "wrong.jsonl", task_ids, WRONG_BODIES[kind])
    summary = run_program_suite(
        "mceval", samples=samples, output=tmp_path / "out", data_dir=data_dir, timeout_s=3.0
    )
    metrics = summary.details["languages"]["python"]
    assert metrics["samples"] == 5
    assert metrics["passed"] == 0
    assert metrics["pass_at_k"] == {"pass@1": 0.0}
    if kind == "loops":
        assert metrics["timeouts"] == 5


def test_multipl_e_python_passes_canonical_and_fails_wrong(tmp_path: Path, data_dir: Path) -> None:
    canonical = run_program_suite(
        "multipl-e", languages=("python",), output=tmp_path / "c", data_dir=data_dir, limit=5
    )
    assert canonical.details["languages"]["python"]["passed"] == 5
    samples = _write_samples(
        tmp_path / "w.jsonl", [f"Python/{n}" for n in range(5)], WRONG_BODIES["returns None"]
    )
    wrong = run_program_suite(
        "multipl-e", samples=samples, output=tmp_path / "w", data_dir=data_dir
    ).details["languages"]["python"]
    assert (wrong["samples"], wrong["passed"]) == (5, 0)


def _python_copy(tmp_path: Path) -> Path:
    """A languages/ folder holding only a copy of python (same id, so the same image)."""
    root = tmp_path / "languages"
    shutil.copytree(REPO / "languages" / "python", root / "python")
    return root


def test_cli_self_validation_exit_codes(tmp_path: Path, data_dir: Path) -> None:
    ok = _sandbox(
        "run", "--lang", "python", "--limit", "3", "--json", "--output", str(tmp_path / "a")
    )
    assert ok.returncode == 0, ok.stderr
    summary = json.loads(ok.stdout)
    assert (summary["kind"], summary["name"]) == ("suite", "mceval")
    assert summary["details"]["mode"] == "canonical"
    assert summary["details"]["languages"]["python"]["passed"] == 3

    root = _python_copy(tmp_path)
    toml = root / "python" / "language.toml"
    text = toml.read_text()
    assert "\n{test}\n" in text  # the [suites.mceval] template comes first
    toml.write_text(text.replace("\n{test}\n", "\n{test}\nraise SystemExit(3)\n", 1))
    broken = _sandbox(
        "run", "--lang", "python", "--limit", "2", "--output", str(tmp_path / "b"),
        env={"SANDBOX_LANGUAGES_DIR": str(root)},
    )  # fmt: skip
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Python/1" in broken.stdout


def test_cli_selftest_passes_and_catches_a_silent_assertion(tmp_path: Path) -> None:
    good = _sandbox("selftest", "--lang", "python", "--json")
    assert good.returncode == 0, good.stdout + good.stderr
    assert json.loads(good.stdout)[0]["state"] == "passed"

    root = _python_copy(tmp_path)
    # The trap: a failed check that only prints, so the wrong program exits 0.
    (root / "python" / "smoke" / "wrong.py").write_text("print('Assertion failed')\n")
    bad = _sandbox(
        "selftest", "--lang", "python", "--json", env={"SANDBOX_LANGUAGES_DIR": str(root)}
    )
    assert bad.returncode == 1
    checks = {c["name"]: c for c in json.loads(bad.stdout)[0]["checks"]}
    assert checks["wrong"]["ok"] is False and checks["wrong"]["got"] == "ok"
    assert checks["hello"]["ok"] is True
