"""One error hierarchy. Every error a user can fix carries the fix in its message.

The CLI prints ``str(error)`` on one line and exits with code 2; no traceback.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error this project raises on purpose."""

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} (fix: {fix})" if fix else problem)


class EngineUnavailableError(SandboxError):
    """The Docker engine cannot be reached."""


class ImageMissingError(SandboxError):
    """A language image has not been built on this engine."""


class RuntimeMissingError(SandboxError):
    """The Docker engine lacks the OCI runtime a request asks for (e.g. runsc)."""


class UnknownLanguageError(SandboxError):
    """No language folder matches the requested name."""


class LanguageSpecError(SandboxError):
    """A language folder's spec file is invalid."""


class BadInputError(SandboxError):
    """A user-supplied file or value is malformed (names file and line where known)."""


class ImageBuildError(SandboxError):
    """Building or bootstrapping an image failed."""


class FetchError(ImageBuildError):
    """A file a language image needs could not be downloaded or failed its integrity check."""


class ClusterUnavailableError(SandboxError):
    """The Ray cluster cannot be reached, or none of its nodes can run the work."""


class ImageMismatchError(SandboxError):
    """Nodes hold different images under one tag: a run would mix two toolchains."""
