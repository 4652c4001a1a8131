"""What a generator is: a suite's or protocol's tasks -> prompts -> the samples file it reads.

A generator (HumanEval+/MBPP+, McEval, MultiPL-E, CodeArena, CODAL-Bench) is one ``Generator``
subclass registered by name with ``@register_generator``. It plans one ``PromptItem`` per task
(the chat messages or the completion prompt, its stop sequences, the sampling its benchmark's
own code uses) and turns a reply into the line of the samples file that ``sandbox run`` or
``sandbox judge`` reads. The runner (``runners.generate.runner``) knows no benchmark.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import Field

from runners.llm import SamplingSpec
from runners.registry import Registry
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

Message = dict[str, str]


class PromptForm(StrEnum):
    """How the model is asked: a chat (instruct models) or a text completion (base models)."""

    CHAT = "chat"
    COMPLETION = "completion"


class OutputKind(StrEnum):
    """Which file the generations make: programs for ``sandbox run``, answers for the judge."""

    SAMPLES = "samples"
    ANSWERS = "answers"


class GenerateRunSpec(FrozenModel):
    """What to generate and how; ``None`` sampling values mean the benchmark's own."""

    suite: str
    model: str
    form: PromptForm | None = Field(None, description="None: the generator's default form")
    answer_prefix: bool = Field(True, description="evalplus chat: prefill its answer prefix")
    n: int = Field(1, ge=1, description="samples per task")
    greedy: bool = False
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1)
    system: str | None = Field(None, description="system message; '' removes the default one")
    limit: int | None = Field(None, ge=1, description="first N tasks (per language)")
    languages: tuple[str, ...] = ()
    data: Path | None = Field(None, description="dataset folder/file, or the questions file")
    output: Path | None = None
    revision: str = Field("", description="cache namespace: a new checkpoint under an old name")
    price_input: float | None = Field(None, ge=0, description="USD per million prompt tokens")
    price_output: float | None = Field(None, ge=0, description="USD per million output tokens")


class SamplingDefaults(FrozenModel):
    """A benchmark's own sampling: top_p when sampling and when greedy, and the token budget."""

    top_p_sampling: float | None = 0.95
    top_p_greedy: float | None = 0.95
    max_tokens: int = 1024


@dataclass(frozen=True)
class PromptItem:
    """One prompt: the task it belongs to, the request, and what the generator needs later."""

    task_id: str
    language: str
    form: PromptForm
    messages: tuple[Message, ...] = ()
    prompt: str | None = None
    stop: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    data: Any = None

    def request(self) -> dict[str, Any]:
        """The request as recorded (messages or prompt)."""
        if self.form is PromptForm.COMPLETION:
            return {"prompt": self.prompt}
        return {"messages": list(self.messages)}


@dataclass(frozen=True)
class GenerationPlan:
    """Every prompt of a run, and the data it came from."""

    items: Sequence[PromptItem]
    dataset: dict[str, str]


class OutputResult(FrozenModel):
    """What a reply becomes: the samples-file fields and how the code was taken from it."""

    fields: dict[str, Any] = Field(description="the samples-file line (without model fields)")
    code: str | None = Field(description="what was kept (None: nothing usable in the reply)")
    extraction: str = Field(description="the rule that chose it")


class Generator(ABC):
    """A registered generator. Subclasses set the class attributes and implement the methods."""

    name: ClassVar[str]
    forms: ClassVar[tuple[PromptForm, ...]]
    """The forms it supports; the first is the default."""
    output: ClassVar[OutputKind] = OutputKind.SAMPLES
    takes_languages: ClassVar[bool] = False

    def form(self, spec: GenerateRunSpec) -> PromptForm:
        """The form asked for, or the default; BadInputError for one it cannot do."""
        chosen = spec.form or self.forms[0]
        if chosen not in self.forms:
            raise BadInputError(
                f"{self.name} has no {chosen.value} prompts",
                f"use --{self.forms[0].value} ({self.why_forms()})",
            )
        return chosen

    def why_forms(self) -> str:
        """One line saying which forms the benchmark defines."""
        return f"{self.name} is asked as {' or '.join(f.value for f in self.forms)}"

    def check_spec(self, spec: GenerateRunSpec) -> None:
        """Refuse options the benchmark cannot honour."""
        if spec.languages and not self.takes_languages:
            raise BadInputError(f"--lang does not apply to {self.name}", "drop --lang")
        if self.output is OutputKind.ANSWERS and spec.n > 1:
            raise BadInputError(
                f"{self.name} judges one answer per question, not --n {spec.n}", "drop --n"
            )

    @abstractmethod
    def defaults(self, spec: GenerateRunSpec, form: PromptForm) -> SamplingDefaults:
        """The benchmark's own sampling for ``form``."""

    @abstractmethod
    def plan(self, spec: GenerateRunSpec, form: PromptForm) -> GenerationPlan:
        """Load the tasks (``spec.data``, ``spec.limit``, ``spec.languages``) into prompts."""

    @abstractmethod
    def to_output(self, item: PromptItem, text: str) -> OutputResult:
        """The samples-file line for the reply ``text`` to ``item``."""

    def empty_output(self, item: PromptItem) -> OutputResult:
        """The line of a sample the endpoint refused (context overflow): an empty answer, which
        scores as a failure, as the model gave none."""
        return self.to_output(item, "")


def resolve_sampling(
    spec: GenerateRunSpec, defaults: SamplingDefaults, item: PromptItem
) -> SamplingSpec:
    """The request's sampling: ``--greedy`` is temperature 0 (the benchmark's greedy top_p),
    else the options given, else the benchmark's own."""
    temperature = 0.0 if spec.greedy else (spec.temperature or 0.0)
    sampling = temperature > 0.0
    top_p = spec.top_p or (defaults.top_p_sampling if sampling else defaults.top_p_greedy)
    return SamplingSpec(
        temperature=temperature,
        top_p=top_p,
        max_tokens=spec.max_tokens or defaults.max_tokens,
        stop=item.stop,
        extra=item.extra,
    )


def check_sampling(spec: GenerateRunSpec) -> None:
    """Refuse contradictory sampling options, with the fix."""
    if spec.greedy and spec.n > 1:
        raise BadInputError(f"--greedy takes one sample per task, not --n {spec.n}", "drop --n")
    if spec.greedy and spec.temperature:
        raise BadInputError("--greedy means temperature 0", "drop --temperature or --greedy")
    if spec.n > 1 and not spec.temperature:
        raise BadInputError(
            f"--n {spec.n} samples at temperature 0 would be the same answer {spec.n} times",
            "pass --temperature (e.g. 0.8 for pass@10, as evalplus does) or drop --n",
        )


def trim_at_stop(text: str, stop: Sequence[str]) -> str:
    """``text`` up to the first stop sequence: what a server honouring ``stop`` returns, also
    from one that caps their number (OpenAI takes four)."""
    cut = min((i for s in stop if s and (i := text.find(s)) >= 0), default=len(text))
    return text[:cut]


def system_messages(spec: GenerateRunSpec, default: str | None) -> list[Message]:
    """The system turn: ``--system`` if given ('' for none), else the benchmark's default."""
    text = default if spec.system is None else spec.system
    return [{"role": "system", "content": text}] if text else []


BUILTIN_MODULES = (
    "runners.generate.evalplus_prompts",
    "runners.generate.program_prompts",
    "runners.generate.answer_prompts",
)
GENERATORS: Registry[Generator] = Registry("generator", BUILTIN_MODULES)
G = TypeVar("G", bound=type[Generator])


def register_generator(cls: G) -> G:
    """Class decorator: add an instance of ``cls`` to the registry under ``cls.name``."""
    GENERATORS.register(cls)
    return cls


def generator_names() -> list[str]:
    """Every registered generator's name, in registration order."""
    return GENERATORS.names()


def get_generator(name: str) -> Generator:
    """The generator called ``name`` (case-insensitive); BadInputError naming the choices."""
    found = GENERATORS.find(name)
    if found is None:
        raise BadInputError(
            f"nothing to generate for {name!r}", f"use one of: {', '.join(GENERATORS.names())}"
        )
    return found
