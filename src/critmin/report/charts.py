"""Charts: the risk matrix as a plotly figure (HTML) and as a matplotlib rendering (PNG).

:func:`risk_matrix` builds a plotly figure from a ranked table (``critmin.risk()``): one bubble
per mineral, x = concentration or supply risk, y = import reliance (or another column), bubble
size = GeoPolRisk score, colour = the ranking score; the hover names each figure's source
dataset and year.  :func:`save` writes ``.html`` (plotly, with plotly.js embedded so the file
works offline) or ``.png`` (matplotlib, drawn from the same figure data: no kaleido, no
browser).  :func:`risk_matrix_png` does both steps for a PNG.

Reference lines: x = 0.18 when x is the HHI (fraction), the "highly concentrated" threshold of
the 2023 U.S. Merger Guidelines (1,800 points; ``../shared/methods/04_hhi_wgi_conventions.md``
§4.2), x = 1.0 when x is an EU CRM supply risk (the EU SR threshold), and y = 0.5 (half of
supply imported) when y is an import reliance.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"mineral": ["Cobalt", "Lithium"], "hhi": [0.5, 0.3],
...                    "import_reliance": [1.0, 0.6], "geopolrisk": [0.2, 0.1],
...                    "score": [0.9, 0.4]})
>>> fig = risk_matrix(df)
>>> [t.type for t in fig.data], list(fig.data[0].text)
(['scatter'], ['Cobalt', 'Lithium'])
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from critmin.errors import MethodError

__all__ = ["AXIS_TITLES", "risk_matrix", "risk_matrix_png", "save"]

#: Axis titles for the usual columns of a ranked table.
AXIS_TITLES = {
    "hhi": "Concentration of the driving stage (HHI, 0-1)",
    "mine_hhi": "Concentration of mining (HHI, 0-1)",
    "refinery_hhi": "Concentration of refining (HHI, 0-1)",
    "wgi_hhi": "Governance-weighted concentration (EU HHI_WGI, 0-10)",
    "top1_share": "Share of the largest producer (0-1)",
    "sr": "Supply risk (EU CRM method)",
    "import_reliance": "Import reliance (BACI trade and production, 0-1)",
    "geopolrisk": "GeoPolRisk score",
    "score": "Ranking score (0-1)",
}

#: The 2023 U.S. Merger Guidelines' "highly concentrated" HHI as a fraction (1,800 points;
#: methods/04 §4.2).
HIGHLY_CONCENTRATED = 0.18

_SOURCE_COLUMNS = {
    "hhi": "concentration_source",
    "mine_hhi": "mine_source",
    "refinery_hhi": "refinery_source",
    "wgi_hhi": "concentration_source",
    "top1_share": "concentration_source",
    "import_reliance": "reliance_source",
    "geopolrisk": "geopolrisk_source",
}

_MIN_PX, _MAX_PX = 8.0, 40.0


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    x = float(v)  # type: ignore[arg-type]
    return f"{x:.3g}"


def _colours(values: pd.Series) -> list[str]:
    """Hex colours from matplotlib's YlOrRd map for values in 0..1 (grey for NaN)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["YlOrRd"]
    return [
        "#9e9e9e" if not np.isfinite(v) else to_hex(cmap(0.15 + 0.85 * float(np.clip(v, 0, 1))))
        for v in values.astype(float)
    ]


def _sizes(values: pd.Series | None, n: int) -> list[float]:
    if values is None:
        return [14.0] * n
    v = values.astype(float).to_numpy()
    top = np.nanmax(v) if np.isfinite(v).any() else np.nan
    if not np.isfinite(top) or top <= 0:
        return [_MIN_PX] * n
    scaled = _MIN_PX + (_MAX_PX - _MIN_PX) * np.sqrt(np.clip(v, 0, None) / top)
    return [float(s) if np.isfinite(s) else _MIN_PX for s in scaled]


def _hover(df: pd.DataFrame, label: str, cols: list[str]) -> list[str]:
    lines = []
    for _, r in df.iterrows():
        parts = [f"<b>{r[label]}</b>"]
        for c in cols:
            if c not in df.columns:
                continue
            src = _SOURCE_COLUMNS.get(c)
            where = f" ({r[src]})" if src and src in df.columns and pd.notna(r[src]) else ""
            parts.append(f"{AXIS_TITLES.get(c, c)}: {_fmt(r[c])}{where}")
        if "driver" in df.columns and isinstance(r["driver"], str) and r["driver"]:
            parts.append(f"driver: {r['driver']}")
        lines.append("<br>".join(parts))
    return lines


def risk_matrix(
    df: pd.DataFrame,
    x: str = "hhi",
    y: str = "import_reliance",
    size: str | None = "geopolrisk",
    color: str | None = "score",
    label: str = "mineral",
    title: str | None = None,
) -> go.Figure:
    """Risk matrix: one bubble per mineral, concentration (x) against import reliance (y).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per mineral, e.g. :func:`critmin.assessments.risk.risk` output.  Needs the
        `x`, `y` and `label` columns; `size` and `color` are used when present.  Columns
        ``concentration_source``, ``reliance_source``, ``geopolrisk_source`` (dataset and year)
        and ``driver`` are shown in the hover when present.
    x, y : str, default 'hhi', 'import_reliance'
        Columns for the axes (e.g. ``x="sr"`` for an EU CRM supply risk).
    size : str or None, default 'geopolrisk'
        Column for the bubble area (scaled to the largest value); None = equal bubbles.
    color : str or None, default 'score'
        Column in 0..1 for the colour (yellow -> red); None = one colour.
    label : str, default 'mineral'
        Column with the text printed beside each bubble.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace; minerals without an x or y value are left out and named in an
        annotation.

    Raises
    ------
    MethodError
        If a needed column is missing or no mineral has both an x and a y value.
    """
    missing = [c for c in (x, y, label) if c not in df.columns]
    if missing:
        raise MethodError(
            f"risk_matrix needs column(s) {missing}; the table has {list(df.columns)}"
        )
    ok = df[x].notna() & df[y].notna()
    shown, left_out = df[ok], df.loc[~ok, label].astype(str).tolist()
    if shown.empty:
        raise MethodError(f"no mineral has both {x!r} and {y!r}; nothing to plot")
    sizes = _sizes(shown[size] if size and size in shown.columns else None, len(shown))
    colours = (
        _colours(shown[color]) if color and color in shown.columns else ["#d7301f"] * len(shown)
    )
    hover_cols = [c for c in (x, y, size, color) if c] + ["top1_share", "n_lists"]
    fig = go.Figure(
        go.Scatter(
            x=shown[x].astype(float).tolist(),
            y=shown[y].astype(float).tolist(),
            mode="markers+text",
            text=shown[label].astype(str).tolist(),
            textposition="top right",
            textfont={"size": 11},
            hovertext=_hover(shown, label, list(dict.fromkeys(hover_cols))),
            hoverinfo="text",
            marker={
                "size": sizes,
                "color": colours,
                "line": {"width": 1, "color": "#424242"},
                "opacity": 0.85,
            },
            name="minerals",
        )
    )
    if x in ("hhi", "mine_hhi", "refinery_hhi"):
        fig.add_vline(
            x=HIGHLY_CONCENTRATED,
            line_dash="dash",
            line_color="#616161",
            annotation_text="highly concentrated (HHI > 1,800)",
        )
    elif x == "sr":
        fig.add_vline(x=1.0, line_dash="dash", line_color="#616161", annotation_text="SR = 1")
    if y == "import_reliance":
        fig.add_hline(
            y=0.5, line_dash="dash", line_color="#616161", annotation_text="half imported"
        )
    notes = []
    if size and size in shown.columns:
        notes.append(f"bubble area ~ {size}")
    if color and color in shown.columns:
        notes.append(f"colour = {color}")
    if left_out:
        notes.append(f"not shown (no {x} or {y}): {', '.join(left_out[:12])}")
    fig.update_layout(
        title={"text": title or "Supply-risk matrix"},
        xaxis={"title": {"text": AXIS_TITLES.get(x, x)}, "rangemode": "tozero"},
        yaxis={"title": {"text": AXIS_TITLES.get(y, y)}, "rangemode": "tozero"},
        template="simple_white",
        showlegend=False,
        margin={"b": 90},
        annotations=[
            *fig.layout.annotations,
            go.layout.Annotation(
                text="; ".join(notes),
                xref="paper",
                yref="paper",
                x=0,
                y=-0.16,
                showarrow=False,
                xanchor="left",
                font={"size": 10, "color": "#616161"},
            ),
        ],
    )
    return fig


def _labels(
    ax: object, xs: np.ndarray, ys: np.ndarray, texts: list[str], diam_pt: np.ndarray, dpi: int
) -> None:
    """Label each bubble where its label overlaps no label placed before.

    Greedy, largest bubbles first: the first of eight positions around the bubble that is free;
    a label that fits nowhere takes the first position.
    """
    ax.figure.canvas.draw()  # type: ignore[attr-defined]
    to_px = ax.transData.transform  # type: ignore[attr-defined]
    px_per_pt = dpi / 72.0
    char_w, line_h = 4.9 * px_per_pt, 9.0 * px_per_pt  # 8-pt sans-serif, approximate
    placed: list[tuple[float, float, float, float]] = []
    for i in np.argsort(-np.asarray(diam_pt)):
        x0, y0 = to_px((xs[i], ys[i]))
        r = diam_pt[i] / 2 * px_per_pt + 2
        w, h = char_w * len(texts[i]), line_h
        options = [
            (r, r, "left", "bottom"),
            (r, -r - h, "left", "bottom"),
            (-r - w, r, "left", "bottom"),
            (-r - w, -r - h, "left", "bottom"),
            (-w / 2, r + 2, "left", "bottom"),
            (-w / 2, -r - h - 2, "left", "bottom"),
            (r, -h / 2, "left", "bottom"),
            (-r - w, -h / 2, "left", "bottom"),
        ]
        choice = options[0]
        for dx, dy, ha, va in options:
            box = (x0 + dx, y0 + dy, x0 + dx + w, y0 + dy + h)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                choice = (dx, dy, ha, va)
                break
        dx, dy, ha, va = choice
        placed.append((x0 + dx, y0 + dy, x0 + dx + w, y0 + dy + h))
        ax.annotate(  # type: ignore[attr-defined]
            texts[i],
            (xs[i], ys[i]),
            xytext=(dx / px_per_pt, dy / px_per_pt),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=8,
            zorder=4,
        )


def _png(fig: go.Figure, path: Path, width: int, height: int, dpi: int) -> Path:
    """Render the scatter traces, lines and titles of `fig` with matplotlib to a PNG file."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.transforms import blended_transform_factory

    mfig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(mfig)
    ax = mfig.add_subplot(111)
    pt_per_px = 72.0 / dpi
    vlines = [float(sh.x0) for sh in fig.layout.shapes if sh.type == "line" and sh.x0 == sh.x1]
    hlines = [float(sh.y0) for sh in fig.layout.shapes if sh.type == "line" and sh.y0 == sh.y1]
    traces = [t for t in fig.data if t.type == "scatter"]
    all_x = np.concatenate([np.asarray(t.x, dtype=float) for t in traces] + [np.array(vlines)])
    all_y = np.concatenate([np.asarray(t.y, dtype=float) for t in traces] + [np.array(hlines)])
    xmax = float(np.nanmax(all_x)) * 1.15 if np.isfinite(all_x).any() else 1.0
    ymax = float(np.nanmax(all_y)) * 1.12 if np.isfinite(all_y).any() else 1.0
    ax.set_xlim(0, xmax if xmax > 0 else 1.0)
    ax.set_ylim(-0.03 * (ymax if ymax > 0 else 1.0), ymax if ymax > 0 else 1.0)
    for trace in traces:
        xs, ys = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
        size = trace.marker.size
        sizes = np.broadcast_to(np.asarray(size if size is not None else 10.0, float), xs.shape)
        colour = trace.marker.color if trace.marker.color is not None else "#d7301f"
        ax.scatter(
            xs,
            ys,
            s=(sizes * pt_per_px) ** 2,
            c=list(colour) if not isinstance(colour, str) else colour,
            alpha=trace.marker.opacity if trace.marker.opacity is not None else 0.85,
            edgecolors="#424242",
            linewidths=0.8,
            zorder=3,
        )
        _labels(ax, xs, ys, list(trace.text or []), sizes * pt_per_px, dpi)
    for x0 in vlines:
        ax.axvline(x0, ls="--", lw=1, color="#616161", zorder=1)
    for y0 in hlines:
        ax.axhline(y0, ls="--", lw=1, color="#616161", zorder=1)
    for a in fig.layout.annotations:  # labels of the reference lines
        if a.xref == "x" and a.yref == "y domain":
            tr = blended_transform_factory(ax.transData, ax.transAxes)
            ax.text(a.x, 0.99, f" {a.text}", transform=tr, fontsize=7, va="top", color="#616161")
        elif a.xref == "x domain" and a.yref == "y":
            tr = blended_transform_factory(ax.transAxes, ax.transData)
            ax.text(
                0.99,
                a.y,
                a.text,
                transform=tr,
                fontsize=7,
                ha="right",
                va="bottom",
                color="#616161",
            )
    ax.set_xlabel(fig.layout.xaxis.title.text or "")
    ax.set_ylabel(fig.layout.yaxis.title.text or "")
    ax.set_title(fig.layout.title.text or "", loc="left", fontsize=11)
    notes = [a.text for a in fig.layout.annotations if a.yref == "paper" and (a.y or 0) < 0]
    if notes:
        mfig.text(0.01, 0.005, textwrap.fill("; ".join(notes), 190), fontsize=7, color="#616161")
    ax.grid(True, lw=0.3, alpha=0.5)
    mfig.subplots_adjust(left=0.08, right=0.97, top=0.92, bottom=0.14)
    mfig.savefig(path, dpi=dpi, format="png")
    return path


def save(
    fig: go.Figure, path: str | Path, width: int = 1000, height: int = 700, dpi: int = 100
) -> Path:
    """Write a figure: ``.html`` with plotly (plotly.js embedded, works offline) or ``.png``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        E.g. from :func:`risk_matrix`.
    path : str or Path
        Output file; the suffix chooses the format.
    width, height : int, default 1000, 700
        Size [px] of the PNG (the HTML figure fills the browser window).
    dpi : int, default 100
        Resolution of the PNG rendering [dots per inch].

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    MethodError
        If the suffix is neither ``.html`` nor ``.png``.

    Notes
    -----
    The PNG is drawn with matplotlib from the figure's own data (scatter traces, their marker
    sizes and colours, dashed reference lines, titles), so HTML and PNG show the same numbers
    without kaleido.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm"):
        p.parent.mkdir(parents=True, exist_ok=True)
        fig.write_html(str(p), include_plotlyjs=True, full_html=True)
        return p
    if suffix == ".png":
        p.parent.mkdir(parents=True, exist_ok=True)
        return _png(fig, p, int(width), int(height), int(dpi))
    raise MethodError(f"cannot write a chart to {p.name!r}: use a .html or .png file name")


def risk_matrix_png(
    df: pd.DataFrame,
    path: str | Path,
    width: int = 1000,
    height: int = 700,
    dpi: int = 100,
    **kwargs: object,
) -> Path:
    """Render :func:`risk_matrix` of `df` to a PNG with matplotlib.

    Parameters
    ----------
    df : pandas.DataFrame
        As for :func:`risk_matrix`.
    path : str or Path
        The PNG file.
    width, height : int, default 1000, 700
        Image size [px].
    dpi : int, default 100
        Resolution [dots per inch].
    **kwargs
        Passed to :func:`risk_matrix` (``x``, ``y``, ``size``, ``color``, ``label``,
        ``title``).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise MethodError(f"risk_matrix_png writes PNG files; got {p.name!r}")
    return save(risk_matrix(df, **kwargs), p, width=width, height=height, dpi=dpi)  # type: ignore[arg-type]
