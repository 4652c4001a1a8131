"""The judge protocol interface and its registry.

A protocol (CodeArena, CODAL-Bench, or a variant such as an execution-grounded judge) is one
``JudgeProtocol`` subclass registered by name with ``@register_protocol``. Each step is a method
the runner calls and a variant may override: planning the judgments, building the messages,
reading a reply, judging one item (follow-ups, failures), summarising the records, the cache
context and the human summary. Its two judging methods (``paper``, ``robust``) are data
(``MethodSpec``); nothing outside a protocol asks which protocol it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import Field

from runners.records import JudgmentRecord
from runners.registry import Registry
from sandbox.errors import BadInputError
from sandbox.models import FrozenModel

from .client import ChatReply, JudgeClient
from .datasets import AnswerSet
from .errors import JudgeRequestError, JudgeRequestRejectedError
from .grounded.models import AnswerExecutionResult, AnswerToRun, ExecSettingsSpec
from .methods import FollowupRule, MethodName, MethodSpec, PromptVariant, RejectionRule
from .stats import DEFAULT_RESAMPLES
from .templates import PromptSet, TemplateRules, load_prompt_file

Message = dict[str, str]
Record = dict[str, Any]
R = TypeVar("R")


class JudgeRunSpec(FrozenModel):
    """What to judge, how, and how to summarise it."""

    protocol: str
    method: MethodName = MethodName.PAPER
    answers: Path
    model: str
    questions: str | None = Field(None, description="local file or hf:owner/name; None = hub")
    baseline: str | None = None
    judge_prompt: Path | None = Field(None, description="a prompt file replacing the built-in")
    temperature: float | None = Field(None, ge=0.0, le=2.0, description="None: the method's")
    top_p: float | None = Field(None, gt=0.0, le=1.0, description="None: the method's")
    max_tokens: int | None = Field(None, ge=1, description="None: the method's")
    output: Path | None = None
    n_resamples: int = Field(DEFAULT_RESAMPLES, ge=1)
    seed: int = 0
    compare_with: tuple[Path, ...] = ()
    max_question_words: int | None = Field(
        None, ge=1, description="skip longer questions; None: the method's rule"
    )
    price_input: float | None = Field(None, ge=0, description="USD per million prompt tokens")
    price_output: float | None = Field(None, ge=0, description="USD per million output tokens")
    execute: bool = Field(False, description="run the code inside every judged answer")
    execution: ExecSettingsSpec = Field(default_factory=ExecSettingsSpec)


@dataclass(frozen=True)
class Plan:
    """The judgments to make, what was left out and why, and the protocol's own data for the
    summary (questions, categories)."""

    items: Sequence[Any]
    keys: tuple[str, ...]
    missing: dict[str, list[str]]
    n_questions: int
    baseline: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JudgeContext:
    """What every judgment of one run shares."""

    client: JudgeClient
    method: MethodSpec
    prompts: PromptSet
    identity: Mapping[str, str]
    key_context: Mapping[str, str]
    executions: Mapping[str, AnswerExecutionResult] = field(default_factory=dict)
    """What happened when each answer's code ran, by ``AnswerToRun.key()`` (``--execute``)."""

    def execution_of(self, answer: AnswerToRun) -> AnswerExecutionResult | None:
        """The stored execution of ``answer`` (None when answers are not executed)."""
        return self.executions.get(answer.key())

    async def ask(self, messages: Sequence[Message]) -> ChatReply:
        """One request under the method's sampling, cached under the method's context."""
        return await self.client.complete(messages, self.method.sampling, self.key_context)


@dataclass
class Conversation(Generic[R]):
    """The replies of one judgment, what was read from them, and how it ended."""

    replies: list[ChatReply]
    reading: R | None = None
    error: str | None = None
    rejected: bool = False


async def converse(
    ctx: JudgeContext,
    messages: list[Message],
    parse: Callable[[str], R],
    unreadable: Callable[[R], bool],
    no_label: Callable[[R], bool],
) -> Conversation[R]:
    """Ask, read, and ask once more when the method says so.

    The ``paper`` parsing reads the replies joined (as the released pairwise judge does), the
    ``robust`` one the last reply. A request the endpoint rejects ends as ``rejected`` when the
    method counts rejections as N/A; every other failed request ends as ``error``.
    """
    talk: Conversation[R] = Conversation(replies=[])
    try:
        talk.replies.append(await ctx.ask(messages))
        talk.reading = parse(talk.replies[0].text)
        if _wants_followup(ctx.method.followup, talk.reading, unreadable, no_label):
            followup = [
                *messages,
                {"role": "assistant", "content": talk.replies[0].text},
                {"role": "user", "content": ctx.prompts.followup},
            ]
            talk.replies.append(await ctx.ask(followup))
            texts = [r.text for r in talk.replies]
            joined = ctx.method.followup is FollowupRule.NO_LABEL
            talk.reading = parse("\n".join(texts) if joined else texts[-1])
    except JudgeRequestRejectedError as exc:
        talk.error, talk.rejected = str(exc), ctx.method.rejection is RejectionRule.NA_ZERO
    except JudgeRequestError as exc:
        talk.error = str(exc)
    return talk


def _wants_followup(
    rule: FollowupRule, reading: R, unreadable: Callable[[R], bool], no_label: Callable[[R], bool]
) -> bool:
    if rule is FollowupRule.UNREADABLE:
        return unreadable(reading)
    return rule is FollowupRule.NO_LABEL and no_label(reading)


class JudgeProtocol(ABC):
    """One judging protocol; subclasses declare ``name``, ``methods`` and ``template_rules``."""

    name: ClassVar[str]
    title: ClassVar[str]
    methods: ClassVar[Mapping[MethodName, MethodSpec]]
    template_rules: ClassVar[TemplateRules]
    record_model: ClassVar[type[JudgmentRecord]]
    """The record contract of this protocol's judgments (runners/records.py, extended)."""
    questions_of: ClassVar[str | None] = None
    """The protocol whose questions and answers this one judges (a variant's base), if not its
    own: ``sandbox generate`` makes answers per question set, not per variant."""
    executes_answers: ClassVar[bool] = False
    """Whether ``--execute`` applies (the protocol declares ``answer_sides``)."""
    needs_execution: ClassVar[bool] = False
    """A grounded variant: the answers' code must run before anything is judged."""
    grounds: ClassVar[tuple[str, str] | None] = None
    """(base protocol, grounding) of a grounded variant, e.g. ("codearena", "execution")."""

    def answer_sides(self, item: Any) -> dict[str, AnswerToRun]:
        """The answers a judgment shows, by side (``a``, ``b``, ...), for ``--execute``; their
        outcomes go to the record's ``execution_<side>`` fields. None by default: a protocol
        that executes answers declares those fields in its record model."""
        return {}

    def side_players(self, record: Mapping[str, Any]) -> dict[str, str]:
        """Who wrote each side's answer in a stored record (for the per-model rates)."""
        return {}

    def execution_fields(self, item: Any, ctx: JudgeContext) -> dict[str, Any]:
        """The ``execution_<side>`` fields of a record (empty when answers are not executed)."""
        fields: dict[str, Any] = {}
        for side, answer in self.answer_sides(item).items():
            found = ctx.execution_of(answer)
            if found is not None:
                fields[f"execution_{side}"] = found.model_dump(mode="json")
        return fields

    def method(self, name: MethodName) -> MethodSpec:
        """The protocol's rules under method ``name``."""
        return self.methods[name]

    @abstractmethod
    def builtin_prompts(self, variant: PromptVariant) -> PromptSet:
        """The project's own prompt set for ``variant``."""

    def prompts(self, method: MethodSpec, path: Path | None) -> PromptSet:
        """The prompt file's set when one is given, else the method's built-in set."""
        builtin = self.builtin_prompts(method.prompt)
        return builtin if path is None else load_prompt_file(path, self.template_rules, builtin)

    def describe_method(self, method: MethodSpec) -> dict[str, Any]:
        """The method's rules as the summary records them (a protocol adds its data sources)."""
        described: dict[str, Any] = method.model_dump(mode="json")
        return described

    def cache_context(self, method: MethodSpec) -> dict[str, str]:
        """What the cache key holds besides the request (a variant adds its own)."""
        return {"protocol": self.name, "method": method.name.value}

    @abstractmethod
    def load_questions(self, source: str | None) -> Sequence[Any]:
        """The questions, from a local file or the hub (before any request is sent)."""

    @abstractmethod
    def plan(
        self,
        spec: JudgeRunSpec,
        method: MethodSpec,
        questions: Sequence[Any],
        answers: AnswerSet,
        judge_model: str,
    ) -> Plan:
        """The judgments to make (chooses the baseline or reference)."""

    @abstractmethod
    def build_messages(self, item: Any, ctx: JudgeContext) -> list[Message]:
        """The messages that ask for one judgment."""

    @abstractmethod
    async def judge(self, item: Any, ctx: JudgeContext) -> Record:
        """One judgment record (never raises for a failed request: the record says so)."""

    @abstractmethod
    def summarize(
        self,
        records: Sequence[Mapping[str, Any]],
        plan: Plan,
        spec: JudgeRunSpec,
        ctx: JudgeContext,
    ) -> dict[str, Any]:
        """The protocol's metrics from the latest record of each planned judgment."""

    @abstractmethod
    def summary_lines(self, summary: Mapping[str, Any]) -> list[str]:
        """The headline metrics of a summary, for people."""

    def warnings(self, metrics: Mapping[str, Any]) -> list[str]:
        """Problems that make the numbers doubtful (shown, and the run exits 1)."""
        rejected, finished = metrics["counts"].get("rejected", 0), metrics["counts"]["finished"]
        if finished and rejected * 2 > finished:
            return [
                f"{rejected} of {finished} judgments were requests the endpoint rejected "
                "(counted N/A = 0 under the paper method): more likely a setting (e.g. "
                "--max-tokens above the judge's limit) than the answers; check `error` in "
                "results.jsonl, fix and re-run into a new --output"
            ]
        return []


_BUILTINS = ("runners.judge.codearena", "runners.judge.codal", "runners.judge.grounded.protocol")
PROTOCOLS: Registry[JudgeProtocol] = Registry("judge protocol", _BUILTINS)

P = TypeVar("P", bound=type[JudgeProtocol])


def register_protocol(cls: P) -> P:
    """Class decorator: make a protocol available by its ``name``."""
    PROTOCOLS.register(cls)
    return cls


def protocol_names() -> list[str]:
    """The registered protocols' names (built-ins loaded first), sorted."""
    return sorted(PROTOCOLS.names())


def grounded_protocol(base: str, grounding: str) -> JudgeProtocol:
    """The registered variant of protocol ``base`` grounded in ``grounding``."""
    members = [PROTOCOLS.get(name) for name in protocol_names()]
    for protocol in members:
        if protocol.grounds == (base, grounding):
            return protocol
    grounded = sorted(
        f"--protocol {p.grounds[0]} --ground {p.grounds[1]}" for p in members if p.grounds
    )
    raise BadInputError(
        f"no {base} protocol grounded in {grounding!r} (protocols: {', '.join(protocol_names())})",
        f"use one of: {'; '.join(grounded) or 'none is registered'}",
    )


def get_protocol(name: str) -> JudgeProtocol:
    """The protocol registered as ``name``."""
    return PROTOCOLS.get(name)
