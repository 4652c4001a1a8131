"""Whether each language can run on this engine: image built (and current), not built, or
unavailable (its base image needs a registry)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from sandbox.engine import DockerEngine
from sandbox.images import image_status
from sandbox.languages import LanguageSpec
from sandbox.models import FrozenModel


class LanguageState(StrEnum):
    """Whether a language's image can run programs here."""

    READY = "ready"
    UNAVAILABLE = "unavailable"
    """Its base image needs a registry; skipped, never counted."""
    NOT_BUILT = "not_built"
    NO_ENGINE = "no_engine"


class LanguageStatusResult(FrozenModel):
    """One language's readiness, with the image's id and toolchain version when built."""

    language: str
    state: LanguageState
    detail: str = ""
    image: str | None = None
    image_id: str | None = None
    toolchain: str | None = None
    up_to_date: bool | None = None

    @property
    def ready(self) -> bool:
        return self.state is LanguageState.READY


StatusProbe = Callable[[LanguageSpec], LanguageStatusResult]


def probe_with_engine(engine: DockerEngine) -> StatusProbe:
    """A probe asking ``engine`` about each language's image (never pulls, never builds)."""

    def probe(spec: LanguageSpec) -> LanguageStatusResult:
        status = image_status(engine, spec)
        if status.built:
            stale = "" if status.up_to_date else "stale image: rebuild it"
            return LanguageStatusResult(
                language=spec.id,
                state=LanguageState.READY,
                detail=stale,
                image=spec.image,
                image_id=status.image_id,
                toolchain=status.toolchain,
                up_to_date=status.up_to_date,
            )
        if not spec.available:
            return unavailable(spec)
        return LanguageStatusResult(
            language=spec.id,
            state=LanguageState.NOT_BUILT,
            detail=f"image not built: run `sandbox images build --lang {spec.id}`",
            image=spec.image,
        )

    return probe


def unavailable(spec: LanguageSpec) -> LanguageStatusResult:
    """A language whose base image needs a registry: reported, skipped, never counted."""
    return LanguageStatusResult(
        language=spec.id,
        state=LanguageState.UNAVAILABLE,
        detail=f"unavailable: needs a registry (base image {spec.base_image})",
        image=spec.image,
    )


def no_engine_probe(reason: str) -> StatusProbe:
    """A probe for when the Docker engine cannot be reached: nothing can run."""

    def probe(spec: LanguageSpec) -> LanguageStatusResult:
        if not spec.available:
            return unavailable(spec)
        return LanguageStatusResult(
            language=spec.id, state=LanguageState.NO_ENGINE, detail=reason, image=spec.image
        )

    return probe
