"""Bad input gives one line naming the problem and the fix, exit code 2, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from runners.cli.main import run_app; run_app()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0]


def test_unknown_language(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text("print(1)")
    assert_one_line_error(run_cli("exec", "--lang", "klingon", str(source)), "klingon", "fix")


def test_missing_file(tmp_path: Path) -> None:
    done = run_cli("exec", "--lang", "python", str(tmp_path / "missing.py"))
    assert_one_line_error(done, "missing.py", "does not exist")


def test_engine_not_running(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text("print(1)")
    done = run_cli(
        "exec",
        "--lang",
        "python",
        str(source),
        env={"DOCKER_HOST": f"unix://{tmp_path}/no-such.sock"},
    )
    assert_one_line_error(done, "Docker engine", "setup-engine")


@pytest.mark.docker
def test_image_missing(tmp_path: Path) -> None:
    languages = tmp_path / "languages"
    shutil.copytree(REPO / "languages" / "python", languages / "ghost")
    spec = (languages / "ghost" / "language.toml").read_text()
    spec = spec.replace('id = "python"', 'id = "ghost"').replace(
        'aliases = ["py", "python3", "Python"]', "aliases = []"
    )
    (languages / "ghost" / "language.toml").write_text(spec)
    source = tmp_path / "a.py"
    source.write_text("print(1)")
    done = run_cli(
        "exec", "--lang", "ghost", str(source), env={"SANDBOX_LANGUAGES_DIR": str(languages)}
    )
    assert_one_line_error(done, "sandbox-lang-ghost", "sandbox images build --lang ghost")


@pytest.mark.docker
def test_exec_json_and_exit_codes(tmp_path: Path) -> None:
    import json

    source = tmp_path / "a.py"
    source.write_text("import sys\nprint(input())\nsys.exit(4)\n")
    stdin = tmp_path / "in.txt"
    stdin.write_text("hello\n")
    done = run_cli("exec", "--lang", "python", str(source), "--stdin", str(stdin), "--json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["status"] == "nonzero_exit" and payload["exit_code"] == 4
    assert payload["stdout"] == "hello\n"
