"""Opt-in patches of known upstream data bugs: data, applied at load time, off by default.

Pure tests check that every shipped patch still applies to the published data and does what its
reason says; Docker tests check the effect on verdicts: a right answer that could not pass
before passes once patched, and a wrong answer that passed (McEval Lua/1) fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from runners.cli.main import app
from runners.jsonl import read_jsonl
from runners.multilang.data_patches import apply_patches, load_patches, read_patch_file
from runners.multilang.datasets import SuiteData, load_mceval, load_multipl_e
from runners.multilang.models import SuiteName, TaskSpec
from runners.suites.base import SuiteRunSpec
from runners.suites.driver import run_suite
from sandbox.errors import BadInputError, LanguageSpecError


def _task(data: SuiteData, language: str, prefix: str) -> TaskSpec:
    return next(t for t in data.tasks[language] if t.task_id.startswith(prefix))


def test_every_shipped_patch_applies_to_the_published_data(data_dir: Path) -> None:
    patches = load_patches()
    applied = []
    for data in (load_mceval(data_dir), load_multipl_e(data_dir)):
        applied += apply_patches(data, patches)
    assert len(applied) == sum(len(p.tasks) for p in patches)
    assert {(a.suite, a.language) for a in applied} == {
        ("mceval", "lua"),
        ("multipl-e", "cpp"),
        ("multipl-e", "go"),
        ("multipl-e", "ocaml"),
    }


def test_patches_do_what_their_reasons_say(data_dir: Path) -> None:
    mceval, multipl_e = load_mceval(data_dir), load_multipl_e(data_dir)
    before_ocaml = [t for t in multipl_e.tasks["ocaml"] if "(~" in t.test]
    apply_patches(mceval, load_patches())
    apply_patches(multipl_e, load_patches())
    assert len(before_ocaml) == 32
    assert not [t.task_id for t in multipl_e.tasks["ocaml"] if "(~" in t.test]
    assert mceval.tasks["lua"][0].test.rstrip().endswith("testHelloMMCodeEval()")
    cpp = _task(multipl_e, "cpp", "HumanEval_137_")
    assert "std::nullopt f3" not in cpp.prompt and "std::variant" in cpp.prompt
    go = _task(multipl_e, "go", "HumanEval_87_")
    assert "[][]int{[]interface{}" not in go.test


def test_only_the_selected_languages_are_patched(data_dir: Path) -> None:
    data = load_multipl_e(data_dir)
    applied = apply_patches(data, load_patches(), ["go"])
    assert {a.language for a in applied} == {"go"}
    assert any("(~" in t.test for t in data.tasks["ocaml"])


def test_a_patch_that_no_longer_applies_stops_the_run(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text(
        'suite = "mceval"\nlanguage = "lua"\n[[patch]]\ntasks = ["Lua/1"]\nfield = "test"\n'
        'reason = "r"\nold = "text that is not there"\nnew = "x"\n'
    )
    with pytest.raises(BadInputError, match="Lua/1 has no text the patch changes"):
        apply_patches(load_mceval(data_dir), read_patch_file(tmp_path / "x.toml"))


@pytest.mark.parametrize(
    "body",
    [
        'suite = "mceval"\nlanguage = "lua"\n[[patch]]\ntasks = ["Lua/1"]\nfield = "test"\n'
        'reason = "r"\n',  # no edit
        'suite = "mceval"\nlanguage = "lua"\n[[patch]]\ntasks = ["Lua/1"]\nfield = "test"\n'
        'reason = "r"\nappend = "x"\nold = "a"\nnew = "b"\n',  # two edits
        'language = "lua"\n[[patch]]\ntasks = ["Lua/1"]\nfield = "test"\nreason = "r"\n'
        'append = "x"\n',  # no suite
        'suite = "mceval"\nlanguage = "lua"\n[[patch]]\ntasks = ["Lua/1"]\nfield = "canonical"\n'
        'reason = "r"\nappend = "x"\n',  # not a patchable field
    ],
)
def test_invalid_patch_files_are_rejected(tmp_path: Path, body: str) -> None:
    (tmp_path / "x.toml").write_text(body)
    with pytest.raises(LanguageSpecError, match=r"x\.toml: invalid data patch"):
        read_patch_file(tmp_path / "x.toml")


def test_languages_issues_lists_known_issues_and_patches() -> None:
    result = CliRunner().invoke(app, ["languages", "--issues", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    kinds = {(row["kind"], row["suite"], row["language"]) for row in rows}
    assert ("data patch", "multipl-e", "ocaml") in kinds
    assert ("data patch", "mceval", "lua") in kinds
    assert ("known issue", "mceval", "pascal") in kinds


# -- effect on verdicts (real engine) ------------------------------------------------------

LUA_WRONG = "    return 'wrong'\nend\n"
OCAML_RIGHT = "  List.filter (fun x -> x > 0) l\n"
GO_RIGHT = """    var out [][]interface{}
    for i, row := range lst {
        for j := len(row) - 1; j >= 0; j-- {
            if row[j] == x {
                out = append(out, []interface{}{i, j})
            }
        }
    }
    if out == nil {
        return [][]interface{}{}
    }
    return out
}
"""
CPP_RIGHT = """    auto value = [](const Union_long_float_std_string& u) -> double {
        if (std::holds_alternative<long>(u)) return std::get<long>(u);
        if (std::holds_alternative<float>(u)) return std::get<float>(u);
        std::string s = std::get<std::string>(u);
        std::replace(s.begin(), s.end(), ',', '.');
        return std::stod(s);
    };
    double x = value(a), y = value(b);
    if (x == y) return std::nullopt;
    return x > y ? a : b;
"""
CPP_WRONG = "    return a;\n"


def _run(
    tmp_path: Path, data_dir: Path, suite: SuiteName, records: list[dict[str, str]], fix: bool
) -> dict[str, Any]:
    samples = tmp_path / f"{suite.value}.jsonl"
    samples.write_text("".join(json.dumps(r) + "\n" for r in records))
    output = tmp_path / f"{suite.value}-{fix}"
    spec = SuiteRunSpec(
        suite=suite.value,
        samples=samples,
        output=output,
        data=data_dir,
        options={"fix_known_data_bugs": fix},
    )
    summary = run_suite(spec)
    verdicts = {
        (r["language"], r["task_id"], r["sample_index"]): r["status"]
        for r in read_jsonl(output / "results.jsonl")
    }
    return {"summary": summary.details, "verdicts": verdicts}


@pytest.mark.docker
def test_patched_multipl_e_tasks_can_be_passed_only_when_fixed(
    tmp_path: Path, data_dir: Path
) -> None:
    records = [
        {"task_id": "HumanEval_137_compare_one", "language": "cpp", "completion": CPP_RIGHT},
        {"task_id": "HumanEval_137_compare_one", "language": "cpp", "completion": CPP_WRONG},
        {"task_id": "HumanEval_87_get_row", "language": "go", "completion": GO_RIGHT},
        {"task_id": "HumanEval_30_get_positive", "language": "ocaml", "completion": OCAML_RIGHT},
    ]
    fixed = _run(tmp_path, data_dir, SuiteName.MULTIPL_E, records, fix=True)
    assert fixed["verdicts"] == {
        ("cpp", "HumanEval_137_compare_one", 0): "passed",
        ("cpp", "HumanEval_137_compare_one", 1): "failed",
        ("go", "HumanEval_87_get_row", 0): "passed",
        ("ocaml", "HumanEval_30_get_positive", 0): "passed",
    }
    recorded = {(p["language"], p["task_id"]) for p in fixed["summary"]["data_patches"]}
    assert ("ocaml", "HumanEval_30_get_positive") in recorded
    assert ("go", "HumanEval_87_get_row") in recorded
    published = _run(tmp_path, data_dir, SuiteName.MULTIPL_E, records, fix=False)
    assert set(published["verdicts"].values()) == {"failed"}  # as published: never compiles
    assert "data_patches" not in published["summary"]


@pytest.mark.docker
def test_mceval_lua_1_fails_a_wrong_answer_only_when_fixed(tmp_path: Path, data_dir: Path) -> None:
    records = [{"task_id": "Lua/1", "language": "lua", "completion": LUA_WRONG}]
    assert _run(tmp_path, data_dir, SuiteName.MCEVAL, records, fix=True)["verdicts"] == {
        ("lua", "Lua/1", 0): "failed"
    }
    assert _run(tmp_path, data_dir, SuiteName.MCEVAL, records, fix=False)["verdicts"] == {
        ("lua", "Lua/1", 0): "passed"  # the published test never calls its check
    }
