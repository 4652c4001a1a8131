"""A whole ``sandbox eval`` on a small subset against the real engine: a loopback model answers
HumanEval+ (chat, answer prefix), McEval (chat) and MultiPL-E (completion) tasks rightly,
wrongly or with prose, and CodeArena/CODAL questions; the programs run in the Python image,
the loopback judge grades the answers, the report and the gate follow. A second run of the same
config makes no request and no execution."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runners.debug_view import answer_view
from runners.eval.config import load_config
from runners.eval.orchestrate import run_eval
from runners.report.loaders import load_source
from sandbox.availability import LanguageStatusResult
from sandbox.executor import Executor
from sandbox.languages import LanguageSpec
from sandbox.models import ExecutionRequest, ExecutionResult
from tests.runners.generate.model_server import Answer, chat_code, plain
from tests.runners.generate.tables import HUMANEVAL, records
from tests.runners.judge.server import Reply, serve

from .conftest import ARENA, CODAL, SERVED, answering_model, base_config, write_config

pytestmark = [pytest.mark.docker, pytest.mark.slow]


class CountingExecutor:
    """The session's executor, counting every request it is handed."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.requests = 0

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        self.requests += 1
        return self.inner.run(request)

    def run_many(
        self, requests: Iterable[ExecutionRequest]
    ) -> Iterator[tuple[ExecutionRequest, ExecutionResult]]:
        listed = list(requests)
        self.requests += len(listed)
        return self.inner.run_many(listed)

    def probe(self, spec: LanguageSpec) -> LanguageStatusResult:
        return self.inner.probe(spec)

    def image_id(self, image: str) -> str:
        return self.inner.image_id(image)

    def close(self) -> None:
        """The session owns the inner executor."""


def in_every_shape(program: str, continuation: str) -> Answer:
    """A chat answer with ``program`` (or its answer-prefix continuation), and ``continuation``
    to a completion prompt."""
    chat = chat_code(program)

    def answer(payload: dict[str, Any]) -> Reply:
        return Reply(text=continuation) if "prompt" in payload else chat(payload)

    return answer


def model_answers() -> dict[str, Answer]:
    right, wrong = records(HUMANEVAL, 2)
    return {
        "def has_close_elements(": in_every_shape(
            right["prompt"] + right["canonical_solution"],
            right["canonical_solution"] + "\ndef unrelated():\n    pass\n",
        ),
        "def separate_paren_groups(": in_every_shape(
            wrong["prompt"] + "    return None\n", "    return None\n"
        ),
        "def truncate_number(": plain("The answer is the fractional part; I trust you."),
    }


def test_eval_end_to_end_then_a_rerun_that_asks_and_runs_nothing(
    tmp_path: Path, executor: Executor
) -> None:
    counting = CountingExecutor(executor)
    model = answering_model(model_answers(), good=True)
    with serve(model, models=SERVED) as server:
        config = load_config(
            write_config(
                tmp_path / "eval.toml",
                {
                    **base_config(server.url, tmp_path / "out"),
                    "suites": [
                        {"name": "humaneval+", "limit": 3, "data": HUMANEVAL},
                        {"name": "mceval", "languages": ["python"], "limit": 2, "k": [1]},
                        {"name": "multipl-e", "languages": ["python"], "limit": 2, "k": [1]},
                    ],
                    "protocols": [
                        {"name": "codearena", "questions": ARENA, "limit": 2},
                        {"name": "codal", "questions": CODAL, "limit": 2},
                    ],
                    "gate": {
                        "require": [
                            "humaneval+.plus.pass@1>=0.3",
                            "mceval.python.pass@1>=0.5",
                            "multipl-e.python.pass@1>=0.5",
                            "codal.score>=7",
                        ]
                    },
                },
            )
        )
        first = run_eval(config, executor=counting)
        asked, executed, listings = server.chat_count, counting.requests, server.model_listings
        second = run_eval(config, executor=counting)
        assert (server.chat_count, counting.requests, server.model_listings) == (
            asked,
            executed,
            listings,
        ), "the re-run asked the model or ran a program again"
    assert first.passed and second.passed, first.reason
    assert executed > 0 and asked > 0
    assert first.reason == second.reason == "release may go (4 rules passed)"
    out = tmp_path / "out" / "results"
    metrics = {
        name: load_source(out / name).record.metrics
        for name in ("humaneval+", "mceval", "multipl-e")
    }
    assert metrics["humaneval+"]["humaneval+.plus.pass@1"].value == pytest.approx(1 / 3)
    assert metrics["mceval"]["mceval.python.pass@1"].value == 0.5
    assert metrics["multipl-e"]["multipl-e.python.pass@1"].value == 0.5
    # each scored record keeps the model's whole answer, which `sandbox debug` shows
    prose = next(
        r for r in load_source(out / "humaneval+").sample_records() if r.task_id == "HumanEval/2"
    )
    assert not prose.passed
    view = answer_view(prose)
    assert view is not None and "fractional part" in view[1] and "evalplus sanitize" in view[0]
    mceval = load_source(out / "mceval").sample_records()
    assert {r.details.extraction for r in mceval} == {"first-tagged"}
    assert (tmp_path / "out" / "report.html").is_file() and (
        tmp_path / "out" / "junit.xml"
    ).is_file()
