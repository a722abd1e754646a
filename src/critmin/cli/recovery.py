"""``critmin recovery``: end-of-life flows and secondary supply from product stocks.

Commands: ``run`` (a recovery run, its summary, charts, save), ``template`` (the parameter
file to fill in), ``show NAME`` (a saved run), ``list`` (saved runs).  The numbers come from
:mod:`critmin.circular.api`; this module only parses options and prints.
"""

from __future__ import annotations

import math
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from critmin.cli._render import OutputFormat, console, emit, fmt_num

app = typer.Typer(
    help="Recovery: end-of-life flows of batteries, magnets and other products and the "
    "secondary supply of Li, Co, Ni, Mn, graphite, Nd, Pr, Dy, Tb and Cu they yield.\n\n"
    "Start with `critmin recovery template params.csv`, fill in the values with their "
    "sources, then `critmin recovery run --params params.csv`.",
    no_args_is_help=True,
)

_TEMPLATE_HINT = "critmin recovery template params.csv"


# ============================================================================ parsing
def _parse_years(text: str | None) -> list[int] | None:
    """``'2023:2050'`` / ``'2023-2050'`` / ``'2030'`` → list of years."""
    from critmin.circular.products import ParameterError

    if text is None or not str(text).strip():
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[:\-]\s*(\d{4}))?\s*", str(text))
    if not m:
        msg = f"--years {text!r} not understood; give FIRST:LAST, e.g. 2023:2050"
        raise ParameterError(msg)
    a = int(m.group(1))
    b = int(m.group(2) or a)
    if b < a:
        msg = f"--years {text!r}: the last year is before the first"
        raise ParameterError(msg)
    return list(range(a, b + 1))


def _parse_grid(text: str | None, option: str) -> list[float] | None:
    """``'0.25,0.5,1'`` or ``'START:STOP:N'`` (N evenly spaced values) → list of floats."""
    from critmin.circular.products import ParameterError

    if text is None or not str(text).strip():
        return None
    s = str(text).strip()
    try:
        if ":" in s:
            lo, hi, n = s.split(":")
            vals = np.linspace(float(lo), float(hi), int(n)).tolist()
        else:
            vals = [float(v) for v in s.split(",") if v.strip()]
    except ValueError:
        vals = []
    if not vals or not all(math.isfinite(v) for v in vals):
        msg = f"{option} {text!r} not understood; give values like 0.25,0.5,1 or 0.2:1:5"
        raise ParameterError(msg)
    return [round(v, 12) for v in vals]


def _inflows_arg(text: str) -> str | Path:
    return "iea" if str(text).strip().lower() == "iea" else Path(text)


def _demand_arg(text: str) -> str | Path | None:
    t = str(text).strip().lower()
    if t in ("none", "no", ""):
        return None
    return "iea" if t == "iea" else Path(text)


def _missing_message(missing: pd.DataFrame, params: Path | None) -> str:
    """One error message listing every missing parameter, grouped, with the fix."""
    lines = []
    groups: dict[str, list[str]] = {}
    for r in missing.itertuples(index=False):
        if r.parameter.startswith("lifetime"):
            groups.setdefault("lifetime [yr] (mean + std, or Weibull shape + scale) of", [])
            groups["lifetime [yr] (mean + std, or Weibull shape + scale) of"].append(r.product)
        elif r.parameter == "collection_rate":
            groups.setdefault("collection_rate [0-1] of", []).append(r.product)
        elif r.parameter == "content":
            groups.setdefault(f"content [{r.unit}] of", []).append(f"{r.product}/{r.element}")
        elif r.parameter == "recovery_efficiency":
            key = f"recovery_efficiency [0-1] of route {r.process or r.product}, for"
            groups.setdefault(key, []).append(r.element)
        else:
            groups.setdefault(str(r.parameter), []).append(r.product or r.element)
    for head, items in groups.items():
        lines.append(f"  - {head}: {', '.join(dict.fromkeys(items))}")
    n = len(missing)
    if params is None:
        start = (
            "no recovery parameters given (--params). critmin ships no product lifetimes, "
            "collection rates or recovery efficiencies: none has a default it can source. "
            f"This run needs {n} parameter(s):"
        )
    else:
        start = f"the parameter file {params} leaves {n} parameter(s) this run needs empty:"
    end = (
        f"Write the file to fill in with `{_TEMPLATE_HINT}`, give each value with its "
        "source, then run `critmin recovery run --params params.csv`."
    )
    return "\n".join([start, *lines, end])


# ============================================================================ printing
def _err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=False)


def _progress(enabled: bool):
    """A transient Rich progress bar on stderr and its callback."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(bar_width=24),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=_err_console(),
        transient=True,
        disable=not enabled,
    )
    task = prog.add_task("recovery", total=None)

    def cb(step: str, i: int, n: int) -> None:
        prog.update(task, description=step, completed=i, total=n)

    return prog, cb


def _title(run: Any, window: list[int]) -> str:
    cfg = run.config
    regions = ", ".join(run.result.regions)
    if cfg.get("inflows") == "iea":
        scen = str(cfg.get("scenario") or "")
        short = {
            "Stated Policies scenario": "STEPS",
            "Announced Pledges scenario": "APS",
            "Net Zero Emissions by 2050 scenario": "NZE",
        }.get(scen, scen)
        src = f"IEA {short}, {cfg.get('case') or 'Base case'}"
    else:
        src = f"inflows {Path(str(cfg.get('inflows', ''))).name}"
    return f"Recovery, {regions}, {src}, {window[0]}-{window[-1]}"


def _pct(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    x = 100 * float(v)  # type: ignore[arg-type]
    if 0 < x < 0.005:
        return "<0.01%"
    return f"{x:.2f}%" if x < 1 else f"{x:.1f}%"


def _summary_table(summary: pd.DataFrame, window: list[int], title: str) -> Table:
    a, b = window[0], window[-1]
    span = f"{a}-{str(b)[2:]}" if a != b else str(a)
    by_region = "region" in summary.columns
    t = Table(
        title=title,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    t.add_column("element")
    if by_region:
        t.add_column("region", overflow="ellipsis", max_width=8)
    for head in (f"EoL\n{b}", f"recovered\n{b}", f"share\n{b}"):
        t.add_column(head, justify="right")
    for head in (f"EoL\n{span}", f"recovered\n{span}", f"share\n{span}"):
        t.add_column(head, justify="right")
    notes = set()
    for r in summary.itertuples(index=False):
        mark = ""
        if r.basis == "clean technologies":
            mark, _ = "*", notes.add("*")
        elif r.basis and r.basis not in ("total", "user"):
            mark, _ = "†", notes.add("†")
        cells = [str(r.element)] + ([str(r.region)] if by_region else [])
        cells += [
            fmt_num(r.eol_last / 1e3),
            fmt_num(r.recovered_last / 1e3),
            _pct(r.share_last) + mark,
            fmt_num(r.eol_cum / 1e3),
            fmt_num(r.recovered_cum / 1e3),
            _pct(r.share_cum) + mark,
        ]
        t.add_row(*cells)
    cap = [
        "EoL = end-of-life flow, recovered = secondary supply, both kt of element (per year, "
        f"or summed over {span}); share = recovered / demand."
    ]
    if "*" in notes:
        cap.append("* of IEA clean-technology demand (the IEA gives no total for it).")
    if "†" in notes:
        cap.append("† of the demand of the modelled technologies only.")
    t.caption = "\n".join(cap)
    return t


def _mass_balance_line(run: Any) -> str:
    v = run.violations
    res = run.result
    cells = int(np.prod(res.inflow.shape))
    if v is None or len(v) == 0:
        return (
            f"Mass balance: holds in all {cells:,} product × element × region × year cells "
            "(stock, end-of-life, collection and recovery splits)."
        )
    checks = ", ".join(sorted(set(v["check"])))
    return (
        f"Mass balance: VIOLATED in {len(v):,} of {cells:,} cells ({checks}); "
        "the table follows. --strict makes this an error."
    )


def _print_run(
    run: Any,
    window: list[int],
    fmt: OutputFormat,
    chart: Path | None,
    saved: Path | None = None,
) -> None:
    from critmin.report.recovery_charts import write_recovery_charts

    summary = run.summary(window)
    title = _title(run, window)
    if chart is not None:
        write_recovery_charts(chart, **run.chart_data(window), title=title)
    if fmt != OutputFormat.table:
        emit(summary, fmt)
        _err_console().print(_mass_balance_line(run))
        if len(run.violations):
            run.violations.to_csv(sys.stderr, index=False)
        return
    c = console()
    c.print(_summary_table(summary, window, title))
    c.print(_mass_balance_line(run))
    if len(run.violations):
        v = run.violations.head(10)[["check", "product", "element", "region", "year", "residual"]]
        emit(v, OutputFormat.table, title="Mass-balance violations (first 10)")
    if run.config.get("inflows") == "iea" and not run.config.get("history"):
        c.print(
            f"Note: the stock model starts empty in {run.result.years[0]}; products in use "
            "before then are not modelled (give --history), so early end-of-life flows "
            "are understated."
        )
    if chart is not None:
        c.print(f"Charts written to {chart}")
    if saved is not None:
        c.print(f"Saved to {saved}; reload with `critmin recovery show {saved.name}`.")


def _window(run: Any, years: list[int] | None) -> list[int]:
    if years is not None:
        return [y for y in years if y in run.result.years] or list(run.result.years)
    w = run.config.get("window")
    if w:
        return list(range(int(w[0]), int(w[-1]) + 1))
    return list(run.result.years)


_MASS_UNITS = (("kg", 1e-3), ("t", 1.0), ("kt", 1e3), ("Mt", 1e6))


def _row_unit(values_t: list[float]) -> tuple[str, float]:
    """The unit (kg, t, kt, Mt) in which the largest of a row's masses [t] is below 1000."""
    top = max((abs(v) for v in values_t if v is not None and np.isfinite(v)), default=0.0)
    for unit, size in _MASS_UNITS:
        if top / size < 999.5:
            return unit, size
    return _MASS_UNITS[-1]


def _in_unit(x: float, size: float) -> str:
    """``x`` [t] in a row unit of ``size`` t: 3 significant figures in 5 characters.

    ``0`` stays ``0``; a value below 0.01 of the unit prints ``<0.01`` (never an
    exponent or a cut cell).
    """
    if x is None or not np.isfinite(x):
        return "–"
    v = x / size
    if v == 0:
        return "0"
    if abs(v) < 0.01:
        return "<0.01"
    text = f"{v:.3g}"
    if len(text) > 5:
        text = f"{v:.2g}"
    return text if "e" not in text else fmt_num(v)


def _sig(x: float) -> str:
    """A mass [t] in its own unit (kg, t, kt, Mt), 3 significant figures: ``71 kg``."""
    if x is None or not np.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    unit, size = _row_unit([x])
    return f"{_in_unit(x, size)} {unit}"


def _print_default(dr: Any, fmt: OutputFormat, chart: Path | None, saved: Path | None) -> None:
    """The default run: P5/P50/P95 per element, regional yields, what was left out."""
    s = dr.summary()
    window = dr.window()
    a, b = window[0], window[-1]
    span = f"{a}-{str(b)[2:]}"
    yields = dr.regional_yield()
    if chart is not None:
        from critmin.report.recovery_charts import write_recovery_charts

        write_recovery_charts(chart, **dr.run.chart_data(window), title=_title(dr.run, window))
    if fmt != OutputFormat.table:
        emit(s, fmt)
        _err_console().print(_mass_balance_line(dr.run))
        return
    c = console()
    t = Table(
        title=f"Secondary supply, World, sourced defaults, {_title(dr.run, window)[17:]}",
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0),
    )
    t.add_column("element", no_wrap=True, min_width=8)
    t.add_column("unit", no_wrap=True)
    for head in (f"P5\n{b}", f"P50\n{b}", f"P95\n{b}", f"share\n{b}"):
        t.add_column(head, justify="right", no_wrap=True, min_width=6)
    for head in (f"P5\n{span}", f"P50\n{span}", f"P95\n{span}", f"share\n{span}"):
        t.add_column(head, justify="right", no_wrap=True, min_width=6)
    for r in s.itertuples(index=False):
        mark = "*" if r.basis == "clean technologies" else ""
        masses = [r.p5_last_t, r.p50_last_t, r.p95_last_t, r.p5_cum_t, r.p50_cum_t, r.p95_cum_t]
        unit, size = _row_unit(masses)
        cells = [_in_unit(m, size) for m in masses]
        t.add_row(
            str(r.element),
            unit,
            *cells[:3],
            _pct(r.share_p50_last) + mark,
            *cells[3:],
            _pct(r.share_p50_cum) + mark,
        )
    t.caption = (
        f"Recovered element in each row's unit (per year, or summed over {span}); P5/P50/P95 over "
        f"{dr.config['n_draws']} draws of the published ranges of collection rates and "
        "recovery efficiencies; share = P50 / IEA demand (* of clean-technology demand)."
    )
    c.print(t)
    c.print(_mass_balance_line(dr.run))
    y = yields.pivot(index="element", columns="region", values="p50").reindex(dr.elements)
    lo = yields.pivot(index="element", columns="region", values="p5").reindex(dr.elements)
    hi = yields.pivot(index="element", columns="region", values="p95").reindex(dr.elements)
    yt = Table(
        title=f"Share of end-of-life flow recovered, {span} (P50 [P5-P95])",
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    yt.add_column("element")
    regions = [r for r in ("World", "India", "United States") if r in y.columns]
    for reg in regions:
        yt.add_column(reg, justify="right")
    for e in y.index:
        yt.add_row(
            e, *[f"{_pct(y.at[e, g])} [{_pct(lo.at[e, g])}-{_pct(hi.at[e, g])}]" for g in regions]
        )
    yt.caption = (
        "Each region's own rates where published (India: Battery Waste Management Rules "
        "2022 targets; US: DOE <5% Li-ion collection), World's otherwise, on the World run's "
        "product mix. IEA inflows are World only: for tonnes in India or the US give "
        "--inflows FILE --region India."
    )
    c.print(yt)
    lost = dr.left_out
    if not len(lost):
        c.print(
            "Left out: nothing; every product of the inflows has a sourced lifetime, "
            "collection rate and recovery efficiency (`critmin recovery defaults`)."
        )
    if len(lost):
        g = lost.groupby("element")["inflow_left_out_t"].sum()
        parts = ", ".join(f"{e} {_sig(v)}" for e, v in g.items())
        names = []
        for prod, g in lost.groupby("product"):
            partial = (g["parameter"] == "recovery_efficiency").all()
            names.append(f"{prod} ({', '.join(g['element'])})" if partial else prod)
        prods = ", ".join(names)
        c.print(
            f"Left out (no published value found; see `critmin recovery defaults "
            f"--unsourced`): {prods}. Their {a}-{b} inflows: {parts}."
        )
    c.print(
        f"Note: the stock model starts empty in {dr.years[0]}; products in use before then "
        "are not modelled, so end-of-life flows before about one lifetime are understated "
        "(wind and solar: 20-30 yr)."
    )
    if chart is not None:
        c.print(f"Charts written to {chart}")
    if saved is not None:
        c.print(f"Saved to {saved}; reload with `critmin recovery show {saved.name}`.")


# ============================================================================ commands
@app.command("run")
def run_cmd(
    params: Path = typer.Option(
        None,
        "--params",
        "-p",
        help="Your parameter CSV (lifetimes, collection rates, recovery efficiencies, each "
        "with its source); `critmin recovery template` writes one to fill in.",
    ),
    inflows: str = typer.Option(
        "iea",
        "--inflows",
        help="'iea' (IEA demand by technology, World) or a CSV with columns product, "
        "region, year, value, unit (+ element for element masses).",
    ),
    scenario: str = typer.Option("STEPS", "--scenario", help="IEA scenario: STEPS, APS, NZE."),
    case: str = typer.Option("Base case", "--case", help="IEA technology case."),
    region: str = typer.Option(
        "World", "--region", help="Region of the inflows (IEA: World only); 'all' for every one."
    ),
    years: str = typer.Option(
        None,
        "--years",
        help="Years to report, FIRST:LAST (e.g. 2023:2050); the model starts at the first "
        "inflow year if that is earlier.",
    ),
    collection: str = typer.Option(
        None,
        "--collection",
        help="Sensitivity grid of collection rates, e.g. 0.25,0.5,1 or 0.2:1:5.",
    ),
    recovery: str = typer.Option(
        None, "--recovery", help="Sensitivity grid of recovery efficiencies (as --collection)."
    ),
    relative: bool = typer.Option(
        False, "--relative", help="Grid values multiply your own rates instead."
    ),
    demand: str = typer.Option(
        "iea",
        "--demand",
        help="Demand for the share met: 'iea' (World), a CSV (element, year, value, unit), "
        "or 'none'.",
    ),
    history: Path = typer.Option(
        None,
        "--history",
        help="CSV of earlier element inflows (product, element, region, year, value, unit) "
        "to put before the IEA years.",
    ),
    chart: Path = typer.Option(None, "--chart", help="Write charts to FILE.html or FILE.png."),
    save: str = typer.Option(None, "--save", help="Save the run under NAME in the workspace."),
    strict: bool = typer.Option(
        False, "--strict", help="Fail (exit 1) if the mass balance is violated."
    ),
    draws: int = typer.Option(
        500, "--draws", help="Draws of the published ranges (default run, --with-defaults)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the draws."),
    with_defaults: bool = typer.Option(
        False,
        "--with-defaults",
        help="Use the shipped sourced defaults under --params (your rows win) and draw P5/P50/P95.",
    ),
    no_defaults: bool = typer.Option(
        False,
        "--no-defaults",
        help="With --params: use your file alone (rows you left blank are not filled from "
        "the shipped defaults; the run lists what it lacks).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Run a recovery model: end-of-life flows, secondary supply, share of demand met.

    Without --params it uses critmin's shipped, sourced defaults (lifetimes, collection
    rates, recovery efficiencies; `critmin recovery defaults` lists them with sources)
    and prints secondary supply per element to 2040 with P5/P50/P95 from their ranges.

    * `critmin recovery run`                      (World, IEA STEPS, 2023-2040)
    * `critmin recovery run --scenario NZE --years 2023:2050 --draws 1000`
    * `critmin recovery run -p mine.csv --with-defaults`   (your rows over the defaults)

    With your own parameters: `critmin recovery template params.csv` (pre-filled with
    the sourced defaults), change the values you have better figures for, then (rows you
    leave blank take the default; --no-defaults uses your file alone)

    * `critmin recovery run -p params.csv --scenario APS --chart out.html --save aps`
    * `critmin recovery run -p params.csv --collection 0.25,0.5,1 --recovery 0.5,0.9`
    """
    from critmin.circular.api import recovery_analysis
    from critmin.circular.products import MissingParameterError, ParameterError
    from critmin.circular.recovery import MassBalanceWarning

    window = _parse_years(years)
    c_grid = _parse_grid(collection, "--collection")
    r_grid = _parse_grid(recovery, "--recovery")
    prog, cb = _progress(enabled=True)
    if (params is None or with_defaults) and c_grid is None and r_grid is None:
        from critmin.circular.uncertainty import default_recovery

        dem = _demand_arg(demand)
        with prog, warnings.catch_warnings():
            warnings.simplefilter("ignore", MassBalanceWarning)
            dr = default_recovery(
                region if region != "all" else "World",
                scenario=scenario,
                case=case,
                years=window or list(range(2023, 2041)),
                n_draws=draws,
                seed=seed,
                params=params,
                inflows=_inflows_arg(inflows),
                demand=dem,
                progress=cb,
            )
        saved = dr.run.save(save) if save else None
        _print_default(dr, fmt, chart, saved)
        return
    system: Any = params
    filled = None
    if params is not None and not no_defaults:
        from critmin.circular.uncertainty import params_over_defaults

        system, filled = params_over_defaults(params, _defaults_region(region))
    try:
        with prog, warnings.catch_warnings():
            warnings.simplefilter("ignore", MassBalanceWarning)  # reported below instead
            run = recovery_analysis(
                system,
                _inflows_arg(inflows),
                scenario=scenario,
                case=case,
                region=region,
                years=window,
                history=history,
                demand=_demand_arg(demand),
                collection=c_grid,
                recovery=r_grid,
                relative=relative,
                strict=strict,
                progress=cb,
            )
    except MissingParameterError as exc:
        raise ParameterError(_missing_message(exc.missing, params)) from None
    saved = run.save(save) if save else None
    _print_run(run, _window(run, window), fmt, chart, saved)
    if filled is not None:
        res = run.result
        routes = {res.system.routes.get(p) for p in res.products} if res.system else set()
        used = filled["product"].isin(res.products) | (
            (filled["product"] == "") & filled["process"].isin(routes)
        )
        _filled_note(filled[used], params, fmt)


def _defaults_region(region: str) -> str:
    """The defaults region for --region (World for 'all' or a region without rows)."""
    from critmin.circular.defaults import resolve_region
    from critmin.circular.products import ParameterError

    try:
        return resolve_region(region)
    except ParameterError:
        return "World"


def _filled_note(filled: pd.DataFrame, params: Path, fmt: OutputFormat) -> None:
    """Say which rows of the user's file came from the shipped defaults."""
    n = len(filled)
    if n == 0:
        text = f"Parameters: every value from {params.name}."
    else:
        names = []
        for r in filled.drop_duplicates(
            ["parameter", "product", "element", "process"]
        ).itertuples():
            if r.parameter == "lifetime_std":
                continue
            what = r.product or f"{r.process} {r.element}"
            names.append(f"{r.parameter.replace('recovery_efficiency', 'recovery')} {what}")
        text = (
            f"Parameters: {params.name} over the shipped sourced defaults; {n} row(s) "
            f"this run needs that your file leaves blank came from the defaults ({', '.join(names[:6])}"
            + (f", and {len(names) - 6} more" if len(names) > 6 else "")
            + "). `critmin recovery defaults` lists them with sources; --no-defaults uses "
            "your file alone."
        )
    if fmt == OutputFormat.table:
        console().print(text)
    else:
        _err_console().print(text)


@app.command("defaults")
def defaults_cmd(
    region: str = typer.Option(
        None, "--region", help="World, India or 'United States' (its rows over World's)."
    ),
    unsourced: bool = typer.Option(
        False, "--unsourced", help="Only the rows with no published value (left out of runs)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """The shipped default parameters with their ranges and sources.

    Examples: `critmin recovery defaults`, `critmin recovery defaults --region India`,
    `critmin recovery defaults --unsourced`, `critmin recovery defaults -f csv > d.csv`
    (edit, then `critmin recovery run -p d.csv --with-defaults`).
    """
    from critmin.circular.defaults import load_defaults, regional_defaults

    df = regional_defaults(region) if region else load_defaults()
    if unsourced:
        df = df[~df["sourced"]]
    if fmt != OutputFormat.table:
        emit(df.drop(columns=["sourced", "source"]), fmt)
        return
    if df.empty:
        console().print(
            "No unsourced rows: every default has a published value "
            "(`critmin recovery defaults` lists them with sources)."
            if unsourced
            else "No default rows."
        )
        return
    t = Table(
        title="Recovery defaults (value = midpoint where only a range is published)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0),
    )
    for head, just in (
        ("parameter", "left"),
        ("product or route", "left"),
        ("element", "left"),
        ("region", "left"),
        ("value", "right"),
        ("range", "right"),
    ):
        t.add_column(head, justify=just, no_wrap=True)  # type: ignore[arg-type]
    t.add_column("src", justify="right", no_wrap=True, min_width=4)
    short = {"lifetime_mean": "lifetime", "collection_rate": "collection"}
    cites: dict[str, int] = {}
    for r in df.itertuples(index=False):
        unit = " yr" if r.unit == "yr" else ""
        if r.sourced:
            org = r.organisation.split(",")[0].split(" (")[0].split(";")[0]
            cite = f"{org} ({r.year}): {r.source_title}"
            ref = f"[{cites.setdefault(cite, len(cites) + 1)}]"
        else:
            ref = "UNSOURCED"
        t.add_row(
            short.get(r.parameter, "recovery"),
            r.product or r.process,
            r.element,
            r.region.replace("United States", "US"),
            "–" if pd.isna(r.value) else f"{r.value:g}{unit}",
            "" if pd.isna(r.low) else f"{r.low:g}-{r.high:g}",
            ref,
        )
    c = console()
    c.print(t)
    for cite, n in cites.items():
        c.print(f"[{n}] {cite}", markup=False, highlight=False)
    console().print(
        f"{int(df['sourced'].sum())} sourced rows, {int((~df['sourced']).sum())} unsourced "
        "(left out of default runs). Full citations: `critmin recovery defaults -f csv`; "
        "file: src/critmin/circular/defaults.csv."
    )


@app.command("template")
def template_cmd(
    out: Path = typer.Argument(..., help="CSV file to write."),
    inflows: str = typer.Option(
        "iea",
        "--inflows",
        help="'iea': the rows an IEA-driven run needs; 'products': every parameter of the "
        "shipped product system (contents included, for your own product inflows).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    empty: bool = typer.Option(
        False, "--empty", help="Leave every value empty instead of the sourced defaults."
    ),
    region: str = typer.Option(
        "World", "--region", help="Whose defaults pre-fill it: World, India, 'United States'."
    ),
) -> None:
    """Write the parameter file of a run, pre-filled with the sourced defaults.

    Each row has the shipped default's value, lifetime family and citation (`critmin
    recovery defaults`); rows with no published value are blank.  Change `value` and
    `source` where you have better figures (lifetimes: the family in `distribution`:
    normal, lognormal, foldednormal, fixed; or lifetime_shape + lifetime_scale with
    weibull), then `critmin recovery run --params FILE`.  A row you blank takes the
    default.
    """
    from critmin.circular.defaults import template_with_defaults
    from critmin.circular.products import ParameterError, parameter_template

    if out.exists() and not force:
        msg = f"{out} exists; pass --force to overwrite it"
        raise ParameterError(msg)
    kind = inflows.strip().lower()
    if kind == "iea":
        df = template_with_defaults(out, _defaults_region(region), blank=empty)
    elif kind == "products":
        df = parameter_template(out)
    else:
        msg = f"--inflows {inflows!r}: use 'iea' or 'products'"
        raise ParameterError(msg)
    counts = df["parameter"].value_counts()
    c = console()
    c.print(f"Wrote {len(df)} rows to {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    blank = int((df["value"].astype(str).str.strip() == "").sum())
    if blank == len(df):
        c.print(
            "Fill in value and source of the rows you have figures for (lifetime rows: the "
            "family in 'distribution'); rows left blank take the sourced defaults. Then: "
            "critmin recovery run --params " + str(out)
        )
    else:
        c.print(
            f"{len(df) - blank} rows carry the sourced defaults (value, family, source), "
            f"{blank} have no published value and are blank. Change what you have better "
            "figures for, then: critmin recovery run --params " + str(out)
        )


@app.command("show")
def show_cmd(
    name: str = typer.Argument(..., help="Name given to `run --save`."),
    years: str = typer.Option(None, "--years", help="Years to report, FIRST:LAST."),
    chart: Path = typer.Option(None, "--chart", help="Write charts to FILE.html or FILE.png."),
    strict: bool = typer.Option(
        False, "--strict", help="Fail (exit 1) if the mass balance is violated."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Show a saved recovery run (its mass balance is checked again)."""
    from critmin.circular.api import load_recovery
    from critmin.circular.recovery import MassBalanceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MassBalanceWarning)
        run = load_recovery(name, strict=strict)
    _print_run(run, _window(run, _parse_years(years)), fmt, chart)


@app.command("list")
def list_cmd(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f")) -> None:
    """List saved recovery runs."""
    from critmin.circular.api import list_recoveries

    df = list_recoveries()
    if fmt == OutputFormat.table:
        df = df.drop(columns="path").assign(saved=df["saved"].str[:16])
    emit(df, fmt, title="Saved recovery runs")
