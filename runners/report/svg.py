"""Inline SVG plots for the HTML report: no scripts, no fonts or files from anywhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from runners.report.schema import MetricKind, MetricValue, ReportResult

PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C")
CORRECTNESS_PREFERENCE = (
    "humaneval+.plus.pass@1",
    "mbpp+.plus.pass@1",
    "humaneval+.base.pass@1",
    "mbpp+.base.pass@1",
)
ALIGNMENT_PREFERENCE = (
    "codearena.win_rate",
    "codearena.score_paper",
    "codearena.score",
    "codal.score",
)


def model_colour(index: int) -> str:
    """A stable colour per model position."""
    return PALETTE[index % len(PALETTE)]


def render_language_bars(report: ReportResult) -> str:
    """Grouped horizontal bars: pass@1 per (benchmark, language), one bar per model."""
    models = [m.model for m in report.models]
    keys = sorted({(r.benchmark, r.language) for m in report.models for r in m.languages})
    if not keys:
        return ""
    bar, gap, label_w, plot_w, top = 12, 10, 170, 460, 30
    group_h = bar * len(models) + gap
    height = top + group_h * len(keys) + 20 + 18 * len(models)
    parts = [_svg_open(label_w + plot_w + 40, height, "per-language pass@1 by model")]
    parts.append(_axis_ticks(label_w, top, plot_w, group_h * len(keys)))
    for row, (benchmark, language) in enumerate(keys):
        y0 = top + row * group_h
        label = f"{benchmark} · {language}"
        parts.append(_text(label_w - 6, y0 + group_h / 2, label, anchor="end"))
        for index, model in enumerate(report.models):
            metric = model.metrics.get(f"{benchmark}.{language}.pass@1")
            if metric is None:
                continue
            width = max(0.0, min(1.0, metric.value)) * plot_w
            y = y0 + index * bar
            title = f"{model.model}, {label}: {100 * metric.value:.1f}%"
            parts.append(
                f'<rect class="bar" x="{label_w}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{bar - 2}" fill="{model_colour(index)}">'
                f"<title>{escape(title)}</title></rect>"
            )
    legend = [(m, model_colour(i)) for i, m in enumerate(models)]
    parts.append(_legend(legend, label_w, top + group_h * len(keys) + 16, vertical=True))
    parts.append("</svg>")
    return "\n".join(parts)


def _axis_ticks(x0: float, y0: float, width: float, height: float) -> str:
    out = []
    for step in range(0, 11, 2):
        x = x0 + width * step / 10
        out.append(
            f'<line x1="{x:.1f}" y1="{y0 - 4}" x2="{x:.1f}" y2="{y0 + height}" class="grid"/>'
        )
        out.append(_text(x, y0 - 8, f"{step * 10}%", anchor="middle"))
    return "\n".join(out)


@dataclass(frozen=True)
class ScatterPoint:
    """One model on the correctness/alignment plane."""

    model: str
    colour: str
    x: MetricValue
    y: MetricValue


def choose_axes(report: ReportResult) -> tuple[str, str] | None:
    """The correctness and alignment metrics most models have, by preference order."""

    def pick(options: tuple[str, ...]) -> str | None:
        counts = {name: sum(name in m.metrics for m in report.models) for name in options}
        best = max(options, key=lambda name: counts[name])
        return best if counts[best] else None

    x, y = pick(CORRECTNESS_PREFERENCE), pick(ALIGNMENT_PREFERENCE)
    if x is None:
        return None
    if y is None:
        codal = sorted({n for m in report.models for n in m.metrics if n.startswith("codal.")})
        y = codal[0] if codal else None
    return (x, y) if y else None


def render_correctness_alignment(report: ReportResult) -> str:
    """Scatter of each model's correctness (x) against alignment (y), with interval bars."""
    axes = choose_axes(report)
    if axes is None:
        return ""
    x_name, y_name = axes
    points = [
        ScatterPoint(m.model, model_colour(i), m.metrics[x_name], m.metrics[y_name])
        for i, m in enumerate(report.models)
        if x_name in m.metrics and y_name in m.metrics
    ]
    if not points:
        return ""
    size, pad = 360, 50
    x_max = 1.0
    y_max = 1.0 if points[0].y.kind is MetricKind.RATE else _score_ceiling(points)
    parts = [_svg_open(size + 2 * pad + 160, size + 2 * pad, "correctness against alignment")]
    parts.append(f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" class="frame"/>')
    for step in range(0, 6):
        frac = step / 5
        parts.append(_text(pad + frac * size, pad + size + 16, _tick(frac * x_max, True), "middle"))
        y_label = _tick(frac * y_max, points[0].y.kind is MetricKind.RATE)
        parts.append(_text(pad - 6, pad + size - frac * size + 4, y_label, "end"))
    parts.append(_text(pad + size / 2, pad + size + 36, x_name, "middle", "axis-label"))
    parts.append(
        f'<text class="axis-label" transform="translate({pad - 38},{pad + size / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_name)}</text>'
    )

    def sx(v: float) -> float:
        return pad + max(0.0, min(1.0, v / x_max)) * size

    def sy(v: float) -> float:
        return pad + size - max(0.0, min(1.0, v / y_max)) * size

    for point in points:
        parts.extend(_error_bars(point, sx, sy))
        cx, cy = sx(point.x.value), sy(point.y.value)
        title = f"{point.model}: {x_name}={point.x.value:.3f}, {y_name}={point.y.value:.3f}"
        parts.append(
            f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{point.colour}">'
            f"<title>{escape(title)}</title></circle>"
        )
        parts.append(_text(cx + 9, cy - 7, point.model))
    legend = [(p.model, p.colour) for p in points]
    parts.append(_legend(legend, pad + size + 20, pad + 10, vertical=True))
    parts.append("</svg>")
    return "\n".join(parts)


def _error_bars(
    point: ScatterPoint, sx: Callable[[float], float], sy: Callable[[float], float]
) -> list[str]:
    out = []
    x, y = point.x, point.y
    if x.low is not None and x.high is not None:
        out.append(
            f'<line class="err" x1="{sx(x.low):.1f}" x2="{sx(x.high):.1f}" '
            f'y1="{sy(y.value):.1f}" y2="{sy(y.value):.1f}" stroke="{point.colour}"/>'
        )
    if y.low is not None and y.high is not None:
        out.append(
            f'<line class="err" x1="{sx(x.value):.1f}" x2="{sx(x.value):.1f}" '
            f'y1="{sy(y.low):.1f}" y2="{sy(y.high):.1f}" stroke="{point.colour}"/>'
        )
    return out


def _score_ceiling(points: list[ScatterPoint]) -> float:
    top = max(max(p.y.value, p.y.high or 0.0) for p in points)
    return 10.0 if top <= 10 else float(int(top) + 1)


def _tick(value: float, rate: bool) -> str:
    return f"{100 * value:.0f}%" if rate else f"{value:.1f}"


def _svg_open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">'
        f"<title>{escape(label)}</title>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "label") -> str:
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _legend(entries: list[tuple[str, str]], x: float, y: float, *, vertical: bool = False) -> str:
    out = []
    offset = 0.0
    for index, (model, colour) in enumerate(entries):
        lx, ly = (x, y + index * 18) if vertical else (x + offset, y)
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" fill="{colour}"/>')
        out.append(_text(lx + 14, ly, model))
        offset += 24 + 7 * len(model)
    return f'<g class="legend">{"".join(out)}</g>'
