"""``critmin plan``: decisions behind the TRUST initiative (exact KKT and HiGHS LP solvers).

Commands: ``partners`` (least-risk import mix and risk-cost frontier), ``stockpile`` (stock
that covers a scenario's P95 shortfall), ``stress`` (smallest export cut that breaks a
sector) and ``bloc`` (what a bloc mines, refines, consumes and lacks).  Tables go to stdout
(``--format csv|json`` for machines: JSON is the whole result with units and sources);
notes and progress go to stderr.
"""

from __future__ import annotations

import json
import math
import sys

import pandas as pd
import typer

from critmin.cli._render import OutputFormat, console, fmt_num

app = typer.Typer(
    help="Resilience planner: which partners to source from, how large a stockpile, which "
    "shock breaks a sector, what a bloc lacks.  Start with `critmin plan partners lithium "
    "--importer IND --stage refinery`.",
    no_args_is_help=True,
)


def _share(v: object) -> str:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(x) else f"{100 * x:.1f}%"


def _num(v: object, digits: int = 3) -> str:
    try:
        return fmt_num(float(v), digits)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


def _name(v: object) -> str:
    return v if isinstance(v, str) and v else "–"


def _table(rows: list[list[str]], header: list[str], title: str, right: set[int]) -> None:
    from rich.table import Table

    t = Table(title=title, title_justify="left", box=None, header_style="bold", pad_edge=False)
    for i, h in enumerate(header):
        t.add_column(h, justify="right" if i in right else "left", no_wrap=True)
    for r in rows:
        t.add_row(*r)
    console().print(t)


def _footer(notes: list[str], sources: list[str]) -> None:
    from rich.console import Console

    sys.stdout.flush()
    err = Console(stderr=True, width=min(100, console().width), highlight=False)
    from rich.markup import escape

    for n in notes:
        err.print(f"[dim]note: {escape(n)}[/dim]")
    err.print(f"[dim]sources: {escape('; '.join(sources))}[/dim]")


def _machine(result: object, frame: pd.DataFrame, fmt: OutputFormat) -> bool:
    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=1) + "\n")  # type: ignore[attr-defined]
        return True
    if fmt == OutputFormat.csv:
        frame.to_csv(sys.stdout, index=False)
        return True
    return False


def _bar(total_label: str):  # noqa: ANN202 - a Rich Progress or None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(f"{total_label:<10}"),
        BarColumn(bar_width=28),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True, width=100),
        transient=True,
    )


@app.command("partners")
def partners_cmd(
    commodity: str = typer.Argument(..., help="Commodity name or HS6 code (e.g. lithium, 282520)."),
    importer: str = typer.Option("IND", "--importer", "-i", help="Country or group (MSP, TRUST)."),
    bloc: list[str] = typer.Option(
        None, "--bloc", "-b", help="Source only from this group/country."
    ),
    exclude: list[str] = typer.Option(None, "--exclude", "-x", help="Never source from it."),
    stage: str = typer.Option(None, "--stage", "-s", help="mine|refinery (ore or refined codes)."),
    hs6: str = typer.Option(None, "--hs6", help="Plan this HS6 code of the commodity."),
    objective: str = typer.Option(
        "hhi_wgi", "--objective", help="hhi_wgi (EU governance-weighted HHI) | import_risk | hhi."
    ),
    points: int = typer.Option(7, "--points", "-n", min=5, help="Frontier points (>= 5)."),
    demand: float = typer.Option(
        None, "--demand", help="Tonnes to plan (default: today's imports)."
    ),
    year: int = typer.Option(None, "--year", help="BACI year (default latest)."),
    top: int = typer.Option(12, "--top", help="Suppliers shown."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Least-risk import mix within suppliers' exportable capacity, and the risk-cost frontier.

    Minimises the governance-weighted concentration (HHI_WGI of the EU CRM method; or the
    GeoPolRisk import risk, or the plain HHI) of the importer's purchases, subject to each
    supplier's exportable capacity (production minus own consumption = net exports on the
    BACI basis) and a mean unit cost at BACI unit values.  Quadratic objectives are solved
    exactly from their KKT conditions, linear ones on HiGHS (docs/methods/plan.md).

    Examples
    --------
        critmin plan partners lithium --importer IND --stage refinery
        critmin plan partners lithium --importer IND --bloc MSP
        critmin plan partners "rare earths" --importer USA --exclude CHN --objective import_risk
        critmin plan partners cobalt --importer TRUST --format json > plan.json
    """
    from critmin.plan import partners

    p = partners(
        commodity,
        importer,
        stage=stage,
        hs6=hs6,
        bloc=bloc or None,
        exclude=exclude or None,
        objective=objective,
        n_points=points,
        demand_t=demand,
        year=year,
    )
    if _machine(p, p.mix, fmt):
        _footer(p.notes, p.sources)
        return
    s = p.summary
    console().print(
        f"[bold]{s['importer']} · {s['commodity_id']} · HS {s['hs6']} {s['description'][:40]} · "
        f"{s['year']}[/bold]  demand {_num(s['demand_t'])} t, objective {s['objective']}"
    )
    _table(
        [
            [
                "today",
                _num(s["today_hhi_wgi"]),
                _num(s["today_import_risk"]),
                _num(s["today_hhi"]),
                _num(s["today_unit_cost_usd_per_t"]),
            ],
            [
                "optimum",
                _num(s["optimum_hhi_wgi"]),
                _num(s["optimum_import_risk"]),
                _num(s["optimum_hhi"]),
                _num(s["optimum_unit_cost_usd_per_t"]),
            ],
        ],
        ["mix", "HHI_WGI [0-10]", "import risk [-]", "HHI [-]", "unit cost [USD/t]"],
        "Today's mix and the optimum",
        {1, 2, 3, 4},
    )
    rows = []
    for r in p.mix.head(top).itertuples(index=False):
        rows.append(
            [
                r.supplier,
                str(r.country)[:18],
                _num(r.g, 2),
                _num(r.capacity_t),
                _num(r.unit_value_usd_per_t),
                _share(r.today_share),
                _share(r.optimum_share),
                _num(0.0 if abs(r.change_t) < 1e-6 else r.change_t),
            ]
        )
    _table(
        rows,
        ["ISO3", "supplier", "g", "cap [t]", "USD/t", "today", "optimum", "change [t]"],
        f"Suppliers ({len(p.mix)}; top {min(top, len(p.mix))})",
        {2, 3, 4, 5, 6, 7},
    )
    fr = [
        [
            str(r.point),
            _num(r.budget_usd_per_t),
            _num(r.unit_cost_usd_per_t),
            _num(r.risk),
            _num(r.import_risk),
            _num(r.hhi),
        ]
        for r in p.frontier.itertuples(index=False)
    ]
    _table(
        fr,
        ["#", "budget [USD/t]", "unit cost [USD/t]", f"{s['objective']}", "import risk", "HHI"],
        "Risk-cost frontier: least-cost mix (0) to the optimum (last)",
        {0, 1, 2, 3, 4, 5},
    )
    g = p.gainers.head(6)
    if len(g):
        console().print(
            "Partners that gain: "
            + ", ".join(f"{r.supplier} +{_num(r.change_t)} t" for r in g.itertuples(index=False))
        )
    _footer(p.notes, p.sources)


@app.command("stockpile")
def stockpile_cmd(
    preset: str = typer.Argument(..., help="Scenario preset id (critmin scenario list) or file."),
    importer: str = typer.Option("IND", "--importer", "-i", help="Importing country."),
    cover: float = typer.Option(0.95, "--cover", help="Probability the stock covers the gap."),
    draws: int = typer.Option(None, "--draws", "-n", help="Ensemble draws (default: preset)."),
    spare: tuple[float, float] = typer.Option(
        None, "--spare", help="Partner response LO HI: others add uniform(LO,HI) of net exports."
    ),
    ramp: float = typer.Option(0.0, "--ramp-up-years", help="Years to full spare output."),
    param: list[str] = typer.Option(None, "--param", "-p", help="Preset parameter NAME=VALUE."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Stockpile (t, months of consumption, cost) covering the P95 shortfall of a scenario.

    Sizes the stock as the --cover quantile of the importer's cumulative shortfall over the
    scenario's horizon, without any response, with partner responses (--spare) and with
    recycling (Python API only: critmin ships no tonnes-of-good per tonne of element factor).

    Examples
    --------
        critmin plan stockpile china_ree_2025 --importer IND --cover 0.95
        critmin plan stockpile china_ga_ge_graphite_2023 --importer USA --spare 0 0.2
        critmin plan stockpile china_antimony_2024 -i IND -p cut=0.5 --format csv
    """
    from critmin.cli.scenario import _params
    from critmin.plan import stockpile

    sp = None if spare is None or spare[0] is None else (float(spare[0]), float(spare[1]))
    with _bar("ensemble") as bar:
        task = bar.add_task("ensemble", total=None)

        def prog(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        p = stockpile(
            preset,
            importer,
            cover=cover,
            draws=draws,
            params=_params(param),
            spare=sp,
            ramp_up_years=ramp,
            progress=prog,
        )
    if _machine(p, p.table, fmt):
        _footer(p.notes, p.sources)
        return
    s = p.summary
    console().print(
        f"[bold]{s['title']}[/bold] · {s['importer']} · P{round(100 * s['cover'])} cover · "
        f"{s['draws']} draws · {s['horizon'][0]}-{s['horizon'][1]}"
    )
    rows = [
        [
            r.variant,
            r.hs6,
            _num(r.stock_t),
            _num(r.months),
            _num(r.cost_musd),
            _num(r.peak_shortfall_t),
            _share(r.p_any_shortfall),
        ]
        for r in p.table.itertuples(index=False)
    ]
    _table(
        rows,
        ["variant", "HS6", "stock [t]", "months", "cost [M USD]", "peak [t/yr]", "P(gap)"],
        "Stockpile per code",
        {2, 3, 4, 5, 6},
    )
    for r in p.variants.itertuples(index=False):
        from rich.markup import escape

        console().print(f"[dim]{r.variant}: {escape(r.how)}[/dim]")
    _footer(p.notes, p.sources)


@app.command("stress")
def stress_cmd(
    commodity: str = typer.Argument(..., help="Commodity name or HS6 code."),
    importer: str = typer.Option("IND", "--importer", "-i", help="Importing country."),
    sector: str = typer.Option(
        None, "--sector", help="Strategic sector (e.g. defence, 'electric vehicles')."
    ),
    threshold: float = typer.Option(
        0.2, "--threshold", "-t", help="Shortfall that breaks it [0-1]."
    ),
    stage: str = typer.Option(None, "--stage", "-s", help="mine|refinery."),
    hs6: str = typer.Option(None, "--hs6", help="Plan this HS6 code."),
    bloc: list[str] = typer.Option(
        None, "--bloc", "-b", help="Also test this group as one supplier."
    ),
    top: int = typer.Option(8, "--top", help="Suppliers tested (largest first)."),
    spare: tuple[float, float] = typer.Option(
        None, "--spare", help="Others add uniform(LO,HI) of net exports (gives P50 != P95)."
    ),
    ramp: float = typer.Option(0.0, "--ramp-up-years", help="Years to full spare output."),
    draws: int = typer.Option(200, "--draws", "-n", help="Draws per evaluation (with --spare)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Smallest export cut by one supplier (or bloc) that pushes a sector past a threshold.

    Bisection on the scenario engine's P50 and P95 shortfall; without --spare the
    shortfall is the withheld delivery and the cut equals threshold x consumption / delivery.

    Examples
    --------
        critmin plan stress lithium --importer IND --sector defence --threshold 0.2
        critmin plan stress "rare earths" -i USA --bloc FEOC_COUNTRIES --spare 0 0.3
        critmin plan stress cobalt -i IND --stage refinery -t 0.1 --format csv
    """
    from critmin.plan import stress

    sp = None if spare is None or spare[0] is None else (float(spare[0]), float(spare[1]))
    with _bar("suppliers") as bar:
        task = bar.add_task("suppliers", total=None)

        def prog(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        p = stress(
            commodity,
            importer,
            sector=sector,
            threshold=threshold,
            stage=stage,
            hs6=hs6,
            blocs=bloc or (),
            top=top,
            spare=sp,
            ramp_up_years=ramp,
            draws=draws,
            progress=prog,
        )
    if _machine(p, p.table, fmt):
        _footer(p.notes, p.sources)
        return
    s = p.summary
    console().print(
        f"[bold]{s['importer']} · {s['commodity_id']} · HS {s['hs6']} · shock {s['shock_year']}[/bold]"
        f"  breaks at {_share(s['threshold'])} of {_num(s['consumption_t'])} t consumption"
        + (f" ({s['sector']})" if s["sector"] else "")
    )
    rows = [
        [
            r.supplier,
            str(r.country)[:16],
            _num(r.delivery_t),
            _share(r.delivery_share),
            _share(r.cut_p50) if not pd.isna(r.cut_p50) else "no break",
            _share(r.cut_p95) if not pd.isna(r.cut_p95) else "no break",
        ]
        for r in p.table.itertuples(index=False)
    ]
    _table(
        rows,
        ["ISO3", "supplier", "ships [t]", "of imports", "cut P50", "cut P95"],
        "Smallest export cut that breaks the threshold",
        {2, 3, 4, 5},
    )
    _footer(p.notes, p.sources)


@app.command("bloc")
def bloc_cmd(
    group: str = typer.Argument(..., help="Group id (TRUST, MSP, QUAD, US_FTA) or country."),
    commodity: str = typer.Argument(..., help="Commodity name."),
    year: int = typer.Option(None, "--year", help="BACI year (default latest)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """What a bloc mines, refines and consumes, its gap per stage, and who fills it best.

    Examples
    --------
        critmin plan bloc TRUST lithium
        critmin plan bloc QUAD "rare earths"
        critmin plan bloc MSP cobalt --format json
    """
    from critmin.plan import bloc

    p = bloc(group, commodity, year=year)
    if _machine(p, p.trade, fmt):
        _footer(p.notes, p.sources)
        return
    s = p.summary
    console().print(
        f"[bold]{s['group']} ({', '.join(s['members'][:8])}) · {s['commodity_id']}[/bold]"
    )
    if len(p.production):
        rows = [
            [
                r.stage,
                str(r.year),
                _num(r.bloc_total),
                _num(r.world_total),
                str(r.unit),
                _share(r.bloc_share),
                str(r.top_member) if isinstance(r.top_member, str) else "–",
            ]
            for r in p.production.itertuples(index=False)
        ]
        _table(
            rows,
            ["stage", "year", "bloc", "world", "unit", "share", "top"],
            "Published production",
            {2, 3, 5},
        )
    rows = [
        [
            r.hs6,
            r.stage,
            _num(r.consumption_t),
            _num(r.imports_outside_t),
            _num(r.exports_outside_t),
            _num(r.gap_t),
            _share(r.self_sufficiency),
            _name(r.best_partner),
            _name(r.single_cover_partner),
        ]
        for r in p.trade.itertuples(index=False)
    ]
    _table(
        rows,
        [
            "HS6",
            "stage",
            "cons [t]",
            "imp out [t]",
            "exp out [t]",
            "gap [t]",
            "self",
            "best",
            "alone",
        ],
        f"Trade with non-members ({s['trade_year']})",
        {2, 3, 4, 5, 6},
    )
    _footer(p.notes, p.sources)
