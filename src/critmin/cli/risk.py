"""``critmin risk``: minerals ranked by supply risk for a country or a group."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from critmin.cli._render import OutputFormat, console, emit
from critmin.errors import MethodError

_LIST_LETTERS = (("on_us_2025", "U"), ("on_eu_2023", "E"), ("on_india_2023", "I"))


def _pct(v: object) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    return f"{100 * float(v):.0f}%"  # type: ignore[arg-type]


def _lists(row: pd.Series) -> str:
    return "".join(letter if bool(row.get(col)) else "·" for col, letter in _LIST_LETTERS)


def _ranking_table(df: pd.DataFrame, title: str, caption: str) -> Table:
    t = Table(
        title=title,
        caption=caption,
        title_justify="left",
        caption_justify="left",
        box=None,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold",
    )
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("mineral", overflow="ellipsis", no_wrap=True, max_width=16)
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("driver", overflow="ellipsis", no_wrap=True, max_width=26)
    t.add_column("HHI", justify="right", no_wrap=True)
    t.add_column("imp", justify="right", no_wrap=True)
    t.add_column("GPR", justify="right", no_wrap=True)
    t.add_column("lists", no_wrap=True)
    t.add_column("ctl", justify="right", no_wrap=True)
    for _, r in df.iterrows():
        t.add_row(
            str(r["rank"]),
            str(r["mineral"]),
            f"{r['score']:.2f}" if pd.notna(r["score"]) else "–",
            str(r["driver"] or ""),
            f"{r['hhi']:.2f}" if pd.notna(r["hhi"]) else "–",
            _pct(r["import_reliance"]),
            f"{r['geopolrisk']:.3f}" if pd.notna(r["geopolrisk"]) else "–",
            _lists(r),
            str(int(r["export_controls"])) if r["export_controls"] else "",
        )
    return t


def _sources(df: pd.DataFrame) -> str:
    conc = sorted({s.rsplit(" ", 1)[0] for s in df["concentration_source"].dropna()})
    years = sorted({s.rsplit(" ", 1)[1] for s in df["concentration_source"].dropna()})
    return (
        f"Concentration: {', '.join(conc)} ({', '.join(years)}); import reliance: BACI; "
        "GeoPolRisk: BACI, WMD, WGI PV; lists: catalog; controls: USGS MCS 2026 T4."
    )


def _sensitivity_table(sens_ranks: pd.DataFrame, spearman: pd.Series, top: int) -> list[Table]:
    t1 = Table(
        box=None,
        pad_edge=False,
        padding=(0, 1),
        header_style="bold",
    )
    t1.add_column("variant", no_wrap=True)
    t1.add_column("rho", justify="right")
    for name, rho in spearman.items():
        t1.add_row(str(name), "–" if pd.isna(rho) else f"{rho:.2f}")
    t2 = Table(
        box=None,
        pad_edge=False,
        padding=(0, 1),
        header_style="bold",
    )
    for col, just in (
        ("mineral", "left"),
        ("base", "right"),
        ("best", "right"),
        ("worst", "right"),
        ("range", "right"),
        ("variants", "right"),
    ):
        t2.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for _, r in sens_ranks.head(top).iterrows():
        t2.add_row(
            str(r["mineral"])[:24],
            _int(r["score"]),
            _int(r["min_rank"]),
            _int(r["max_rank"]),
            _int(r["rank_range"]),
            str(int(r["n_variants"])),
        )
    return [t1, t2]


def _int(v: object) -> str:
    return "–" if v is None or pd.isna(v) else str(int(v))  # type: ignore[call-overload]


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("risk")
    def risk_cmd(
        country: str = typer.Option(
            None, "--country", "-c", help="Country: ISO3 or name (IND, USA, India)."
        ),
        group: str = typer.Option(
            None, "--group", "-g", help="Country group: MSP, QUAD, TRUST, US_FTA, ..."
        ),
        year: int = typer.Option(
            None, "--year", "-y", help="Assessment year; default the latest with data."
        ),
        stage: str = typer.Option(
            None, "--stage", "-s", help="mine or refinery; default the more concentrated."
        ),
        top: int = typer.Option(20, "--top", "-n", help="Show the N riskiest (table only)."),
        chart: Path = typer.Option(
            None, "--chart", help="Write the risk matrix to a .png or .html file."
        ),
        fmt: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="table, csv or json."
        ),
        sensitivity: bool = typer.Option(
            False, "--sensitivity", help="How ranks change with indicator, year and stage."
        ),
    ) -> None:
        """Minerals ranked by supply risk for a country or a group, with the driver in words.

        Indicators per mineral: concentration (HHI) of the stage that drives the risk and its
        largest producer ("China 69% of mining"), governance-weighted HHI (EU WGI scaling),
        import reliance (BACI trade and production), GeoPolRisk score, critical lists (US
        2025, EU 2023, India 2023) and export controls in force.  The score is the mean of the
        min-max rescaled HHI, WGI-weighted HHI, import reliance and GeoPolRisk.  csv and json
        carry every indicator and its source.

        Examples
        --------
            critmin risk --country IND
            critmin risk --group MSP --year 2022 --stage refinery --top 10
            critmin risk --country USA --chart risk.png
            critmin risk --country IND --format csv > india_risk.csv
            critmin risk --country IND --sensitivity
        """
        from critmin.assessments.risk import risk, risk_sensitivity

        if top < 1:
            raise MethodError(f"--top must be at least 1, got {top}")
        if chart is not None and chart.suffix.lower() not in (".png", ".html", ".htm"):
            raise MethodError(f"--chart must name a .png or .html file, got {str(chart)!r}")
        df = risk(country=country, group=group, year=year, stage=stage)
        attrs = dict(df.attrs)
        if chart is not None:
            from critmin.report.charts import risk_matrix, save

            who = attrs["subject"] if attrs["is_group"] else attrs["name"]
            fig = risk_matrix(
                df, title=f"Supply-risk matrix, {who}, {attrs['year']} (critmin risk)"
            )
            written = save(fig, chart)
            typer.echo(f"wrote {written}", err=True)
        if sensitivity:
            sens = risk_sensitivity(country=country, group=group, year=year, stage=stage)
            if fmt == OutputFormat.table:
                c = console()
                t1, t2 = _sensitivity_table(sens.ranks, sens.spearman["score"], top)
                who = attrs["name"] if not attrs["is_group"] else attrs["subject"]
                c.print(f"[bold]Ranking sensitivity, {who}, {attrs['year']}[/]")
                c.print("Spearman rank correlation of each variant with the base ranking:")
                c.print(t1)
                c.print(
                    f"Rank of the {min(top, len(sens.ranks))} riskiest minerals across the variants:"
                )
                c.print(t2)
                c.print(
                    "Variants: by one indicator; other years; mine or refinery stage only. "
                    "range = worst − best rank (1 = riskiest)."
                )
            elif fmt == OutputFormat.csv:
                sens.ranks.reset_index().to_csv(sys.stdout, index=False)
            else:
                out = {
                    "spearman": json.loads(sens.spearman.to_json(orient="index")),
                    "ranks": json.loads(sens.ranks.reset_index().to_json(orient="records")),
                }
                sys.stdout.write(json.dumps(out, indent=1) + "\n")
            return
        if fmt != OutputFormat.table:
            emit(df.drop(columns=[c for c in df.columns if c.startswith("z_")]), fmt)
            return
        who = f"{attrs['name']} ({attrs['subject']})" if attrs["is_group"] else attrs["name"]
        title = f"Supply risk, {who}, {attrs['year']}" + (
            f", {attrs['stage']} stage" if attrs.get("stage") else ""
        )
        caption = (
            "score: mean of min-max rescaled HHI, WGI-weighted HHI, import reliance, GeoPolRisk"
            " (GPR). imp: import reliance. lists: U = US 2025, E = EU 2023, I = India 2023."
            " ctl: countries with export controls in force. – = not available (no HS code or"
            " no trade data): the score then uses the indicators there are. "
            + _sources(df)
            + (f" Note: {attrs['note']}." if attrs.get("note") else "")
            + (f" {len(df) - top} more with --top {len(df)}." if len(df) > top else "")
        )
        console().print(_ranking_table(df.head(top), title, caption))
