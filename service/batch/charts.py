"""Inline SVG charts for the library dashboard: no JavaScript, nothing fetched.

Each function returns escaped SVG markup (a ``markupsafe.Markup``) that the
Jinja2 template inserts as is. Text in the charts (plan folders, rule codes)
is escaped here; every bar has a ``<title>`` so hovering shows the exact
figure, and the numbers are also printed beside the bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

COLORS = {
    "error": "#dc2626",
    "warning": "#d97706",
    "info": "#2563eb",
    "bar": "#4f46e5",
    "muted": "#6b7280",
    "grid": "#e5e7eb",
    "good": "#059669",
    "bad": "#dc2626",
}
_FONT = (
    "font-family=\"system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', "
    "'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Droid Sans Fallback', "
    "'PingFang TC', 'Microsoft JhengHei', 'Noto Sans CJK TC', "
    "'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji', sans-serif\""
)


@dataclass
class Bar:
    """One row of a horizontal bar chart: a label and its segments (value, colour key, title)."""

    label: str
    segments: list[tuple[float, str, str]] = field(default_factory=list)
    note: str = ""  # printed after the bar; defaults to the total
    href: str | None = None

    @property
    def total(self) -> float:
        return sum(v for v, _, _ in self.segments)


def _text_width(text: str) -> float:
    """Rough rendered width at 12px: CJK characters are about twice as wide as Latin ones."""
    return sum(12.0 if ord(ch) > 0x2E80 else 6.8 for ch in text)


def _clip(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch + "…") > width:
            break
        out += ch
    return out + "…"


def hbar_chart(
    bars: list[Bar],
    *,
    title: str,
    max_value: float | None = None,
    label_width: int = 220,
    width: int = 720,
    unit: str = "",
) -> Markup:
    """Horizontal bars, one row each, stacked segments, value printed at the end."""
    row, top, bar_h = 24, 8, 16
    height = top * 2 + row * max(1, len(bars))
    # room after the longest bar for the longest note ("100% (14/14)"), so none is clipped
    notes = [bar.note or f"{_fmt(bar.total)}{unit}" for bar in bars]
    note_w = max((_text_width(n) for n in notes), default=0.0) + 12
    plot_w = max(width - label_width - max(note_w, 70.0), 40.0)
    peak = max_value if max_value is not None else max((b.total for b in bars), default=0.0)
    peak = peak or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" {_FONT} '
        f'font-size="12" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = top + i * row
        label = _clip(bar.label, label_width - 12)
        text = (
            f'<text x="{label_width - 8}" y="{y + 12}" text-anchor="end" '
            f'fill="#111827">{escape(label)}<title>{escape(bar.label)}</title></text>'
        )
        if bar.href:
            text = f'<a href="{escape(bar.href)}">{text}</a>'
        parts.append(text)
        x = float(label_width)
        for value, color, seg_title in bar.segments:
            w = plot_w * value / peak
            if w <= 0:
                continue
            fill = COLORS.get(color, color)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1.0):.1f}" height="{bar_h}" '
                f'fill="{escape(fill)}"><title>{escape(seg_title)}</title></rect>'
            )
            x += w
        note = notes[i]
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 12}" fill="{COLORS["muted"]}">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(
    counts: list[int],
    labels: list[str],
    *,
    title: str,
    width: int = 720,
    height: int = 200,
    colors: list[str] | None = None,
) -> Markup:
    """Vertical bars (e.g. plans per score band) with counts on top and labels below."""
    n = max(1, len(counts))
    left, bottom, top = 10, 34, 18
    plot_h = height - bottom - top
    slot = (width - left * 2) / n
    peak = max(counts, default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" {_FONT} '
        f'font-size="12" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}" '
        f'stroke="{COLORS["grid"]}"/>',
    ]
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        h = plot_h * count / peak
        x = left + i * slot + slot * 0.12
        w = slot * 0.76
        y = top + plot_h - h
        fill = COLORS.get((colors or [])[i], (colors or [])[i]) if colors else COLORS["bar"]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{max(h, 0):.1f}" '
            f'fill="{escape(fill)}"><title>{escape(label)}: {count}</title></rect>'
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'fill="#111827">{count}</text>'
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'fill="{COLORS["muted"]}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
