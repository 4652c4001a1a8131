"""Languages as data: each folder under ``languages/`` holds a ``language.toml`` spec, a
``Dockerfile`` built on the local base image, and ``smoke/`` programs for the self-test.

Adding a language means adding a folder; nothing else in the code changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from functools import cache
from pathlib import Path, PurePosixPath

from pydantic import Field, ValidationError, field_validator, model_validator

from sandbox.errors import LanguageSpecError, UnknownLanguageError
from sandbox.files import cache_root
from sandbox.models import ExecutionRequest, FrozenModel, LimitsSpec
from sandbox.rewrites import REWRITES, apply_rewrite

IMAGE_PREFIX = "sandbox-lang"
SPEC_FILE = "language.toml"
NOT_IN_IMAGE = frozenset({SPEC_FILE, "known_issues.toml", "smoke", "README.md"})
SHARED_DIR = "_shared"
"""Files several language folders use (``languages/_shared/``), declared per language with
``shared = [...]`` and placed at ``files/<name>`` in its build context: one copy, no drift."""


class SmokeSpec(FrozenModel):
    """Expectations of the self-test programs in ``smoke/`` (file stems, not paths)."""

    hello_output: str = "Hello, World!"


class LimitOverridesSpec(FrozenModel):
    """Per-language adjustments of the default limits (e.g. a JVM needs more memory)."""

    memory_mb: int | None = None
    pids: int | None = None
    compile_timeout_s: float | None = None
    workdir_mb: int | None = None


class SuiteAdapterSpec(FrozenModel):
    """How a benchmark suite's record becomes a program in this language (a
    ``[suites.<suite name>]`` table; the engine never interprets the suite's name).

    ``template`` joins the record's parts; placeholders: ``{prompt}``, ``{solution}`` (the
    canonical solution or the model's completion), ``{test}``, ``{entry_point}``. Parts are
    joined so that they parse (a missing final newline is a classic trap). The optional
    fields override the language's defaults for this suite only.
    """

    template: str = "{prompt}{solution}\n{test}\n"
    source_file: str | None = None
    compile: str | None = None
    run: str | None = None
    extra_files: dict[str, str] = Field(default_factory=dict)
    time_factor: float | None = None


class FetchSpec(FrozenModel):
    """A file the image build needs that Debian does not package, fetched on the host through
    the ecosystem's own client (``npm pack NAME@VERSION``), so that the user's configured
    registry mirror or proxy applies."""

    npm: str = Field(
        pattern=r"^(@[\w.-]+/)?[\w.-]+@[\w.+-]+$", description="package@version for npm pack"
    )
    integrity: str = Field(pattern=r"^sha512-[A-Za-z0-9+/]+=*$", description="as npm prints it")
    file: str = Field(description="where it goes, relative to the language folder")

    def cached_path(self) -> Path:
        """Where ``sandbox images build`` keeps the download, keyed by its integrity."""
        key = hashlib.sha256(self.integrity.encode()).hexdigest()[:16]
        return downloads_dir() / f"{key}-{Path(self.file).name}"


def downloads_dir() -> Path:
    """Where fetched toolchain files are kept (``downloads/`` under the cache root)."""
    return cache_root() / "downloads"


class LanguageSpec(FrozenModel):
    """Everything about one language, read from ``languages/<id>/language.toml``."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    source_file: str = Field(description="file name the program is written to, in /work")
    compile: str | None = Field(None, description="shell command run in /work before the run")
    run: str = Field(description="shell command that runs the program, in /work")
    version_command: str = Field(description="prints the toolchain version")
    time_factor: float = Field(1.0, gt=0, description="multiplies the run timeout")
    env: dict[str, str] = Field(default_factory=dict)
    limits: LimitOverridesSpec = Field(default_factory=LimitOverridesSpec)
    rewrite: str | None = Field(None, description="name of a registered source rewrite")
    base_image: str = Field("debian:bookworm", description="image the Dockerfile builds FROM")
    available: bool = Field(True, description="false when the base image needs a registry")
    smoke: SmokeSpec = Field(default_factory=SmokeSpec)
    suites: dict[str, SuiteAdapterSpec] = Field(
        default_factory=dict, description="per-suite program templates, by suite name"
    )
    fetch: tuple[FetchSpec, ...] = Field((), description="downloads the Dockerfile may COPY")
    shared: tuple[str, ...] = Field(
        (), description="files of languages/_shared/ the Dockerfile COPYs from files/<name>"
    )
    directory: Path = Field(exclude=True)

    @model_validator(mode="after")
    def _shared_files_exist(self) -> LanguageSpec:
        missing = [name for name in self.shared if not self.shared_file(name).is_file()]
        if missing:
            raise ValueError(f"shared files not in languages/{SHARED_DIR}/: {', '.join(missing)}")
        return self

    def shared_file(self, name: str) -> Path:
        """Where a declared shared file lives."""
        return self.directory.parent / SHARED_DIR / name

    @field_validator("rewrite")
    @classmethod
    def _known_rewrite(cls, name: str | None) -> str | None:
        if name is not None and name not in REWRITES:
            raise ValueError(
                f"unknown rewrite {name!r} (registered: {', '.join(sorted(REWRITES))})"
            )
        return name

    @property
    def image(self) -> str:
        return f"{IMAGE_PREFIX}-{self.id}:latest"

    @property
    def is_compiled(self) -> bool:
        return self.compile is not None

    def adapter(self, suite: str) -> SuiteAdapterSpec | None:
        """The ``[suites.<suite>]`` table, if this language has one."""
        return self.suites.get(suite)

    def apply_limits(self, limits: LimitsSpec) -> LimitsSpec:
        """The given limits with this language's overrides and time factor applied."""
        updates = {k: v for k, v in self.limits.model_dump().items() if v is not None}
        merged = limits.model_copy(update=updates) if updates else limits
        return merged.scaled(self.time_factor)

    def content_hash(self) -> str:
        """Hash of what goes into the image: the build context (Dockerfile and the files it
        may COPY) and the spec fields the image depends on. Suite adapters, known issues and
        smoke programs are not part of the image, so editing them never forces a rebuild.
        A fetched file counts by its declared integrity, and only once it is in the folder or
        the download cache (the Dockerfile may fall back without it), so that two checkouts on
        one machine agree on the hash."""
        digest = hashlib.sha256()
        targets = {entry.file: entry.integrity for entry in self.fetch}
        fetched = {
            entry.file: entry.integrity
            for entry in self.fetch
            if (self.directory / entry.file).is_file() or entry.cached_path().is_file()
        }
        image_fields = {
            "id": self.id,
            "base": self.base_image,
            "version": self.version_command,
            **({"fetched": fetched} if fetched else {}),
        }
        digest.update(json.dumps(image_fields, sort_keys=True).encode() + b"\0")
        for relative, path in self.context_files():
            if relative in targets:
                continue
            digest.update(relative.encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()[:16]

    def context_files(self) -> list[tuple[str, Path]]:
        """The image's build context, sorted: (path in the context, file on disk). The folder's
        files but the spec, known issues and smoke programs, and each declared shared file at
        ``files/<name>``."""
        found: dict[str, Path] = {}
        for path in self.directory.rglob("*"):
            relative = path.relative_to(self.directory)
            if path.is_file() and relative.parts[0] not in NOT_IN_IMAGE:
                found[relative.as_posix()] = path
        for name in self.shared:
            found[f"files/{name}"] = self.shared_file(name)
        return sorted(found.items(), key=lambda item: PurePosixPath(item[0]))

    def make_request(
        self,
        source: str,
        *,
        limits: LimitsSpec | None = None,
        stdin: str | None = None,
        extra_files: dict[str, str] | None = None,
        tag: str | None = None,
    ) -> ExecutionRequest:
        """An execution request running ``source`` as this language's main program."""
        files = dict(extra_files or {})
        source_file, source = apply_rewrite(self.rewrite, self.source_file, source)
        files[source_file] = source
        substitutions = {"{source}": source_file, "{stem}": Path(source_file).stem}
        return ExecutionRequest(
            image=self.image,
            files=files,
            compile=_substitute(self.compile, substitutions),
            run=_substitute(self.run, substitutions) or self.run,
            stdin=stdin,
            env=dict(self.env),
            limits=self.apply_limits(limits or LimitsSpec()),
            language=self.id,
            tag=tag,
        )


def _substitute(command: str | None, subs: dict[str, str]) -> str | None:
    if command is None:
        return None
    for key, value in subs.items():
        command = command.replace(key, value)
    return command


def languages_dir() -> Path:
    """Where language folders live (``SANDBOX_LANGUAGES_DIR`` overrides the project's own)."""
    override = os.environ.get("SANDBOX_LANGUAGES_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "languages"


def load_spec(directory: Path) -> LanguageSpec:
    """Parse and validate one language folder's spec file."""
    spec_path = directory / SPEC_FILE
    try:
        data = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        return LanguageSpec(**data, directory=directory)
    except (OSError, tomllib.TOMLDecodeError, ValidationError, TypeError) as exc:
        raise LanguageSpecError(
            f"{spec_path}: invalid language spec ({exc})".replace("\n", " "),
            "see CONTRIBUTING.md, 'Add a language'",
        ) from exc


@cache
def load_registry(root: Path | None = None) -> dict[str, LanguageSpec]:
    """Every language folder, keyed by id."""
    base = root or languages_dir()
    specs = [load_spec(d) for d in sorted(base.iterdir()) if (d / SPEC_FILE).is_file()]
    return {spec.id: spec for spec in specs}


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("_", "").replace("-", "")


def resolve_language(name: str) -> LanguageSpec:
    """Find a language by id or alias (case, spaces, '-' and '_' ignored)."""
    wanted = _normalise(name)
    for spec in load_registry().values():
        if wanted in {_normalise(spec.id), *(_normalise(a) for a in spec.aliases)}:
            return spec
    known = ", ".join(sorted(load_registry()))
    raise UnknownLanguageError(
        f"unknown language {name!r}", f"use one of: {known} (see `sandbox languages`)"
    )


def select_languages(names: list[str] | None) -> list[LanguageSpec]:
    """``None``, ``[]`` or ``['all']`` means every language; otherwise resolve each name."""
    if not names or [n.lower() for n in names] == ["all"]:
        return list(load_registry().values())
    return [resolve_language(n) for n in names]
