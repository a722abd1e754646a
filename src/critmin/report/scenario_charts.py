"""Charts of a scenario run: a fan chart of the shortfall and a diagram of redirected flows.

Both are drawn from the run's tables (:mod:`critmin.scenarios.runner`), so a run loaded
from the workspace draws the same charts as a fresh one.

* :func:`fan_chart` -- one importer and commodity: the P5-P95 band of the shortfall per
  year, with the P50 line [t or % of base-year apparent consumption].
* :func:`flows_sankey` -- one importer, commodity and year: every supplier's base-year
  flow split into what still arrives, what the shock withholds (mean over draws) and the
  spare capacity it redirects; loss through ore -> refined links is its own node.
* :func:`write_scenario_charts` -- both into one ``.html`` (plotly, with plotly.js
  embedded: works offline) or one ``.png`` (matplotlib from the same tables: the fan
  chart and the flows as bars; no kaleido, no browser).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"year": [2025, 2026], "importer_iso3": "IND", "commodity_id": "284690",
...                   "p5_t": [1.0, 2.0], "p50_t": [2.0, 3.0], "p95_t": [4.0, 5.0],
...                   "p5_pct": 1.0, "p50_pct": 2.0, "p95_pct": 3.0})
>>> fig = fan_chart(t, "IND", "284690")
>>> [tr.name for tr in fig.data]
['P95', 'P5-P95', 'P50']
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from critmin.errors import MethodError

__all__ = ["fan_chart", "flows_sankey", "pick_commodity", "write_scenario_charts"]

_BAND = "rgba(214, 39, 40, 0.22)"
_LINE = "rgb(214, 39, 40)"
_KEPT = "rgba(127, 127, 127, 0.55)"
_CUT = "rgba(214, 39, 40, 0.65)"
_RED = "rgba(44, 160, 44, 0.65)"
_LINKS_LABEL = "(ore links)"


def _need(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        msg = f"{what} table lacks columns {missing}; give the run's tables['{what}']"
        raise MethodError(msg)


def pick_commodity(shortfall: pd.DataFrame, importer: str) -> str:
    """The commodity with the largest P50 shortfall of an importer (any year).

    Raises
    ------
    MethodError
        The importer has no shortfall in the table.
    """
    sub = shortfall[shortfall["importer_iso3"] == importer]
    if sub.empty:
        have = sorted(set(shortfall["importer_iso3"]))
        msg = (
            f"no shortfall for {importer!r} in this run; importers with one: "
            f"{', '.join(have[:20])}{' ...' if len(have) > 20 else ''}"
        )
        raise MethodError(msg)
    return str(sub.loc[sub["p50_t"].idxmax(), "commodity_id"])


def _series(
    shortfall: pd.DataFrame, importer: str, commodity: str, years: Sequence[int] | None, pct: bool
) -> tuple[np.ndarray, np.ndarray]:
    _need(
        shortfall, ("year", "importer_iso3", "commodity_id", "p5_t", "p50_t", "p95_t"), "shortfall"
    )
    sub = shortfall[
        (shortfall["importer_iso3"] == importer) & (shortfall["commodity_id"] == str(commodity))
    ]
    if sub.empty:
        pick_commodity(shortfall, importer)  # raises with the importers that have one
        have = sorted(set(shortfall.loc[shortfall["importer_iso3"] == importer, "commodity_id"]))
        msg = f"no shortfall of {commodity} for {importer}; commodities with one: {have}"
        raise MethodError(msg)
    cols = ["p5_pct", "p50_pct", "p95_pct"] if pct else ["p5_t", "p50_t", "p95_t"]
    ys = sorted(set(years) | set(sub["year"])) if years is not None else sorted(set(sub["year"]))
    # the shortfall table keeps non-zero rows only: missing simulated years are zeros
    q = sub.set_index("year")[cols].reindex(ys).fillna(0.0)
    return np.asarray(ys), q.to_numpy(float).T


def fan_chart(
    shortfall: pd.DataFrame,
    importer: str,
    commodity: str,
    *,
    years: Sequence[int] | None = None,
    pct: bool = False,
    title: str | None = None,
) -> go.Figure:
    """Fan chart of one importer's shortfall of one commodity over time.

    Parameters
    ----------
    shortfall : pandas.DataFrame
        A run's ``tables['shortfall']``.
    importer : str
        ISO3 code.
    commodity : str
        HS6 code.
    years : sequence of int, optional
        All simulated years (years missing from the table are drawn as zero).
    pct : bool
        Plot % of base-year apparent consumption instead of tonnes.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
        Traces ``P95`` (upper edge), ``P5-P95`` (band) and ``P50``.
    """
    x, (p5, p50, p95) = _series(shortfall, importer, commodity, years, pct)
    unit = "% of apparent consumption" if pct else "t"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=x, y=p95, name="P95", mode="lines", line={"width": 0}, showlegend=False)
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=p5,
            name="P5-P95",
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_BAND,
        )
    )
    fig.add_trace(go.Scatter(x=x, y=p50, name="P50", mode="lines+markers", line={"color": _LINE}))
    fig.update_layout(
        title=title or f"{importer}: shortfall of {commodity} (P5-P50-P95)",
        xaxis_title="year",
        yaxis_title=f"shortfall [{unit}]",
        xaxis={"dtick": 1},
        template="plotly_white",
    )
    return fig


def _flow_rows(
    flows: pd.DataFrame, importer: str, commodity: str, year: int | None, top: int
) -> tuple[pd.DataFrame, int]:
    _need(
        flows,
        (
            "year",
            "importer_iso3",
            "commodity_id",
            "exporter_iso3",
            "base_t",
            "cut_mean_t",
            "redirected_mean_t",
        ),
        "flows",
    )
    sub = flows[(flows["importer_iso3"] == importer) & (flows["commodity_id"] == str(commodity))]
    if sub.empty:
        msg = f"no flows of {commodity} into {importer} in this run's flows table"
        raise MethodError(msg)
    if year is None:
        year = int(sub.groupby("year")["cut_mean_t"].sum().idxmax())
    sub = sub[sub["year"] == year]
    if sub.empty:
        msg = f"no flows of {commodity} into {importer} in {year}"
        raise MethodError(msg)
    sub = sub.assign(weight=sub["base_t"] + sub["redirected_mean_t"] + sub["cut_mean_t"])
    sub = sub.sort_values("weight", ascending=False, kind="stable")
    keep, rest = sub.head(top), sub.iloc[top:]
    if len(rest):
        other = rest[["base_t", "cut_mean_t", "redirected_mean_t"]].sum().to_frame().T
        other["exporter_iso3"] = f"{len(rest)} other exporters"
        keep = pd.concat([keep, other], ignore_index=True)
    return keep.reset_index(drop=True), int(year)


def flows_sankey(
    flows: pd.DataFrame,
    importer: str,
    commodity: str,
    *,
    year: int | None = None,
    top: int = 10,
    title: str | None = None,
) -> go.Figure:
    """Sankey of one importer's supply of one commodity: base year vs shocked.

    Each supplier's base-year flow [t] splits into what still arrives (grey) and what the
    shock withholds (red, mean over draws); the spare capacity a supplier redirects to
    the importer is a green link.  The node labels give base -> shocked tonnes.

    Parameters
    ----------
    flows : pandas.DataFrame
        A run's ``tables['flows']``.
    importer, commodity : str
        ISO3 code and HS6 code.
    year : int, optional
        Default the year with the largest cut.
    top : int
        Suppliers drawn; the rest are one node.
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure
    """
    rows, year = _flow_rows(flows, importer, commodity, year, top)
    labels: list[str] = []
    for r in rows.itertuples(index=False):
        shocked = r.base_t - r.cut_mean_t + r.redirected_mean_t
        name = "lost via ore links" if r.exporter_iso3 == _LINKS_LABEL else str(r.exporter_iso3)
        labels.append(f"{name}: {r.base_t:,.0f} t -> {shocked:,.0f} t")
    n = len(labels)
    supply, withheld = n, n + 1
    base_total = float(rows["base_t"].sum())
    shocked_total = float((rows["base_t"] - rows["cut_mean_t"] + rows["redirected_mean_t"]).sum())
    labels += [
        f"{importer} supply: {base_total:,.0f} t -> {shocked_total:,.0f} t",
        f"withheld: {float(rows['cut_mean_t'].sum()):,.0f} t",
    ]
    src, dst, val, col = [], [], [], []
    for i, r in enumerate(rows.itertuples(index=False)):
        kept = max(r.base_t - r.cut_mean_t, 0.0)
        for target, value, colour in (
            (supply, kept, _KEPT),
            (withheld, r.cut_mean_t, _CUT),
            (supply, r.redirected_mean_t, _RED),
        ):
            if value > 0:
                src.append(i)
                dst.append(target)
                val.append(float(value))
                col.append(colour)
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "pad": 12, "thickness": 14},
            link={"source": src, "target": dst, "value": val, "color": col},
            valueformat=",.0f",
            valuesuffix=" t",
        )
    )
    fig.update_layout(
        title=title
        or f"{importer}: supply of {commodity} in {year}, base year vs shocked (mean over draws)",
        template="plotly_white",
    )
    return fig


def _write_html(figs: Sequence[go.Figure], path: Path, title: str) -> None:
    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figs)]
    doc = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>\n"
        f"<h2 style='font-family:sans-serif'>{html.escape(title)}</h2>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
    path.write_text(doc, encoding="utf-8")


def _write_png(
    path: Path,
    shortfall: pd.DataFrame,
    flows: pd.DataFrame | None,
    importer: str,
    commodity: str,
    years: Sequence[int] | None,
    title: str,
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x, (p5, p50, p95) = _series(shortfall, importer, commodity, years, pct=False)
    has_flows = flows is not None and len(flows) > 0
    fig = Figure(figsize=(13 if has_flows else 7, 4.8), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax1 = fig.add_subplot(1, 2 if has_flows else 1, 1)
    ax1.fill_between(x, p5, p95, color=(0.84, 0.15, 0.16, 0.22), label="P5-P95")
    ax1.plot(x, p50, color=(0.84, 0.15, 0.16), marker="o", label="P50")
    ax1.set_xticks(x)
    ax1.set_title(f"{importer}: shortfall of {commodity}")
    ax1.set_xlabel("year")
    ax1.set_ylabel("shortfall [t]")
    ax1.legend(loc="upper left")
    if has_flows:
        rows, year = _flow_rows(flows, importer, commodity, None, 10)  # type: ignore[arg-type]
        ax2 = fig.add_subplot(1, 2, 2)
        names = ["ore links" if e == _LINKS_LABEL else str(e) for e in rows["exporter_iso3"]][::-1]
        kept = np.maximum(rows["base_t"] - rows["cut_mean_t"], 0.0).to_numpy()[::-1]
        cut = rows["cut_mean_t"].to_numpy()[::-1]
        red = rows["redirected_mean_t"].to_numpy()[::-1]
        ypos = np.arange(len(names))
        ax2.barh(ypos, kept, color=(0.5, 0.5, 0.5, 0.7), label="still arrives")
        ax2.barh(ypos, cut, left=kept, color=(0.84, 0.15, 0.16, 0.7), label="withheld (mean)")
        ax2.barh(
            ypos, red, left=kept + cut, color=(0.17, 0.63, 0.17, 0.7), label="redirected (mean)"
        )
        ax2.set_yticks(ypos, names, fontsize=8)
        ax2.set_xlabel("t")
        ax2.set_title(f"Supply of {commodity} to {importer} in {year}: base vs shocked")
        ax2.legend(loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.savefig(path)


def write_scenario_charts(
    path: str | Path,
    shortfall: pd.DataFrame,
    flows: pd.DataFrame | None,
    importer: str,
    commodity: str | None = None,
    *,
    years: Sequence[int] | None = None,
    year: int | None = None,
    title: str | None = None,
) -> Path:
    """Write the fan chart and the flows diagram to one file: ``.html`` or ``.png``.

    Parameters
    ----------
    path : str or Path
        Output file; its suffix chooses the format.
    shortfall, flows : pandas.DataFrame
        A run's ``tables['shortfall']`` and ``tables['flows']`` (flows optional).
    importer : str
        ISO3 code.
    commodity : str, optional
        HS6 code; default the importer's commodity with the largest P50 shortfall.
    years : sequence of int, optional
        The run's years (``run.spec.years``).
    year : int, optional
        Year of the flows diagram; default the year with the largest cut.
    title : str, optional

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MethodError
        Unknown suffix, or nothing to draw for that importer.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".png"):
        msg = f"cannot write charts to {out.name!r}: use a .html or .png file name"
        raise MethodError(msg)
    commodity = commodity or pick_commodity(shortfall, importer)
    title = title or f"critmin scenario: {importer}, {commodity}"
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        _write_png(out, shortfall, flows, importer, commodity, years, title)
        return out
    figs = [fan_chart(shortfall, importer, commodity, years=years)]
    if flows is not None and len(flows):
        figs.append(flows_sankey(flows, importer, commodity, year=year))
    _write_html(figs, out, title)
    return out
