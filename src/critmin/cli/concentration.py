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
        name = _SOURCE_NAMES.get(str(src), str(src))
        parts.append(f"{name}: {series}, in {unit} ({', '.join(sorted(set(g['dataset'])))})")
    return escape(". ".join(parts) + ".") + _iea_caption(df)


_SOURCE_NAMES = {
    "usgs": "USGS",
    "wmd": "World Mining Data",
    "iea": "IEA Critical Minerals Data Explorer",
}


def _iea_caption(df: pd.DataFrame) -> str:
    """What IEA rows mean: a group read for the commodity, the rest of world, projections."""
    iea = df[df["source"] == "iea"]
    if iea.empty:
        return ""
    from critmin.assessments.concentration import iea_years

    cids = sorted(set(iea["commodity_id"]))
    yrs = iea_years(cids, sorted(set(iea["stage"])))
    text = (
        f" IEA figures are for {', '.join(cids)}; 'Rest of world' is other_share, left out "
        "of top1/top3 and the HHI (a lower bound; hhi_points_upper in --format csv counts it "
        "as one producer)."
    )
    if yrs["projection"]:
        shown = sorted(int(y) for y in iea["year"].unique() if y in yrs["projection"])
        text += (
            f" 'proj' marks a base-case projection ({', '.join(map(str, shown))})"
            if shown
            else f" Historical years only; projections {', '.join(map(str, yrs['projection']))}"
            " with --year"
        ) + "."
    return escape(text)


def _year_text(df: pd.DataFrame) -> list[str]:
    """Years as plain numbers, projections marked ``'2030 proj'``."""
    if "projection" in df:
        proj = df["projection"].fillna(False).astype(bool)
    else:  # bloc shares: a projection year of the IEA rows
        from critmin.assessments.concentration import iea_years

        iea = df["source"] == "iea"
        later = (
            iea_years(sorted(set(df.loc[iea, "commodity_id"])))["projection"] if iea.any() else []
        )
        proj = iea & df["year"].isin(later)
    return [f"{int(y)} proj" if p else str(int(y)) for y, p in zip(df["year"], proj, strict=True)]


def _with_iea_fallback(call, commodity: str, stage: str, source: str, measure: str):  # noqa: ANN001, ANN202
    """Run `call(source)`; where USGS/WMD lack `stage`, fall back to the IEA, saying so."""
    from critmin.assessments import concentration as conc
    from critmin.errors import NoData

    try:
        return call(source)
    except NoData as err:
        if source not in ("usgs", "wmd", "both") or measure != "production":
            raise
        try:
            df = call("iea")
        except NoData:
            raise err from None
        typer.secho(
            f"note: source {source!r} has no {stage} {measure} of {commodity}; using the IEA "
            f"Critical Minerals Data Explorer ({', '.join(conc.iea_commodities(commodity))}), "
            "as --source iea does",
            err=True,
            fg=typer.colors.YELLOW,
        )
        return df


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
            "usgs",
            "--source",
            help="usgs, wmd (World Mining Data), iea (IEA, mining and refining; historical "
            "year unless --year names a projection year) or both (usgs and wmd side by side). "
            "Where usgs/wmd lack the stage, the IEA is used with a note.",
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
            critmin concentration "rare earths" --stage refinery --source iea
        """
        from critmin.assessments import concentration as conc

        if group and without_:
            raise typer.BadParameter("give either --group or --without, not both")
        kw = dict(stage=stage, year=year, measure=measure)
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
            df = _with_iea_fallback(
                lambda src: conc.bloc_supply(commodity, grp, source=src, **kw),
                commodity,
                stage,
                source,
                measure,
            )
            if fmt != OutputFormat.table:
                emit(df, fmt)
                return
            held = df["members_withheld"].str.replace(";", ", ")
            out = df.assign(  # a withheld member: a lower bound that says so, never a bare 0%
                share=[
                    fmt_pct(s) + (f" + {w} withheld" if w else "")
                    for s, w in zip(df["bloc_share"], held, strict=True)
                ],
                group_total=[
                    fmt_num(v) + (" + W" if w else "")
                    for v, w in zip(df["bloc_total"], held, strict=True)
                ],
                world=[fmt_num(v) for v in df["world_total"]],
                largest=[
                    f"{m} {fmt_pct(s)}" if isinstance(m, str) else "–"
                    for m, s in zip(df["top_member"], df["top_member_share"], strict=True)
                ],
            )
            out["year"] = _year_text(df)
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
                    + (
                        "'+ X withheld': the source withholds member X's figure (W); the "
                        "share and total count the other members only, so the bloc's true "
                        "share is at least that (column share_is_lower_bound). "
                        if df["share_is_lower_bound"].any()
                        else ""
                    )
                    + _src_caption(df)
                ),
            )
            return
        if without_:
            df = _with_iea_fallback(
                lambda src: conc.without(commodity, _split(without_), source=src, **kw),
                commodity,
                stage,
                source,
                measure,
            )
        else:
            df = _with_iea_fallback(
                lambda src: conc.concentration(commodity, source=src, **kw),
                commodity,
                stage,
                source,
                measure,
            )
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
            year=_year_text(df),
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
