"""``critmin scenario``: run disruption scenarios (presets from USGS MCS 2026 T4, or your own).

Commands: ``list`` (presets), ``run PRESET|FILE``, ``show NAME`` (a saved run) and
``rank PRESET --importer ISO3`` (mitigations ranked).  Tables go to stdout (``--format
csv|json`` for machines); the progress bar and notes go to stderr, so redirected output
stays clean.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from critmin.cli._render import OutputFormat, console, emit, fmt_num

app = typer.Typer(
    help="Disruption scenarios: what an export ban, licensing regime or quota does to each "
    "importer, with P5/P50/P95 bands.  Start with `critmin scenario list`.",
    no_args_is_help=True,
)


def _err_console() -> Console:
    width = int(os.environ.get("COLUMNS", "0")) or None
    c = Console(stderr=True, width=width, soft_wrap=False, highlight=False)
    if c.width > 100:
        c = Console(stderr=True, width=100, soft_wrap=False, highlight=False)
    return c


def _params(values: list[str] | None) -> dict:
    from critmin.scenarios.presets import parse_param

    return dict(parse_param(v) for v in values or [])


def _pct(v: object) -> str:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(x) else f"{x:.1f}"


def _months(v: object) -> str:
    x = float(v)  # type: ignore[arg-type]
    return "never" if math.isinf(x) else f"{x:.1f}"


class _Bar:
    """A Rich progress bar on stderr fed by ``run_scenario(progress=...)``."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.prog = None
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> _Bar:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.prog = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(bar_width=28),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=_err_console(),
                transient=True,
            )
            self.prog.__enter__()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.prog is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.prog.add_task(stage, total=max(total, 1))
        self.prog.update(self.tasks[stage], completed=done, total=max(total, 1))

    def __exit__(self, *exc: object) -> None:
        if self.prog is not None:
            self.prog.__exit__(*exc)  # type: ignore[arg-type]


def _print_table(df: pd.DataFrame, title: str, caption: str, right: tuple[str, ...]) -> None:
    """A Rich table with the figure columns right-aligned (cells are formatted strings)."""
    from rich.table import Table

    t = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    for col in df.columns:
        t.add_column(str(col), justify="right" if col in right else "left", overflow="fold")
    for row in df.itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    console().print(t)


def _summary_table(run, importer: str | None, top: int) -> pd.DataFrame:  # noqa: ANN001
    s = run.summary(importer=importer, top=top)
    return pd.DataFrame(
        {
            "importer": s["importer_iso3"],
            "hs6": s["commodity_id"],
            "year": s["year"].astype(str),
            "P5 t": s["p5_t"].map(fmt_num),
            "P50 t": s["p50_t"].map(fmt_num),
            "P95 t": s["p95_t"].map(fmt_num),
            "P50 %": s["p50_pct"].map(_pct),
        }
    )


def _print_run(run, importer: str | None, top: int) -> None:  # noqa: ANN001
    c = console()
    meta = run.metadata
    preset = meta.get("preset") or {}
    src = preset.get("source") or {}
    head = preset.get("title") or run.spec.name
    c.print(f"[bold]{head}[/]")
    if src:
        c.print(f"source: USGS MCS 2026 table T4, line {src.get('line')} of")
        c.print(f"  {src.get('file')}", overflow="fold")
    c.print(
        f"base year {meta['base_year']} (BACI), years {run.spec.horizon.start}-"
        f"{run.spec.horizon.end}, {meta['n_draws']:,} draws, seed {meta['seed']}"
    )
    for cid, why in (preset.get("unrepresented") or {}).items():
        c.print(f"not simulated on its own: {cid} ({why})", overflow="fold")
    table = _summary_table(run, importer, top)
    if table.empty:
        who = f" for {importer}" if importer else ""
        c.print(f"No shortfall{who} in this scenario.")
        return
    _print_table(
        table,
        title="Shortfall in the peak year" + (f": {importer}" if importer else ""),
        caption="t of the traded good (BACI gross weight); % of base-year apparent "
        "consumption (net imports; – where the importer is a net exporter).",
        right=("year", "P5 t", "P50 t", "P95 t", "P50 %"),
    )
    s = run.summary(importer=importer, top=top)
    for r in s.itertuples(index=False):  # one line per importer x code of the table
        _print_who_fills(run, r.importer_iso3, r.commodity_id, int(r.year))
    j, k = s.loc[0, "importer_iso3"], s.loc[0, "commodity_id"]
    _print_sectors(run, importer, top)
    stock = run.tables.get("stockpiles")
    if stock is not None and len(stock):
        st = stock[(stock["importer_iso3"] == j) & (stock["commodity_id"] == k)]
        if len(st) and float(st["p50_months"].iloc[0]) > 0:
            c.print(
                f"Stockpiles of {j} last {_months(st['p50_months'].iloc[0])} months (P50) for {k}"
            )


def _print_who_fills(run, j: str, k: str, yr: int) -> None:  # noqa: ANN001
    """One line: the mean decomposition of importer `j`'s lost supply of code `k` in `yr`."""
    fill = run.who_fills(j, k)
    col = fill[yr] if yr in fill.columns else fill.iloc[:, 0]
    lost = float(col.sum())

    def amount(v: float) -> str:
        t = f"{fmt_num(v)} t" if v >= 0.01 else "<0.01 t"
        if lost <= 0:
            return t
        pct = 100 * v / lost
        return f"{t} ({pct:.2g}%)" if pct >= 0.01 else f"{t} (<0.01%)"

    parts = [f"{src_} {amount(v)}" for src_, v in col.items() if v > 0 and src_ != "shortfall"]
    filled = "; ".join(parts) if parts else "nothing (no response covers this code)"
    console().print(
        f"Who fills {j}'s gap in {k} ({yr}, mean over draws): {filled}; "
        f"shortfall left {fmt_num(col.get('shortfall', 0.0))} t",
        overflow="fold",
    )


def _print_sectors(run, importer: str | None, top: int) -> None:  # noqa: ANN001
    """Shortfall per strategic sector in each importer's peak year (share x commodity)."""
    c = console()
    sec = run.tables.get("sectors")
    summ = run.summary(importer=importer, top=top)
    if sec is None or sec.empty:
        c.print("Shortfall by sector: no end-use share for the affected codes.")
    else:
        peak = summ[["importer_iso3", "commodity_id", "year"]]
        t = sec.merge(peak, on=["importer_iso3", "commodity_id", "year"])
        t = t[t["p50_t"] > 0].sort_values("p50_t", ascending=False).head(top)
        if t.empty:
            c.print("Shortfall by sector: no end-use share for the affected codes.")
        else:
            _print_table(
                pd.DataFrame(
                    {
                        "importer": t["importer_iso3"],
                        "hs6": t["commodity_id"],
                        "year": t["year"].astype(str),
                        "sector": t["sector"],
                        "share": t["share"].map(lambda v: f"{100 * v:.1f}%"),
                        "P50 t": t["p50_t"].map(fmt_num),
                        "P95 t": t["p95_t"].map(fmt_num),
                    }
                ),
                title="Shortfall by strategic sector (peak year)",
                caption="t of the traded good x the sector's share of the commodity's use "
                "(`critmin sectors` for the shares and their sources).",
                right=("year", "share", "P50 t", "P95 t"),
            )
    listed = _listed_sectors(summ["commodity_id"])
    if listed:
        c.print("Also used by (no published share): " + listed, overflow="fold")


def _listed_sectors(codes: pd.Series) -> str:
    """Seed-listed sectors (no share) of the commodities behind these HS6 codes."""
    from critmin.enduse import sector_table
    from critmin.scenarios.data import hs_stages

    st = hs_stages()
    cids = set(st.loc[st["hs6"].astype(str).isin(set(codes.astype(str))), "commodity_id"])
    from critmin import catalog

    parent = (
        catalog.commodities().drop_duplicates("commodity_id").set_index("commodity_id")["parent"]
    )
    fam = set(cids)
    for cid, par in parent.items():
        up = par
        while isinstance(up, str) and up:
            if up in cids:
                fam.add(str(cid))
                break
            up = parent.get(up)
    t = sector_table()
    t = t[t["share"].isna() & t["commodity_id"].isin(fam)]
    if t.empty:
        return ""
    return "; ".join(
        f"{s} ({', '.join(sorted(set(g['element'])))})" for s, g in t.groupby("sector")
    )


def _dask_client(stack: contextlib.ExitStack):  # noqa: ANN202
    """A local Dask cluster (one single-threaded worker per core, quiet) for ``--dask``."""
    try:
        import distributed
    except ImportError:
        from critmin.errors import ScenarioError

        msg = "--dask needs dask.distributed; fix: pip install 'dask[distributed]'"
        raise ScenarioError(msg) from None
    for name in ("distributed", "tornado", "bokeh"):  # the CLI prints results, not cluster logs
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = stack.enter_context(
        distributed.LocalCluster(
            n_workers=os.cpu_count() or 1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.ERROR,
        )
    )
    return stack.enter_context(distributed.Client(cluster))


@app.command("list")
def list_cmd(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f")) -> None:
    """List the presets: real export controls from USGS MCS 2026 table T4.

    Run one with `critmin scenario run ID`; change a parameter with --param, e.g.
    `--param cut=0.5` or `--param group=QUAD`.
    """
    from critmin.scenarios.presets import list_presets

    df = list_presets()
    if fmt == OutputFormat.table:
        df = df.assign(start=df["start_year"].astype(str), line=df["t4_line"].astype(str))
        df = df.rename(columns={"country_iso3": "from", "commodities": "HS6 codes"})
        params = sorted({p for ps in df["parameters"] for p in ps.split(", ") if p})
        _print_table(
            df[["id", "from", "HS6 codes", "start", "line"]],
            title="Scenario presets",
            caption="line: of usgs_mcs2026/industry_trends/MCS2026_T4_Country_Export_Control"
            f".csv. Parameters ({', '.join(params)}): --format csv, or --param NAME=VALUE.",
            right=("start", "line"),
        )
        return
    emit(df, fmt)


@app.command("run")
def run_cmd(
    source: str = typer.Argument(..., help="A preset id (see `list`) or a .yaml/.json spec."),
    draws: int = typer.Option(None, "--draws", "-n", help="Monte Carlo draws (default: spec)."),
    seed: int = typer.Option(None, "--seed", help="Seed (default: the spec's)."),
    importer: str = typer.Option(None, "--importer", "-i", help="Only this importer (ISO3)."),
    chart: Path = typer.Option(None, "--chart", help="Write charts: out.html or out.png."),
    save_as: str = typer.Option(None, "--save", help="Save the run in the workspace."),
    dask: bool = typer.Option(False, "--dask", help="Run on a local Dask cluster."),
    param: list[str] = typer.Option(None, "--param", "-p", help="Preset parameter NAME=VALUE."),
    base_year: int = typer.Option(None, "--base-year", help="BACI year of the network."),
    top: int = typer.Option(10, "--top", help="Rows of the summary table."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Run a scenario: shortfall P5/P50/P95 per importer and commodity, who fills the gap.

    With --format csv or json the full shortfall table goes to stdout (the progress bar
    goes to stderr).

    Examples
    --------
        critmin scenario run china_ree_2025 --importer IND
        critmin scenario run china_ree_outside_group --param group=QUAD --draws 5000
        critmin scenario run my_spec.yaml --chart out.html --save mine
        critmin scenario run indonesia_nickel_ore_2020 --format csv > nickel.csv
    """
    from critmin.scenarios.runner import run_scenario, save

    with contextlib.ExitStack() as stack:
        client = _dask_client(stack) if dask else None
        with _Bar(enabled=True) as bar:
            run = run_scenario(
                source,
                n_draws=draws,
                seed=seed,
                base_year=base_year,
                progress=bar,
                client=client,
                params=_params(param),
            )
    if importer and importer not in set(run.network.countries):  # type: ignore[union-attr]
        from critmin.errors import UnknownCountry

        raise UnknownCountry(importer, run.network.countries)  # type: ignore[union-attr]
    err = _err_console()
    if fmt == OutputFormat.table:
        _print_run(run, importer, top)
    else:
        df = run.tables["shortfall"]
        if importer:
            df = df[df["importer_iso3"] == importer]
        emit(df, fmt)
    out = console() if fmt == OutputFormat.table else err
    if chart is not None:
        _chart(run, chart, importer, out)
    if save_as:
        path = save(run, save_as, overwrite=True, importer=importer)
        out.print(f"Saved as [bold]{save_as}[/] in {path}", overflow="fold")


def _chart(run, path: Path, importer: str | None, out: Console) -> None:  # noqa: ANN001
    from critmin.report.scenario_charts import write_scenario_charts

    s = run.summary(importer=importer, top=1)
    if s.empty:
        out.print("No shortfall: no chart written.")
        return
    p = write_scenario_charts(
        path,
        run.tables["shortfall"],
        run.tables.get("flows"),
        str(s.loc[0, "importer_iso3"]),
        str(s.loc[0, "commodity_id"]),
        years=run.spec.years,
    )
    out.print(f"Charts written to {p}", overflow="fold")


@app.command("show")
def show_cmd(
    name: str = typer.Argument(None, help="A saved run (omit to list them)."),
    importer: str = typer.Option(
        None,
        "--importer",
        "-i",
        help="Only this importer (ISO3); default the importer the run was saved with.",
    ),
    chart: Path = typer.Option(None, "--chart", help="Write charts: out.html or out.png."),
    top: int = typer.Option(10, "--top", help="Rows of the summary table."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Show a run saved with `run --save NAME` (or list the saved runs).

    The run is shown for the importer it was saved with (`run --importer IND --save x`),
    unless --importer names another.
    """
    from critmin.scenarios.runner import list_saved, load

    if name is None:
        df = list_saved()
        if fmt == OutputFormat.table:
            df = df.drop(columns=["path"])
        emit(df, fmt, title="Saved scenario runs")
        return
    run = load(name)
    importer = importer or run.metadata.get("importer") or None
    if fmt == OutputFormat.table:
        _print_run(run, importer, top)
    else:
        df = run.tables["shortfall"]
        emit(df[df["importer_iso3"] == importer] if importer else df, fmt)
    if chart is not None:
        _chart(run, chart, importer, console() if fmt == OutputFormat.table else _err_console())


@app.command("rank")
def rank_cmd(
    source: str = typer.Argument(..., help="A preset id or a .yaml/.json spec."),
    importer: str = typer.Option(..., "--importer", "-i", help="Importer scored (ISO3)."),
    expansion: float = typer.Option(
        None, "--expansion", help="Extra output of one partner at a time [fraction of its output]."
    ),
    ramp_up: float = typer.Option(None, "--ramp-up", help="Years to reach it (with --expansion)."),
    stockpile_days: list[float] = typer.Option(
        None, "--stockpile-days", help="Stockpile for the importer [days]; repeatable."
    ),
    partners: str = typer.Option(None, "--partners", help="Partners to try, e.g. AUS,USA."),
    draws: int = typer.Option(None, "--draws", "-n", help="Draws per candidate."),
    seed: int = typer.Option(None, "--seed", help="Seed (default: the spec's)."),
    param: list[str] = typer.Option(None, "--param", "-p", help="Preset parameter NAME=VALUE."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Rank mitigations: which partner's expansion or stockpile cuts the shortfall most.

    The sizes are yours: critmin has no default expansion, ramp-up or stockpile.

    Examples
    --------
        critmin scenario rank china_ree_2025 --importer IND --expansion 0.2 --ramp-up 1
        critmin scenario rank china_ree_2025 --importer USA --stockpile-days 90
    """
    from critmin.scenarios.runner import rank_scenario

    ranked = rank_scenario(
        source,
        importer,
        partner_expansion=expansion,
        ramp_up_years=ramp_up,
        stockpile_days=list(stockpile_days) if stockpile_days else None,
        partners=[p.strip() for p in partners.split(",")] if partners else None,
        n_draws=draws,
        seed=seed,
        params=_params(param),
    )
    if fmt != OutputFormat.table:
        emit(ranked, fmt)
        return
    view = pd.DataFrame(
        {
            "mitigation": ranked["mitigation"],
            "P50 shortfall t": ranked["p50_shortfall_t"].map(fmt_num),
            "cut t": ranked["reduction_t"].map(fmt_num),
            "cut %": ranked["reduction_pct"].map(_pct),
        }
    )
    _print_table(
        view,
        right=("P50 shortfall t", "cut t", "cut %"),
        title=f"Mitigations for {importer}, ranked",
        caption="P50 over draws of the shortfall summed over the horizon and the shocked "
        "commodities, in t; every candidate uses the same random numbers.",
    )
