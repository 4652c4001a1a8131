"""Deterministic mutants of a Python solution, for benchmarks that need several distinct samples
per task (``bench_evalplus.py --n 10``): what a model sampled at a temperature produces looks like
this, near-copies of one program with a changed operator, constant or condition, some of them
wrong, some looping forever.

Mutant ``k`` of a program applies the ``k``-th single change found walking its syntax tree
(comparisons, arithmetic and boolean operators, integer constants, ``not``); past the last one
it applies pairs of changes. A program without any site (or that does not parse) gets variants
that differ only in a trailing comment, so that no two samples of a task are the same text.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator

SWAPS: dict[type[ast.AST], type[ast.AST]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Add,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


def _parse(source: str) -> ast.AST:
    """The syntax tree with a node of its own for every operator (the parser shares one
    instance per operator kind, and each occurrence must be changeable alone)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if type(value) in SWAPS:
                setattr(node, name, type(value)())
            elif isinstance(value, list) and any(type(v) in SWAPS for v in value):
                setattr(node, name, [type(v)() if type(v) in SWAPS else v for v in value])
    return tree


def _sites(tree: ast.AST) -> list[tuple[int, str]]:
    """(node position in walk order, kind) of every place a single change can be made."""
    found: list[tuple[int, str]] = []
    for position, node in enumerate(ast.walk(tree)):
        if type(node) in SWAPS:
            found.append((position, "swap"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            found.append((position, "plus_one"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.append((position, "drop_not"))
    return found


class _Mutator(ast.NodeTransformer):
    def __init__(self, targets: dict[int, str], positions: dict[int, int]) -> None:
        self.targets = targets
        self.positions = positions

    def generic_visit(self, node: ast.AST) -> ast.AST:
        kind = self.targets.get(self.positions.get(id(node), -1))
        if kind == "drop_not" and isinstance(node, ast.UnaryOp):
            return self.generic_visit(node.operand)
        node = super().generic_visit(node)
        if kind == "swap":
            return SWAPS[type(node)]()
        if kind == "plus_one" and isinstance(node, ast.Constant) and type(node.value) is int:
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node


def _apply(source: str, sites: tuple[tuple[int, str], ...]) -> str:
    tree = _parse(source)
    positions = {id(node): n for n, node in enumerate(ast.walk(tree))}
    mutated = _Mutator(dict(sites), positions).visit(tree)
    return ast.unparse(ast.fix_missing_locations(mutated)) + "\n"


def iterate_mutants(source: str) -> Iterator[str]:
    """Distinct mutants of ``source``, first-order changes first, then pairs, then comments."""
    seen = {source}
    try:
        sites = _sites(_parse(source))
    except SyntaxError:
        sites = []
    combos = itertools.chain(itertools.combinations(sites, 1), itertools.combinations(sites, 2))
    for combo in combos:
        try:
            mutant = _apply(source, combo)
        except (SyntaxError, ValueError, RecursionError):
            continue
        if mutant not in seen:
            seen.add(mutant)
            yield mutant
    for n in itertools.count(1):
        yield f"{source.rstrip()}\n# variant {n}\n"


def make_mutants(source: str, count: int) -> list[str]:
    """The first ``count`` mutants of ``source`` (see ``iterate_mutants``)."""
    return list(itertools.islice(iterate_mutants(source), count))
