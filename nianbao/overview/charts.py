"""Charts drawn as inline SVG and HTML, so the run report needs no script and no network.

Each function returns markup for one picture; every figure it draws is also written as text (a
label or a ``<title>`` tooltip), so the report reads the same in a browser without SVG."""
from __future__ import annotations

from html import escape

BAR = "#3b6ea5"
WARN = "#c98a1b"
ERROR = "#b8412f"
RATE = "#2f8f5b"


def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def horizontal_bars(items: list[tuple[str, float, str]], *, colours: list[str] | None = None,
                    label_width: int = 190, width: int = 760, row: int = 24) -> str:
    """One bar per (label, value, tooltip), longest = full width, value printed after the bar."""
    top = max((v for _, v, _ in items), default=0) or 1
    room = width - label_width - 80
    parts = []
    for i, (label, value, tip) in enumerate(items):
        y = i * row
        length = max(room * value / top, 1 if value else 0)
        colour = colours[i] if colours else BAR
        parts.append(
            f'<g><title>{escape(tip)}</title>'
            f'<text x="{label_width - 8}" y="{y + row * 0.68:.1f}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + row * 0.68:.1f}">{number(value)}</text></g>')
    height = max(len(items), 1) * row
    return (f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            + "".join(parts) + "</svg>")


def columns_with_rate(points: list[tuple[int, float, float | None]], *, width: int = 760,
                      height: int = 260) -> str:
    """Columns for a count per year (left axis) and a line for a share (right axis, 0–100 %)."""
    left, right, top, bottom = 70, 50, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((c for _, c, _ in points), default=0) or 1
    step = plot_w / max(len(points), 1)
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>']
    for tick in (0, 0.5, 1):
        y = top + plot_h * (1 - tick)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{number(peak * tick)}</text>'
                     f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" class="axis rate">{tick:.0%}</text>')
    line = []
    for i, (year, count, share) in enumerate(points):
        x = left + i * step
        h = plot_h * count / peak
        parts.append(f'<g><title>{year}: {number(count)} requests received, granted in full or part '
                     f'{percent(share)}</title><rect x="{x + step * 0.15:.1f}" y="{top + plot_h - h:.1f}" '
                     f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BAR}"/>'
                     f'<text x="{x + step / 2:.1f}" y="{height - 8}" text-anchor="middle" class="axis">{year}</text></g>')
        if share is not None:
            line.append((x + step / 2, top + plot_h * (1 - share), year, share))
    if line:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{RATE}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{RATE}"><title>{year}: {percent(s)} granted'
                  f'</title></circle>' for x, y, year, s in line]
    return (f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            + "".join(parts) + "</svg>")


def heat(value: float, peak: float) -> str:
    """Background of a table cell: pale for few, dark blue for the most."""
    if not value:
        return ""
    strength = 0.15 + 0.85 * min(value / (peak or 1), 1)
    return f' style="background: rgba(59, 110, 165, {strength:.2f}); color: {"#fff" if strength > 0.55 else "#111"}"'


def inline_bar(share: float | None, colour: str = RATE, width: int = 120) -> str:
    """A small bar for a share inside a table cell."""
    if share is None:
        return ""
    return (f'<svg width="{width}" height="10" role="img"><rect width="{width}" height="10" fill="#e6e6e6"/>'
            f'<rect width="{width * min(max(share, 0), 1):.1f}" height="10" fill="{colour}"/></svg>')
