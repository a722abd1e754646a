"""``critmin production``: production by country for one commodity, stage and year."""

from __future__ import annotations

import shlex

import typer

from critmin.cli._render import OutputFormat, emit, fmt_pct, value_text
from critmin.errors import CritminError, NoData


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("production")
    def production_cmd(
        commodity: str = typer.Argument(
            ..., help="Commodity name, alias or element: lithium, REE, Nd, cobalt ..."
        ),
        stage: str = typer.Option(
            None,
            "--stage",
            "-s",
            help="mine, refinery, smelter, processing, ...; default the commodity's headline "
            "stage (mine if published, else its first published stage).",
        ),
        year: int = typer.Option(
            None,
            "--year",
            "-y",
            help="Year; default the latest year with data (IEA: the latest historical year, "
            "never a projection).",
        ),
        source: str = typer.Option(
            "usgs",
            "--source",
            help="usgs (newest MCS edition), wmd, iea, or user.  Where usgs/wmd lack the "
            "stage, the IEA is used with a note.",
        ),
        fmt: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="table, csv or json."
        ),
        edition: int = typer.Option(
            None,
            "--edition",
            help="USGS edition (2025, 2026): its figures as published. Default: the newest "
            "revision of each year.",
        ),
    ) -> None:
        """Production by country with each country's share of the stated world total.

        Columns: country_iso3, country, value, unit, share, source (file:line).
        The world total and 'Other countries' rows are kept as published; shares are of the
        stated world total.

        Examples
        --------
            critmin production lithium --year 2024
            critmin production "rare earths" --stage mine --format csv > ree.csv
            critmin production cobalt --stage refinery --source iea --format json
            critmin production silicon --year 2024 --edition 2025
        """
        from critmin import api, catalog

        cid = catalog.resolve_commodity(commodity)
        if stage is None:
            stage = api.headline_stage(cid, source=source) or "mine"
            typer.echo(
                f"stage: {stage} (the headline stage of {cid}; --stage to choose another)",
                err=True,
            )
        df = _iea_production(commodity, stage, year) if source == "iea" else None
        if df is None:
            df = api.production(commodity, stage=stage, year=year, source=source, edition=edition)
        if df.empty and source in ("usgs", "wmd"):
            iea = _iea_production(commodity, stage, year)
            if not iea.empty:
                typer.secho(
                    f"note: source {source!r} has no {stage} production of {cid}; using the "
                    f"IEA Critical Minerals Data Explorer ({', '.join(sorted(set(iea['commodity_id'])))})"
                    ", as --source iea does",
                    err=True,
                    fg=typer.colors.YELLOW,
                )
                df, source = iea, "iea"
        if df.empty:
            if source == "iea":
                from critmin.assessments.concentration import iea_commodities

                ids = iea_commodities(commodity) or [cid]
                have = api.observations(ids, measure="production", source=source)
            else:
                have = api.observations(commodity, measure="production", source=source)
            stages = sorted(have["stage"].unique())
            at = have[have["stage"] == stage]
            proj = at["flag"].fillna("").str.contains("projection")
            years = sorted(int(y) for y in at.loc[~proj, "year"].unique())
            years += [f"{int(y)} (projection)" for y in sorted(at.loc[proj, "year"].unique())]
            elsewhere = _sources_with_stage(commodity, stage, skip=source)
            raise NoData(
                f"no {stage} production of {cid} in source {source!r}"
                + (
                    f" for {year}; years with data: {', '.join(map(str, years))}"
                    if years and year
                    else ""
                )
                + (f"; stages with data: {stages}" if stages else "")
                + "".join(
                    f"; {alt} publishes it: critmin production {shlex.quote(commodity)} "
                    f"--stage {stage} --source {alt}"
                    for alt in elsewhere
                )
            )
        proj = df["flag"].fillna("").str.contains("projection")
        if year is None:  # the latest historical year: a projection only when asked for
            latest = int(df.loc[~proj, "year"].max() if (~proj).any() else df["year"].max())
            df, proj = df[df["year"] == latest], proj[df["year"] == latest]
        df = df.assign(projection=proj.to_numpy())
        # one series: the main one (largest world total) unless several are asked for
        main = (
            df.groupby("series")["world_total"].max().fillna(0).idxmax()
            if df["series"].nunique() > 1
            else None
        )
        note = ""
        group = str(df["commodity_id"].iloc[0])
        if group != cid:
            note = f"The IEA publishes {cid} only as the group {group}. "
        if df["projection"].any():
            note += "PROJECTION (IEA base case), not a recorded figure. "
        if main is None:  # USGS: the headline series (critmin.ingest.headline)
            note += f"series {df['series'].iloc[0]!r}"
        else:
            others = sorted(set(df["series"]) - {main})
            note += f"series {main!r}; other series: {others} (use --format csv for all)"
            if fmt == OutputFormat.table:
                df = df[df["series"] == main]
        out = df.assign(source=df["source_id"] + ":" + df["source_row"].astype(str))
        if fmt == OutputFormat.table:
            out = out.assign(
                value=[value_text(v, f) for v, f in zip(out["value"], out["flag"], strict=True)],
                share=[fmt_pct(s) for s in out["share"]],
            )
            cols = ["country_iso3", "country", "value", "unit", "share"]
            yr = int(df["year"].iloc[0])
            yr_text = f"{yr} (projection)" if df["projection"].any() else str(yr)
            basis = df["basis"].iloc[0]
            src = sorted(set(df["source_id"]))
            cap = (
                f"{stage} production {yr_text}, {df['unit'].iloc[0]}"
                + (f" ({basis})" if basis else "")
                + f". Source: {', '.join(src)}. {note}"
            )
            emit(out[cols], fmt, title=f"{group}: {stage} production {yr_text}", caption=cap)
        else:
            cols = [
                "country_iso3",
                "country",
                "year",
                "series",
                "value",
                "unit",
                "basis",
                "share",
                "flag",
                "projection",
                "source",
            ]
            emit(out[cols], fmt)


def _sources_with_stage(commodity: str, stage: str, *, skip: str) -> list[str]:
    """The other sources that publish ``stage`` production of ``commodity``."""
    from critmin import api

    out = []
    for alt in ("usgs", "wmd", "iea"):
        if alt == skip:
            continue
        try:
            have = api.observations(commodity, measure="production", source=alt)
        except CritminError:
            continue
        if (have["stage"] == stage).any():
            out.append(alt)
    return out


def _iea_production(commodity: str, stage: str, year: int | None):  # noqa: ANN202
    """IEA production rows of `commodity`, read through its IEA groups.

    Rare earths -> magnet rare earth elements
    (:func:`critmin.assessments.concentration.iea_commodities`).
    """
    from critmin import api
    from critmin.assessments.concentration import iea_commodities

    ids = iea_commodities(commodity) or [commodity]
    return api.production(ids, stage=stage, year=year, source="iea")
