"""The report's tables as plain data, shared by the terminal, Markdown and HTML renderers."""

from __future__ import annotations

from dataclasses import dataclass, field

from runners.report.schema import MetricKind, MetricValue, ReportResult, SourceKind

MISSING = "-"
HEADLINE_ORDER = ("win_rate", "tie_rate", "loss_rate", "score_paper", "score_arena", "score")
JUDGE_TITLES = {
    "codearena": "Alignment: CodeArena (pairwise against the baseline answer)",
    "codearena-grounded": "Alignment: CodeArena grounded in execution (the judge sees the runs)",
    "codal": "Alignment: CODAL-Bench (1-10 per coding preference)",
    "judge-check": "Judge validity against tests (prefers the passing answer; per judge model)",
}
# Columns after the headline ones: the answers' code run in the sandbox, grounding's effect.
EXTRA_JUDGE_COLUMNS = {
    "exec.compile_rate": "code compiles",
    "exec.run_clean_rate": "code runs clean",
    "vs_plain.changed_rate": "verdicts changed by grounding",
    "plain.validity_rate": "plain",
    "execution.validity_rate": "grounded in execution",
    "flips.changed_rate": "verdicts changed by grounding",
}


@dataclass(frozen=True)
class TableData:
    """A titled table: header cells and rows of already formatted cells."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def format_metric(metric: MetricValue | None, *, interval: bool = True) -> str:
    """75.0% [40.9, 92.9] for a rate, 7.80 [7.20, 8.40] for a score, '-' when absent."""
    if metric is None:
        return MISSING

    def one(x: float) -> str:
        return f"{100 * x:.1f}%" if metric.kind is MetricKind.RATE else f"{x:.2f}"

    text = one(metric.value)
    if interval and metric.low is not None and metric.high is not None:
        text += f" [{one(metric.low).rstrip('%')}, {one(metric.high).rstrip('%')}]"
    return text


def metric_names(report: ReportResult, kind: SourceKind) -> list[str]:
    """Names of the metrics of sources of ``kind``: sorted per source, sources in order."""
    names: dict[str, None] = {}
    for source in report.sources:
        if source.kind is kind:
            for name in sorted(source.metrics, key=_metric_sort_key):
                names.setdefault(name, None)
    return list(names)


def _metric_sort_key(name: str) -> tuple[str, int, str]:
    head, _, last = name.rpartition(".")
    number = int(last[5:]) if last.startswith("pass@") and last[5:].isdigit() else 0
    return head, number, last


def build_tables(report: ReportResult, *, interval: bool = True) -> list[TableData]:
    """Correctness, per-language and one alignment table per judge protocol; empty ones dropped."""
    suite_names = metric_names(report, SourceKind.SUITE)
    tables = [
        _per_model_table(report, [(n, n) for n in suite_names], "Correctness (pass@k)", interval),
        _language_table(report),
    ]
    judge_names = metric_names(report, SourceKind.JUDGE)
    for protocol in dict.fromkeys(n.split(".", 1)[0] for n in judge_names):
        names = [n for n in judge_names if n.split(".", 1)[0] == protocol]
        title = JUDGE_TITLES.get(protocol, f"Alignment: {protocol}")
        tables.append(_per_model_table(report, judge_columns(protocol, names), title, interval))
    tables.append(_judge_language_table(report, interval))
    return [t for t in tables if t.rows]


def judge_columns(protocol: str, names: list[str]) -> list[tuple[str, str]]:
    """(metric, header) of the headline judge metrics; the rest stay in JSON and the gate."""
    if protocol == "codal":
        columns = [(n, "score (N/A as 0)") for n in names if n == "codal.score"]
        prefix, suffix = "codal.per_preference.", ".mean_na_as_zero"
        columns += [
            (n, n.removeprefix(prefix).removesuffix(suffix))
            for n in names
            if n.startswith(prefix) and n.endswith(suffix)
        ]
        return columns
    top = [n for n in names if n.count(".") == 1]
    order = {name: i for i, name in enumerate(HEADLINE_ORDER)}
    top.sort(key=lambda n: order.get(n.split(".", 1)[1], len(order)))
    extra = [(f"{protocol}.{k}", header) for k, header in EXTRA_JUDGE_COLUMNS.items()]
    return [(n, n.split(".", 1)[1]) for n in top] + [(n, h) for n, h in extra if n in names]


def _per_model_table(
    report: ReportResult, columns: list[tuple[str, str]], title: str, interval: bool
) -> TableData:
    table = TableData(title=title, header=["model", *(header for _, header in columns)])
    names = [name for name, _ in columns]
    if not names:
        return table
    for model in report.models:
        if any(name in model.metrics for name in names):
            cells = [format_metric(model.metrics.get(n), interval=interval) for n in names]
            table.rows.append([model.model, *cells])
    return table


def _language_table(report: ReportResult) -> TableData:
    models = [m.model for m in report.models]
    table = TableData(title="Per-language pass@1", header=["benchmark", "language", *models])
    keys: dict[tuple[str, str], None] = {}
    for model in report.models:
        for rate in model.languages:
            keys.setdefault((rate.benchmark, rate.language), None)
    for benchmark, language in sorted(keys):
        cells = []
        for model in report.models:
            metric = model.metrics.get(f"{benchmark}.{language}.pass@1")
            cells.append(format_metric(metric, interval=False))
        table.rows.append([benchmark, language, *cells])
    return table


def _judge_language_table(report: ReportResult, interval: bool) -> TableData:
    """Per-language metrics of judge runs (answers' code rates, validity): one row each."""
    models = [m.model for m in report.models]
    table = TableData(
        title="Judged answers and judge validity per language",
        header=["metric", "language", *models],
    )
    rows: dict[tuple[str, str], None] = {}
    for source in report.sources:
        if source.kind is SourceKind.JUDGE:
            for metric in source.metrics.values():
                if metric.language is not None:
                    rows.setdefault((metric.name, metric.language), None)
    for name, language in sorted(rows):
        cells = [format_metric(m.metrics.get(name), interval=interval) for m in report.models]
        short = name.replace(f".per_language.{language}", "")
        table.rows.append([short, language, *cells])
    return table


def provenance_rows(report: ReportResult) -> list[tuple[str, str, str]]:
    """(source, field, value) for every provenance entry of every source, flattened."""
    rows: list[tuple[str, str, str]] = []
    for source in report.sources:
        label = f"{source.model} / {source.name}"
        for key, value in _flatten(source.provenance):
            rows.append((label, key, value))
    return rows


def _flatten(data: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(data, dict):
        out: list[tuple[str, str]] = []
        for key in sorted(data):
            out.extend(_flatten(data[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(data, list):
        return [(prefix, ", ".join(str(x) for x in data))]
    return [(prefix, str(data))]
