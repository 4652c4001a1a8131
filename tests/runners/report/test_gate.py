"""`sandbox gate`: thresholds, and drops that count only when the paired test says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runners.gate import GateInputError, parse_max_drop, parse_require
from runners.report.loaders import load_sources
from runners.report.paired import PairedTest, collect_task_values, compare_paired

from .resultdirs import write_codearena_dir, write_suite_dir

CLI = [sys.executable, "-c", "from runners.cli.main import run_app; run_app()"]


def run_gate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "gate", *args], capture_output=True, text=True, timeout=120)


def single(pattern: list[bool]) -> dict[str, list[tuple[bool, bool]]]:
    return {f"T/{i}": [(p, p)] for i, p in enumerate(pattern)}


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    """200 tasks, baseline 160 pass. ``real``: loses 30, gains 2. ``noise``: loses 6, gains 2."""
    base = [i < 160 for i in range(200)]
    real = [(i >= 30 and i < 160) or i in (160, 161) for i in range(200)]
    noise = [(i >= 6 and i < 160) or i in (160, 161) for i in range(200)]
    return (
        write_suite_dir(tmp_path / "base", "old", single(base)),
        write_suite_dir(tmp_path / "real", "new", single(real)),
        write_suite_dir(tmp_path / "noise", "new", single(noise)),
    )


def test_real_drop_blocks_release(pair: tuple[Path, Path, Path]) -> None:
    base, real, _ = pair
    done = run_gate("--candidate", str(real), "--baseline", str(base),
                    "--max-drop", "humaneval+.plus.pass@1=2.0")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL  humaneval+.plus.pass@1=2.0" in done.stdout
    assert "drop 14.00 pp > 2 allowed and real (mcnemar-mid-p over 200 shared tasks" in done.stdout
    assert "release blocked" in done.stdout


def test_noise_does_not_block_release(pair: tuple[Path, Path, Path]) -> None:
    base, _, noise = pair
    done = run_gate("--candidate", str(noise), "--baseline", str(base),
                    "--max-drop", "humaneval+.plus.pass@1=1.0")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # 6 lost, 2 gained: mid-p = 2 * (P(X<=2) - P(X=2)/2), X ~ Bin(8, 1/2) = 46/256 = 0.18.
    assert "drop 2.00 pp > 1 allowed but not significant" in done.stdout
    assert "p=0.18 " in done.stdout and "treated as noise" in done.stdout


def test_level_is_configurable(pair: tuple[Path, Path, Path]) -> None:
    base, _, noise = pair
    done = run_gate("--candidate", str(noise), "--baseline", str(base), "--level", "0.3",
                    "--max-drop", "humaneval+.plus.pass@1=1.0")  # fmt: skip
    assert done.returncode == 1
    assert "real (mcnemar-mid-p" in done.stdout


def test_exact_mcnemar_option(pair: tuple[Path, Path, Path]) -> None:
    base, _, noise = pair
    done = run_gate("--candidate", str(noise), "--baseline", str(base), "--test", "exact",
                    "--max-drop", "humaneval+.plus.pass@1=1.0", "--json")  # fmt: skip
    verdict = json.loads(done.stdout)
    paired = verdict["rules"][0]["paired"]
    assert paired["test"] == "mcnemar-exact"
    assert paired["p_value"] == pytest.approx(2 * 37 / 256)  # 2 * P(X <= 2), X ~ Bin(8, 1/2)
    assert verdict["passed"] is True and done.returncode == 0


def test_require_rules(pair: tuple[Path, Path, Path]) -> None:
    base, real, _ = pair
    ok = run_gate("--candidate", str(base), "--require", "humaneval+.plus.pass@1>=0.80")
    assert (
        ok.returncode == 0
        and "PASS  humaneval+.plus.pass@1>=0.80: 80.0% meets >= 80.0%" in ok.stdout
    )
    bad = run_gate("--candidate", str(real), "--require", "humaneval+.plus.pass@1>=80%")
    assert bad.returncode == 1 and "66.0% fails >= 80.0%" in bad.stdout


def test_drop_within_allowance_passes_without_a_test(pair: tuple[Path, Path, Path]) -> None:
    base, _, noise = pair
    done = run_gate("--candidate", str(noise), "--baseline", str(base),
                    "--max-drop", "humaneval+.plus.pass@1=2.5")  # fmt: skip
    assert done.returncode == 0 and "drop 2.00 pp <= 2.5 allowed" in done.stdout


def test_untestable_drop_blocks(pair: tuple[Path, Path, Path]) -> None:
    base, real, _ = pair
    (real / "results.jsonl").unlink()
    done = run_gate("--candidate", str(real), "--baseline", str(base),
                    "--max-drop", "humaneval+.plus.pass@1=2.0")  # fmt: skip
    assert done.returncode == 1 and "untested drop blocks" in done.stdout


def test_bad_rules_are_one_line_errors(pair: tuple[Path, Path, Path]) -> None:
    _, real, _ = pair
    typo = run_gate("--candidate", str(real), "--require", "humaneval+.plus.pas@1>=0.8")
    assert typo.returncode == 2
    assert typo.stderr.count("\n") == 1 and "humaneval+.plus.pass@1" in typo.stderr
    syntax = run_gate("--candidate", str(real), "--require", "humaneval+ at least 0.8")
    assert syntax.returncode == 2 and "cannot read --require" in syntax.stderr
    no_base = run_gate("--candidate", str(real), "--max-drop", "humaneval+.plus.pass@1=1")
    assert no_base.returncode == 2 and "needs a baseline" in no_base.stderr


def test_rule_parsing_units() -> None:
    assert parse_require("codal.score>7.5").threshold == 7.5
    assert parse_require("humaneval+.plus.pass@1>=80%").threshold == pytest.approx(0.8)
    assert parse_max_drop("codearena.win_rate=2.0").unit is None
    assert parse_max_drop("codal.score=5%").unit == "%"
    with pytest.raises(GateInputError):
        parse_max_drop("codal.score<=5")


def test_several_samples_per_task_use_the_paired_bootstrap(tmp_path: Path) -> None:
    base = {f"T/{i}": [(True, j < 4) for j in range(5)] for i in range(40)}
    worse = {f"T/{i}": [(True, j < 2) for j in range(5)] for i in range(40)}
    old = collect_task_values(
        load_sources([write_suite_dir(tmp_path / "a", "a", base)])[0], "humaneval+.plus.pass@1"
    )
    new = collect_task_values(
        load_sources([write_suite_dir(tmp_path / "b", "b", worse)])[0], "humaneval+.plus.pass@1"
    )
    assert old is not None and new is not None
    result = compare_paired(old, new, resamples=2000)
    assert result is not None and result.test is PairedTest.BOOTSTRAP
    assert result.difference == pytest.approx(-0.4) and result.p_value < 0.01


def test_few_tasks_use_the_exact_sign_flip_test(tmp_path: Path) -> None:
    grades_a = {f"q{i}": "win" for i in range(4)}
    grades_b = {f"q{i}": "loss" for i in range(4)}
    a = load_sources([write_codearena_dir(tmp_path / "a", "a", grades_a)])[0]
    b = load_sources([write_codearena_dir(tmp_path / "b", "b", grades_b)])[0]
    metric = "codearena.score_arena"
    old, new = collect_task_values(a, metric), collect_task_values(b, metric)
    assert old is not None and new is not None
    result = compare_paired(old, new)
    assert result is not None and result.test is PairedTest.SIGN_FLIP
    assert result.p_value == pytest.approx(2 / 16)  # all 4 dropped: only +-all as extreme


def test_codearena_win_rate_is_paired_per_question(fixtures_root: Path) -> None:
    a, b = (
        load_sources([fixtures_root / "coder-a/codearena"]),
        load_sources([fixtures_root / "coder-b/codearena"]),
    )
    old, new = (
        collect_task_values(a[0], "codearena.win_rate"),
        collect_task_values(b[0], "codearena.win_rate"),
    )
    assert old is not None and new is not None and old.binary
    assert sum(v[0] for v in old.per_task.values()) == 4  # win, big win, win, win
    result = compare_paired(old, new)
    assert result is not None and result.test is PairedTest.MCNEMAR_MID_P
    assert result.shared == 8 and result.difference == pytest.approx(-2 / 8)
