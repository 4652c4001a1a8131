"""``sandbox generate``: a model behind an OpenAI-compatible endpoint answers every task of a
suite or protocol, in the benchmark's own prompt form, and the answers become exactly the
samples file that ``sandbox run`` / ``sandbox judge`` read."""

from __future__ import annotations

from .base import (
    GenerateRunSpec,
    Generator,
    OutputKind,
    PromptForm,
    generator_names,
    get_generator,
    register_generator,
)
from .records import GenerationRecord, GenerationStatus, GenerationSummary
from .runner import run_generate

__all__ = [
    "GenerateRunSpec",
    "GenerationRecord",
    "GenerationStatus",
    "GenerationSummary",
    "Generator",
    "OutputKind",
    "PromptForm",
    "generator_names",
    "get_generator",
    "register_generator",
    "run_generate",
]
