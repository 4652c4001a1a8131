"""Judging grounded in execution: the code inside judged answers compiled and run in the
sandbox (``models``, ``programs``, ``execute``), what the judge is shown of it (``render``), the
rates per model (``metrics``), the execution-grounded CodeArena protocol (``protocol``), and the
judge's validity against tests (``check``).

Nothing is imported here on purpose: ``runners.judge.codearena`` imports ``models`` and the
grounded protocol imports ``codearena``.
"""
