"""Charts of recovery runs: secondary supply, share of demand met, sensitivity.

Interactive figures are plotly (HTML with plotly.js embedded, so the file works offline);
static images are drawn with matplotlib (no browser or kaleido needed).  Every function
takes tidy DataFrames, so the charts show exactly what the tables show:

* ``secondary`` — ``element, year, value`` [t/yr]: recovered element (secondary supply),
  e.g. ``result.secondary_supply(by=("element", "year"))``;
* ``share`` — ``element, year, share`` [-]: secondary supply / demand
  (:func:`critmin.circular.recovery.share_of_demand`);
* ``sensitivity`` — ``element, collection_rate, recovery_efficiency, secondary_supply``
  [t, cumulative] and optionally ``share`` [-]
  (:meth:`critmin.circular.api.RecoveryRun.sensitivity_summary`).

:func:`write_recovery_charts` writes all of them to one ``.html`` or ``.png`` file.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import MethodError

__all__ = [
    "ELEMENT_COLORS",
    "recovery_figures",
    "secondary_supply_figure",
    "sensitivity_figure",
    "share_figure",
    "write_recovery_charts",
]

#: One colour per element, the same in every chart (plotly's qualitative "Plotly" + "D3").
ELEMENT_COLORS: dict[str, str] = {
    "Li": "#636EFA",
    "Co": "#EF553B",
    "Ni": "#00CC96",
    "Mn": "#AB63FA",
    "graphite": "#7F7F7F",
    "Nd": "#FFA15A",
    "Pr": "#19D3F3",
    "Dy": "#FF6692",
    "Tb": "#B6E880",
    "Cu": "#D62728",
}
_FALLBACK = ("#1F77B4", "#FF7F0E", "#2CA02C", "#9467BD", "#8C564B", "#E377C2", "#BCBD22")


def _color(element: str, i: int) -> str:
    return ELEMENT_COLORS.get(element, _FALLBACK[i % len(_FALLBACK)])


def _need(df: pd.DataFrame | None, cols: tuple[str, ...], what: str) -> pd.DataFrame:
    if df is None:
        msg = f"{what} table is missing"
        raise MethodError(msg)
    lacking = [c for c in cols if c not in df.columns]
    if lacking:
        msg = f"{what} table lacks column(s) {lacking}; expected {list(cols)}"
        raise MethodError(msg)
    return df


def _elements(df: pd.DataFrame) -> list[str]:
    order = {e: i for i, e in enumerate(ELEMENT_COLORS)}
    return sorted(df["element"].unique(), key=lambda e: (order.get(e, 99), str(e)))


def _scale(max_t: float) -> tuple[float, str]:
    """Display unit for tonnes: t, kt or Mt."""
    if max_t >= 1e6:
        return 1e6, "Mt"
    if max_t >= 1e3:
        return 1e3, "kt"
    return 1.0, "t"


# ============================================================================ plotly
def secondary_supply_figure(secondary: pd.DataFrame, title: str | None = None):
    """Stacked area of secondary supply by element over time (plotly).

    Parameters
    ----------
    secondary : pandas.DataFrame
        ``element, year, value`` [t/yr]; other columns are summed over.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    df = _need(secondary, ("element", "year", "value"), "secondary supply")
    df = df.groupby(["element", "year"], as_index=False)["value"].sum()
    tot = df.groupby("year")["value"].sum()
    f, unit = _scale(float(tot.max()) if len(tot) else 0.0)
    fig = go.Figure()
    for i, e in enumerate(_elements(df)):
        d = df[df["element"] == e].sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=d["year"],
                y=d["value"] / f,
                name=str(e),
                mode="lines",
                stackgroup="one",
                line={"width": 0.5, "color": _color(e, i)},
                hovertemplate=f"{e} %{{x}}: %{{y:,.4g}} {unit}/yr<extra></extra>",
            )
        )
    fig.update_layout(
        title=title or "Secondary supply (recovered from end-of-life products) by element",
        xaxis_title="year",
        yaxis_title=f"{unit} per year",
        legend_title="element (click to hide)",
        template="plotly_white",
    )
    return fig


def share_figure(share: pd.DataFrame, title: str | None = None):
    """Lines of the share of demand met by secondary supply, per element (plotly).

    Parameters
    ----------
    share : pandas.DataFrame
        ``element, year, share`` [-].
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    df = _need(share, ("element", "year", "share"), "share of demand")
    df = df.groupby(["element", "year"], as_index=False)["share"].first()
    fig = go.Figure()
    for i, e in enumerate(_elements(df)):
        d = df[df["element"] == e].sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=d["year"],
                y=d["share"],
                name=str(e),
                mode="lines",
                line={"color": _color(e, i)},
                hovertemplate=f"{e} %{{x}}: %{{y:.1%}}<extra></extra>",
            )
        )
    fig.update_layout(
        title=title or "Share of demand met by secondary supply",
        xaxis_title="year",
        yaxis_title="share of demand",
        yaxis_tickformat=".0%",
        template="plotly_white",
    )
    return fig


def _sens_value(sens: pd.DataFrame) -> tuple[str, str]:
    """Column shown in the heatmaps and its label."""
    if "share" in sens.columns and sens["share"].notna().any():
        return "share", "cumulative share of demand"
    return "secondary_supply", "cumulative secondary supply [t]"


def sensitivity_figure(sensitivity: pd.DataFrame, title: str | None = None):
    """Heatmaps of collection rate × recovery efficiency, one per element (plotly).

    Parameters
    ----------
    sensitivity : pandas.DataFrame
        ``element, collection_rate, recovery_efficiency, secondary_supply`` [t] and
        optionally ``share`` [-] (shown when present).
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    cols = ("element", "collection_rate", "recovery_efficiency", "secondary_supply")
    df = _need(sensitivity, cols, "sensitivity")
    value, label = _sens_value(df)
    elems = _elements(df)
    ncol = min(5, len(elems))
    nrow = math.ceil(len(elems) / ncol)
    fig = make_subplots(
        rows=nrow,
        cols=ncol,
        subplot_titles=[str(e) for e in elems],
        horizontal_spacing=0.04,
        vertical_spacing=0.12,
    )
    fmt = "%{z:.1%}" if value == "share" else "%{z:,.3s}"
    for i, e in enumerate(elems):
        d = df[df["element"] == e].pivot_table(
            index="recovery_efficiency", columns="collection_rate", values=value, aggfunc="sum"
        )
        fig.add_trace(
            go.Heatmap(
                z=d.to_numpy(),
                x=[f"{c:g}" for c in d.columns],
                y=[f"{r:g}" for r in d.index],
                colorscale="Viridis",
                showscale=False,
                texttemplate=fmt,
                hovertemplate=(
                    f"{e}<br>collection %{{x}}<br>recovery %{{y}}<br>{label}: {fmt}<extra></extra>"
                ),
            ),
            row=i // ncol + 1,
            col=i % ncol + 1,
        )
    fig.update_xaxes(title_text="collection rate", type="category")
    fig.update_yaxes(title_text="recovery eff.", type="category")
    fig.update_layout(
        title=title or f"Sensitivity: {label}, by collection rate × recovery efficiency",
        height=320 * nrow + 80,
        template="plotly_white",
    )
    return fig


def recovery_figures(
    secondary: pd.DataFrame,
    share: pd.DataFrame | None = None,
    sensitivity: pd.DataFrame | None = None,
    title: str | None = None,
) -> dict:
    """The recovery figures that have data: ``secondary``, ``share``, ``sensitivity``.

    Returns
    -------
    dict of str to plotly.graph_objects.Figure
    """
    figs = {"secondary": secondary_supply_figure(secondary, title)}
    if share is not None and len(share):
        figs["share"] = share_figure(share)
    if sensitivity is not None and len(sensitivity):
        figs["sensitivity"] = sensitivity_figure(sensitivity)
    return figs


def _write_html(figs: dict, path: Path, title: str) -> None:
    parts = []
    for i, fig in enumerate(figs.values()):
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0)))
    doc = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>\n"
        f"<h2 style='font-family:sans-serif'>{html.escape(title)}</h2>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
    path.write_text(doc, encoding="utf-8")


# ============================================================================ matplotlib
def _pct_text(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    x = 100 * v
    return f"{x:.0f}%" if x >= 10 else f"{x:.1f}%" if x >= 0.1 else f"{x:.2g}%"


def _write_png(
    path: Path,
    secondary: pd.DataFrame,
    share: pd.DataFrame | None,
    sensitivity: pd.DataFrame | None,
    title: str,
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sec = _need(secondary, ("element", "year", "value"), "secondary supply")
    sec = sec.groupby(["element", "year"], as_index=False)["value"].sum()
    has_share = share is not None and len(share) > 0
    has_sens = sensitivity is not None and len(sensitivity) > 0
    sens_elems = _elements(sensitivity) if has_sens else []  # type: ignore[arg-type]
    sens_rows = math.ceil(len(sens_elems) / 5) if has_sens else 0
    fig = Figure(figsize=(13, 4.2 + 2.6 * sens_rows), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(1 + sens_rows, 10, height_ratios=[1.6] + [1.0] * sens_rows)
    ax1 = fig.add_subplot(grid[0, : 5 if has_share else 10])
    wide = sec.pivot_table(index="year", columns="element", values="value", aggfunc="sum")
    elems = [e for e in _elements(sec) if e in wide.columns]
    wide = wide[elems].fillna(0.0)
    f, unit = _scale(float(wide.sum(axis=1).max()) if len(wide) else 0.0)
    ax1.stackplot(
        wide.index.to_numpy(),
        (wide.to_numpy().T / f),
        labels=elems,
        colors=[_color(e, i) for i, e in enumerate(elems)],
    )
    ax1.set_title("Secondary supply by element")
    ax1.set_xlabel("year")
    ax1.set_ylabel(f"{unit} per year")
    ax1.legend(loc="upper left", fontsize=7, ncol=2)
    if has_share:
        ax2 = fig.add_subplot(grid[0, 5:])
        sh = share.groupby(["element", "year"], as_index=False)["share"].first()  # type: ignore[union-attr]
        for i, e in enumerate(_elements(sh)):
            d = sh[sh["element"] == e].sort_values("year")
            ax2.plot(d["year"], 100 * d["share"], label=str(e), color=_color(e, i))
        ax2.set_title("Share of demand met by secondary supply")
        ax2.set_xlabel("year")
        ax2.set_ylabel("% of demand")
        ax2.legend(loc="upper left", fontsize=7, ncol=2)
    if has_sens:
        value, label = _sens_value(sensitivity)  # type: ignore[arg-type]
        for i, e in enumerate(sens_elems):
            ax = fig.add_subplot(grid[1 + i // 5, 2 * (i % 5) : 2 * (i % 5) + 2])
            d = sensitivity[sensitivity["element"] == e].pivot_table(  # type: ignore[index]
                index="recovery_efficiency", columns="collection_rate", values=value, aggfunc="sum"
            )
            z = d.to_numpy(float)
            ax.imshow(z, origin="lower", aspect="auto", cmap="viridis")
            ax.set_xticks(range(len(d.columns)), [f"{c:g}" for c in d.columns], fontsize=7)
            ax.set_yticks(range(len(d.index)), [f"{r:g}" for r in d.index], fontsize=7)
            ax.set_title(str(e), fontsize=9)
            if i % 5 == 0:
                ax.set_ylabel("recovery eff.", fontsize=8)
            ax.set_xlabel("collection rate", fontsize=8)
            hi = np.nanmax(z) if np.isfinite(z).any() else 0.0
            for (r, c), v in np.ndenumerate(z):
                txt = _pct_text(v) if value == "share" else f"{v:.3g}"
                ax.text(
                    c,
                    r,
                    txt,
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="black" if v > 0.6 * hi else "white",
                )
        fig.supxlabel(f"Sensitivity heatmaps: {label}", fontsize=9)
    fig.suptitle(title)
    fig.savefig(path)


def write_recovery_charts(
    path: str | Path,
    secondary: pd.DataFrame,
    share: pd.DataFrame | None = None,
    sensitivity: pd.DataFrame | None = None,
    title: str | None = None,
) -> Path:
    """Write the recovery charts to one file: ``.html`` (plotly, offline) or ``.png``.

    Parameters
    ----------
    path : str or Path
        Output file; its suffix chooses the format.
    secondary, share, sensitivity : pandas.DataFrame
        See the module docstring; `share` and `sensitivity` are optional.
    title : str, optional

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MethodError
        Unknown suffix or malformed tables.
    """
    out = Path(path)
    title = title or "critmin recovery run"
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".png"):
        msg = f"chart file {out.name!r} must end in .html or .png"
        raise MethodError(msg)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        _write_png(out, secondary, share, sensitivity, title)
    else:
        _write_html(recovery_figures(secondary, share, sensitivity), out, title)
    return out
