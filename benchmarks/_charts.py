"""Charts that need no plotting library: Mermaid ``xychart-beta`` blocks in the markdown.

GitHub and most markdown viewers render them; elsewhere they read as plain
lists of numbers. Every chart sits next to the table it draws, so nothing is
lost where Mermaid is not rendered.
"""

from __future__ import annotations

from collections.abc import Sequence


def _label(text: str, limit: int = 50) -> str:
    text = text.replace('"', "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    if abs(value) < 10:
        return f"{value:.3g}"
    return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"


def bar(title: str, labels: Sequence[str], values: Sequence[float], y_label: str, *,
        line: bool = False, x_label: str | None = None) -> str:
    """A Mermaid bar chart (or line chart with ``line=True``) of ``values`` by ``labels``."""
    if not values:
        return ""
    top = max(values) or 1.0
    xs = ", ".join(f'"{_label(label)}"' for label in labels)
    ys = ", ".join(_number(v) for v in values)
    x_axis = f'    x-axis "{_label(x_label, 60)}" [{xs}]' if x_label else f"    x-axis [{xs}]"
    return "\n".join([
        "```mermaid",
        "xychart-beta horizontal" if not line and len(labels) > 6 else "xychart-beta",
        f'    title "{_label(title, 80)}"',
        x_axis,
        f'    y-axis "{_label(y_label, 40)}" 0 --> {_number(top * 1.1)}',
        f"    {'line' if line else 'bar'} [{ys}]",
        "```",
    ])


def lines(title: str, xs: Sequence[str], series: dict[str, Sequence[float]], y_label: str, x_label: str) -> str:
    """Several series on one Mermaid line chart (xychart draws them in order; the legend is the caption)."""
    top = max((max(v) for v in series.values() if v), default=1.0) or 1.0
    xs_text = ", ".join(f'"{x}"' for x in xs)
    body = [f"    line [{', '.join(_number(v) for v in values)}]" for values in series.values()]
    legend = "; ".join(f"line {i + 1}: {name}" for i, name in enumerate(series))
    return "\n".join([
        "```mermaid", "xychart-beta", f'    title "{_label(title, 80)}"',
        f'    x-axis "{_label(x_label, 60)}" [{xs_text}]',
        f'    y-axis "{_label(y_label, 40)}" 0 --> {_number(top * 1.1)}', *body, "```", "", f"_{legend}._",
    ])


def text_bars(labels: Sequence[str], values: Sequence[float], unit: str, width: int = 40) -> str:
    """The same figures as a plain-text bar chart (readable anywhere, in a code block)."""
    if not values:
        return ""
    top = max(values) or 1.0
    pad = max(len(label) for label in labels)
    rows = [f"{label.ljust(pad)} {'█' * max(1, round(width * v / top))} {_number(v)} {unit}"
            for label, v in zip(labels, values, strict=True)]
    return "```text\n" + "\n".join(rows) + "\n```"
