"""``critmin concentration COMMODITY``: supply concentration, bloc share, the world without X."""

from __future__ import annotations

import pandas as pd
import typer
from rich.markup import escape

from critmin.cli._render import OutputFormat, emit, fmt_num, fmt_pct


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _src_caption(df: pd.DataFrame) -> str:
    parts = []
    for src, g in df.groupby("source", sort=False):
        series = "; ".join(dict.fromkeys(g["series"]))
        unit = g["unit"].iloc[0] + (f", {g['basis'].iloc[0]}" if g["basis"].iloc[0] else "")
        name = "USGS" if src == "usgs" else "World Mining Data"
        parts.append(f"{name}: {series}, in {unit} ({', '.join(sorted(set(g['dataset'])))})")
    return escape(". ".join(parts) + ".")


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("concentration")
    def concentration_cmd(
        commodity: str = typer.Argument(
            ..., help="Commodity name, alias or element: lithium, REE, Nd, cobalt ..."
        ),
        stage: str = typer.Option(
            "mine", "--stage", "-s", help="mine, refinery, smelter, processing, ..."
        ),
        measure: str = typer.Option("production", "--measure", help="production or reserves."),
        year: int = typer.Option(None, "--year", "-y", help="One year; default all years."),
        source: str = typer.Option(
            "usgs", "--source", help="usgs, wmd (World Mining Data) or both side by side."
        ),
        without_: str = typer.Option(
            None, "--without", help="Countries to remove, comma-separated: CHN or CHN,RUS."
        ),
        group: str = typer.Option(
            None,
            "--group",
            "-g",
            help="A group (MSP, QUAD, US_FTA, TRUST) or countries (IND,USA): its share.",
        ),
        fmt: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="table, csv or json."
        ),
    ) -> None:
        """Concentration of supply per year: top producer, top-3 share, HHI, producers.

        Shares are of the stated world total (USGS) or of the sum of the producing countries
        (World Mining Data); HHI in points (0-10,000).  `--group` gives the share of a group
        of countries instead, `--without` the concentration of the world without some
        producers.

        Examples
        --------
            critmin concentration lithium
            critmin concentration aluminium --stage smelter --source both
            critmin concentration "rare earths" --without CHN
            critmin concentration lithium --group MSP --format csv
        """
        from critmin.assessments import concentration as conc

        if group and without_:
            raise typer.BadParameter("give either --group or --without, not both")
        kw = dict(stage=stage, year=year, source=source, measure=measure)
        if group:
            names = _split(group)
            grp: str | list[str] = names
            if len(names) == 1:  # a group id, else a single country
                from critmin import api, catalog
                from critmin.errors import UnknownCountry, UnknownGroup

                try:
                    api.groups(names[0])
                    grp = names[0]
                except UnknownGroup as err:
                    try:
                        grp = [catalog.resolve_country(names[0])]
                    except UnknownCountry:
                        raise err from None
            df = conc.bloc_supply(commodity, grp, **kw)
            if fmt != OutputFormat.table:
                emit(df, fmt)
                return
            out = df.assign(
                share=[fmt_pct(s) for s in df["bloc_share"]],
                group_total=[fmt_num(v) for v in df["bloc_total"]],
                world=[fmt_num(v) for v in df["world_total"]],
                largest=[
                    f"{m} {fmt_pct(s)}" if isinstance(m, str) else "–"
                    for m, s in zip(df["top_member"], df["top_member_share"], strict=True)
                ],
            )
            cols = ["year", "source", "share", "group_total", "world", "largest"]
            g = df["group"].iloc[0]
            producing = [
                m for m in dict.fromkeys(";".join(df["members_producing"]).split(";")) if m
            ]
            emit(
                out[cols],
                fmt,
                title=f"{df['commodity_id'].iloc[0]}: {stage} {measure}, share of {g}",
                caption=(
                    f"{g}: {df['n_members'].iloc[0]} member countries named (a bloc such as "
                    "the EU counts only through its members listed); producing: "
                    f"{', '.join(producing) or 'none'}. "
                    "share: of the world total; largest: the member with the largest share. "
                    + _src_caption(df)
                ),
            )
            return
        if without_:
            df = conc.without(commodity, _split(without_), **kw)
        else:
            df = conc.concentration(commodity, **kw)
        if fmt != OutputFormat.table:
            emit(df, fmt)
            return
        out = df.assign(
            top1=[
                f"{c} {fmt_pct(s)}" if isinstance(c, str) else "–"
                for c, s in zip(df["top1_country"], df["top1_share"], strict=True)
            ],
            top3=[fmt_pct(s) for s in df["top3_share"]],
            hhi=[fmt_num(h) for h in df["hhi_points"]],
            n=df["n_producers"].astype(str),
            world=[fmt_num(v) for v in df["world_total"]],
        )
        cols = ["year", "source", "world", "top1", "top3", "hhi", "n"]
        if without_:
            out = out.assign(
                scope=[
                    "world" if s == "world" else "w/o " + e
                    for s, e in zip(out["scope"], out["excluded"], strict=True)
                ],
                excluded=[fmt_pct(s) for s in out["excluded_share"]],
            )
            cols = ["year", "source", "scope", "excluded", "top1", "top3", "hhi", "n"]
        title = f"{df['commodity_id'].iloc[0]}: {stage} {measure} concentration"
        who = "countries with reserves" if measure == "reserves" else "producing countries"
        cap = (
            "top1/top3: share of the world total; hhi: Herfindahl-Hirschman index in points "
            f"(10,000 = one producer); n: {who}. " + _src_caption(df)
        )
        emit(out[cols], fmt, title=title, caption=cap)
