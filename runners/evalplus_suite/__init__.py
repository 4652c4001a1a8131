"""HumanEval(+) and MBPP(+) scored exactly as evalplus 0.3.1 scores them, every sample in its
own sandboxed container. The suites register under their evalplus names; :func:`run_evalplus`
is a shortcut for scripts and tests."""

from runners.evalplus_suite.suite import run_evalplus

__all__ = ["run_evalplus"]
