"""A user's clone has nothing beside it: no project file may read the development machines'
data folder beside the repository at run time."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODE_SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".yml", ".yaml", ""}
# The folder's name is assembled here, so that this guard is not itself a file naming it.
# Flags `../NAME`, `NAME/data`, or a path joined with "NAME" (`parent / "NAME" / ...`).
NAME = "sha" + "red"
SHARED = re.compile(rf"\.\./{NAME}|{NAME}/data|/\s*[\"']{NAME}[\"']|[\"']{NAME}[\"']\)?\s*/")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if listed.returncode == 0 and listed.stdout:
        return [REPO / name for name in listed.stdout.splitlines()]
    return [p for p in REPO.rglob("*") if ".git" not in p.parts]


def test_no_code_or_script_names_the_shared_folder() -> None:
    offenders = []
    for path in _tracked_files():
        if not path.is_file() or path.suffix not in CODE_SUFFIXES or "datasets" in path.parts:
            continue
        if path.suffix == "" and not path.read_bytes().startswith(b"#!"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [
            f"{path.relative_to(REPO)}:{number}"
            for number, line in enumerate(text.splitlines(), start=1)
            if SHARED.search(line) and path.name != Path(__file__).name
        ]
    assert offenders == [], f"these lines name ../{NAME}: {offenders}"
