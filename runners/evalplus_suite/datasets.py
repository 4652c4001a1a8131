"""HumanEval+ and MBPP+ through evalplus's own loaders, with the shipped copy as the offline
fallback.

Resolution, first match wins: ``--data-dir FILE``; evalplus's override variable
(``HUMANEVAL_OVERRIDE_PATH`` / ``MBPP_OVERRIDE_PATH``); evalplus's cache; evalplus's download,
given :data:`DOWNLOAD_TIMEOUT_S` per network operation; the copy in ``datasets/`` (HumanEval+
only: the byte-identical file evalplus would download). MBPP+ is not shipped, so offline
without its file the run stops with one line saying how to get it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from runners.data import shipped_file
from runners.evalplus_suite.cache import cache_dir
from sandbox.errors import BadInputError
from sandbox.files import write_atomic
from sandbox.models import FrozenModel

Problems = dict[str, dict[str, Any]]


class SuiteSpec(FrozenModel):
    """One of the four suites: evalplus's dataset and whether the plus tests run."""

    name: str
    dataset: Literal["humaneval", "mbpp"]
    base_only: bool


class DatasetInfo(FrozenModel):
    """What was scored: evalplus's dataset name, its pinned version, the file's md5, where the
    file was and how it was found (``given``, ``override``, ``evalplus-cache``,
    ``evalplus-download`` or ``shipped``)."""

    name: str
    version: str
    hash: str
    path: str
    source: str = "given"


DOWNLOAD_TIMEOUT_S = 5.0
"""Per network operation of evalplus's download: offline, the fallback comes at once."""
SHIPPED = {"humaneval": ("humanevalplus", "HumanEvalPlus.jsonl.gz")}
"""Datasets the project ships (datasets/README.md), by evalplus dataset name."""


SUITES = {
    "humaneval+": SuiteSpec(name="humaneval+", dataset="humaneval", base_only=False),
    "humaneval": SuiteSpec(name="humaneval", dataset="humaneval", base_only=True),
    "mbpp+": SuiteSpec(name="mbpp+", dataset="mbpp", base_only=False),
    "mbpp": SuiteSpec(name="mbpp", dataset="mbpp", base_only=True),
}


def resolve_suite(name: str) -> SuiteSpec:
    """The suite called ``name`` (case-insensitive); BadInputError naming the choices."""
    spec = SUITES.get(name.strip().lower())
    if spec is None:
        raise BadInputError(f"unknown evalplus suite {name!r}", f"use one of: {', '.join(SUITES)}")
    return spec


def load_problems(
    suite: SuiteSpec, dataset_path: Path | None = None, limit: int | None = None
) -> tuple[Problems, DatasetInfo]:
    """The suite's tasks (first ``limit`` if given) and the dataset's identity.

    ``dataset_path`` (a ``.jsonl`` or ``.jsonl.gz`` in evalplus's format) replaces evalplus's
    download/cache lookup; without it evalplus's own resolution applies (override variable,
    then ``~/.cache/evalplus``, then a download).
    """
    module, loader, hasher, name = _evalplus_loader(suite)
    source = "given"
    if dataset_path is None:
        dataset_path, source = _default_dataset(module, suite)
    override = _prepare_override(dataset_path) if dataset_path is not None else None
    with _override(module, suite, override):
        try:
            problems: Problems = loader()
            digest: str = hasher()
            path = _resolved_path(module)
        except (OSError, ValueError, KeyError, AssertionError) as exc:
            raise _dataset_error(suite, dataset_path, exc) from exc
    if limit is not None:
        if limit < 1:
            raise BadInputError(f"--limit must be at least 1, got {limit}", "pass a positive N")
        problems = dict(list(problems.items())[:limit])
    version = (
        module.HUMANEVAL_PLUS_VERSION if suite.dataset == "humaneval" else module.MBPP_PLUS_VERSION
    )
    return problems, DatasetInfo(name=name, version=version, hash=digest, path=path, source=source)


def _default_dataset(module: ModuleType, suite: SuiteSpec) -> tuple[Path | None, str]:
    """(file to use or None for evalplus's own path, how it was found); see the module doc."""
    if getattr(module, _override_attribute(suite)):
        return None, "override"
    from evalplus.data.utils import get_dataset_metadata, make_cache

    name = "HumanEvalPlus" if suite.dataset == "humaneval" else "MbppPlus"
    version = getattr(
        module, f"{'HUMANEVAL' if suite.dataset == 'humaneval' else 'MBPP'}_PLUS_VERSION"
    )
    url, cached = get_dataset_metadata(name, version, False, False)
    if os.path.exists(cached):
        return None, "evalplus-cache"
    failure = _try_download(make_cache, url, cached)
    if failure is None:
        return None, "evalplus-download"
    shipped = shipped_file(*SHIPPED[suite.dataset]) if suite.dataset in SHIPPED else None
    if shipped is not None:
        return shipped, "shipped"
    raise BadInputError(
        f"the {suite.name} dataset is not cached and evalplus's download failed ({failure})",
        f"go online once (evalplus caches it), or pass the {name}-{version}.jsonl file "
        "with --data-dir FILE",
    )


def _try_download(make_cache: Any, url: str, target: str) -> str | None:
    """Run evalplus's download with a short socket timeout and its printing silenced; None on
    success, else the reason. evalplus writes the cache file only when it is complete."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            make_cache(url, target)
    except (OSError, ValueError, EOFError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    finally:
        socket.setdefaulttimeout(previous)
    return None


def _evalplus_loader(suite: SuiteSpec) -> tuple[ModuleType, Any, Any, str]:
    if suite.dataset == "humaneval":
        from evalplus.data import humaneval

        return (
            humaneval,
            humaneval.get_human_eval_plus,
            humaneval.get_human_eval_plus_hash,
            "HumanEvalPlus",
        )
    from evalplus.data import mbpp

    return mbpp, mbpp.get_mbpp_plus, mbpp.get_mbpp_plus_hash, "MbppPlus"


@contextlib.contextmanager
def _override(module: ModuleType, suite: SuiteSpec, path: Path | None) -> Iterator[None]:
    """evalplus reads the override variable once at import: set its module global instead."""
    attribute = _override_attribute(suite)
    previous = getattr(module, attribute)
    if path is not None:
        setattr(module, attribute, str(path))
    try:
        yield
    finally:
        setattr(module, attribute, previous)


def _override_attribute(suite: SuiteSpec) -> str:
    return "HUMANEVAL_OVERRIDE_PATH" if suite.dataset == "humaneval" else "MBPP_OVERRIDE_PATH"


def _resolved_path(module: ModuleType) -> str:
    if module.__name__.endswith("humaneval"):
        return str(module._ready_human_eval_plus_path())
    return str(module._ready_mbpp_plus_path())


def _prepare_override(path: Path) -> Path:
    """A readable JSONL path; a ``.gz`` is decompressed once into the cache (evalplus hashes
    the decompressed file, so the dataset hash matches evalplus's own cache)."""
    if not path.is_file():
        raise BadInputError(f"dataset file {path} does not exist", "check --data-dir")
    if path.suffix != ".gz":
        return path.resolve()
    raw = path.read_bytes()
    target = cache_dir() / "datasets" / f"{hashlib.md5(raw).hexdigest()}-{path.stem}"
    if not target.is_file():
        try:
            text = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise BadInputError(f"{path}: not a valid gzip file ({exc})", "re-download it") from exc
        write_atomic(target, text)
    return target


def _dataset_error(suite: SuiteSpec, path: Path | None, exc: Exception) -> BadInputError:
    variable = _override_attribute(suite)
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, json.JSONDecodeError | KeyError | AssertionError):
        where = path or "the evalplus dataset"
        return BadInputError(
            f"{where}: not in evalplus's {suite.dataset} format ({detail})",
            "pass an evalplus HumanEvalPlus/MbppPlus .jsonl file",
        )
    return BadInputError(
        f"cannot load the {suite.name} dataset through evalplus ({detail})",
        f"pass --data-dir FILE.jsonl (or set {variable}), or go online once "
        "so that evalplus caches it",
    )
