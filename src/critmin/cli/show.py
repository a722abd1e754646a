"""``critmin show COMMODITY``: the one-page picture of a commodity."""

from __future__ import annotations

import math

import pandas as pd
import typer
from rich.table import Table

from critmin.cli._render import console, fmt_num, fmt_pct, value_text


def _stage_table(df: pd.DataFrame, stage: str, n_years: int = 2) -> tuple[Table | None, list[str]]:
    """Production by country for the latest `n_years`, ranked by the latest year."""
    d = df[(df["stage"] == stage) & (df["flag"].fillna("").str.find("projection") < 0)]
    # world tables only: a series with a stated world total or several producing countries
    n_cty = d[~d["country_iso3"].isin(["WLD", "ROW"])].groupby("series")["country_iso3"].nunique()
    has_world = d[d["country_iso3"] == "WLD"].groupby("series").size()
    keep = set(has_world.index) | set(n_cty[n_cty >= 3].index)
    d = d[d["series"].isin(keep)]
    if d.empty:
        return None, []
    main = d.groupby("series")["world_total"].max().fillna(0).idxmax()
    d = d[d["series"] == main]
    years = sorted(d["year"].unique())[-n_years:]
    d = d[d["year"].isin(years)]
    last = years[-1]
    unit, basis = d["unit"].iloc[0], d["basis"].iloc[0]
    ds = sorted(d["dataset"].unique())
    t = Table(
        title=f"{stage.capitalize()} production, {unit}{' ' + basis if basis else ''} ({', '.join(ds)})",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    t.add_column("country", overflow="ellipsis", max_width=26, no_wrap=True)
    for y in years:
        t.add_column(str(y), justify="right")
    t.add_column(f"share {last}", justify="right")
    d = d.assign(_agg=d["country_iso3"].isin(["WLD", "ROW"]) | d["country_iso3"].isna())
    order = d[d["year"] == last].sort_values(
        ["_agg", "value"], ascending=[True, False], na_position="last"
    )
    names = list(dict.fromkeys(order["country_iso3"].fillna(order["country_source"])))
    for key in names:
        rows = d[d["country_iso3"].fillna(d["country_source"]) == key].set_index("year")
        name = {"WLD": "World total", "ROW": "Other countries"}.get(
            key, rows["country"].iloc[0] or rows["country_source"].iloc[0]
        )
        cells = [
            value_text(rows.at[y, "value"], rows.at[y, "flag"]) if y in rows.index else ""
            for y in years
        ]
        share = fmt_pct(rows.at[last, "share"]) if last in rows.index and key != "WLD" else ""
        style = "bold" if key == "WLD" else None
        t.add_row(str(name), *cells, share, style=style)
    refs = [f"{sid} lines {g.min()}-{g.max()}" for sid, g in d.groupby("source_id")["source_row"]]
    return t, refs


def _merge_refs(refs: list[str]) -> str:
    """Group 'file lines a-b' references by file."""
    by_file: dict[str, list[str]] = {}
    for r in refs:
        f, _, where = r.partition(" line")
        by_file.setdefault(f, []).append(where.lstrip("s ").strip())
    return "; ".join(f"{f} lines {', '.join(dict.fromkeys(w))}" for f, w in by_file.items())


def _pct(value: object, flag: str) -> str:
    text = value_text(value, flag or "").replace(".0", "")
    if text == "E":
        return "E (net exporter)"
    return text + "%" if text[-1:].isdigit() else text


def _reliance_lines(c, cid: str) -> list[str]:  # noqa: ANN001 - a rich Console
    """Print U.S. net import reliance (computed and published); return source references."""
    from critmin import api
    from critmin.assessments.reliance import us_reliance

    nir = us_reliance(commodity=cid)
    if nir.empty:
        pub = api.salient(cid, measure="net_import_reliance")
        if pub.empty:
            return []
        s = pub.sort_values(["year", "dataset"]).iloc[-1]
        c.print(
            f"[bold]U.S. net import reliance {s['year']}[/] (published): {_pct(s['value'], s['flag'])}"
        )
        return [f"{s['source_id']} line {s['source_row']}"]
    shown = nir[
        nir["nir_pct"].notna() | nir["nir_flag"].isin(["E", "W"]) | nir["basis"].eq("withheld")
    ]
    latest = nir[nir["year"] == (shown if len(shown) else nir)["year"].max()]
    words = {
        "balance": "computed",
        "usgs_apparent_consumption": "computed on USGS's apparent consumption",
        "stated_consumption": "computed on stated consumption",
        "usgs_statement": "USGS statement",
    }
    for r in latest.itertuples():
        what = f" ({r.product})" if isinstance(r.product, str) and r.product else ""
        if r.basis == "withheld":  # never a computed number or 0: USGS's own figure
            marker = r.nir_flag
            mark = (
                f"{marker}%"
                if marker[:1] in (">", "<")
                else {"E": "E (net exporter)", "W": "W", "NA": "NA"}.get(marker)
                or _pct(r.nir_pct, "")
            )
            figure = f"withheld (U.S. data W), USGS publishes {mark}"
        elif r.nir_flag == "E":
            figure = f"{words.get(r.basis, 'computed')} E (net exporter)"
        elif r.nir_pct == r.nir_pct:  # not NaN
            figure = f"{words.get(r.basis, 'computed')} {_pct(r.nir_pct, '')}"
        else:
            figure = str(r.reason or "not computable")
        published = (
            f"{r.published_flag or ''}" if r.published_flag else _pct(r.published_nir_pct, "")
        )
        published = published + "%" if published[-1:].isdigit() else published
        tail = "" if r.basis == "withheld" else f"; published {published or 'none'}"
        c.print(f"[bold]U.S. net import reliance {r.year}{what}[/]: {figure}{tail}")
    pub = api.salient(cid, measure="net_import_reliance")
    return [f"{sid} lines {g.min()}-{g.max()}" for sid, g in pub.groupby("source_id")["source_row"]]


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("show")
    def show_cmd(
        commodity: str = typer.Argument(
            ...,
            help="Commodity name, alias or element: lithium, 'rare earths', REE, Nd, cobalt ...",
        ),
        years: int = typer.Option(2, "--years", help="How many of the latest years to show."),
    ) -> None:
        """The picture of one commodity: who mines and refines it, reserves, U.S. reliance, export controls.

        Shows mine and refinery production by country for the latest years with shares of the
        stated world total, reserves and the reserves-to-production ratio, U.S. import sources
        and net import reliance, export controls in force, and the source of every figure.

        Example: `critmin show lithium`
        """
        from critmin import api, catalog

        cid = catalog.resolve_commodity(commodity)
        info = catalog.commodities().set_index("commodity_id").loc[cid]
        c = console()
        lists = [
            lbl
            for col, lbl in (
                ("on_us_2025_list", "US critical 2025"),
                ("on_eu_2023_list", "EU CRM 2023"),
                ("on_india_2023_list", "India critical 2023"),
            )
            if bool(info.get(col) or False)
        ]
        c.print(f"[bold]{info['name']}[/] ({cid})" + (f" - {', '.join(lists)}" if lists else ""))
        prod = api.production(cid, stage=None)
        from critmin.assessments.concentration import iea_commodities

        iea_ids = iea_commodities(cid)  # rare earths: the IEA's magnet rare earth elements
        iea = api.production(iea_ids or cid, stage=None, source="iea")
        refs: list[str] = []
        for stage in ("mine", "refinery", "smelter", "processing", "primary", "total"):
            t, r = _stage_table(prod, stage, years)
            if t is None and stage in ("mine", "refinery"):
                t, r = _stage_table(iea, stage, years)  # IEA fills a stage USGS does not publish
                if t is not None and iea_ids and iea_ids != [cid]:
                    t.title = f"{t.title}, IEA group: {', '.join(iea_ids)}"
            if t is not None:
                c.print(t)
                refs += r
        if prod.empty:
            c.print("No production figures by country in the dataset for this commodity.")
        # reserves and R/P
        res = api.reserves(cid)
        wres = res[res["country_iso3"] == "WLD"].dropna(subset=["value"])
        if not wres.empty:
            r = wres.sort_values("year").iloc[-1]
            top = res[
                (res["year"] == r["year"])
                & ~res["country_iso3"].isin(["WLD", "ROW"])
                & (res["series"] == r["series"])
            ]
            top = top.sort_values("value", ascending=False).head(3)
            line = f"[bold]Reserves {r['year']}[/]: world {fmt_num(r['value'])} {r['unit']}" + (
                f" ({r['basis']})" if r["basis"] else ""
            )
            line += "; largest: " + ", ".join(
                f"{n} {fmt_pct(s)}" for n, s in zip(top["country"], top["share"], strict=True)
            )
            wp = prod[
                (prod["country_iso3"] == "WLD")
                & (prod["stage"] == "mine")
                & (prod["year"] == r["year"])
                & (prod["unit"] == r["unit"])
            ]
            if not wp.empty and wp["value"].max() > 0:
                rp = r["value"] / wp["value"].max()
                line += f". Reserves / {r['year']} mine production: {rp:,.0f} years"
            c.print(line)
            refs += [f"{r['source_id']} line {r['source_row']}"]
        # US reliance: computed from the salient statistics, published figure beside it
        refs += _reliance_lines(c, cid)
        imp = api.import_sources(cid)
        if not imp.empty:
            ed = imp["edition"].max()
            i = imp[imp["edition"] == ed].sort_values("share_pct", ascending=False)
            c.print(
                f"[bold]U.S. import sources {i['period'].iloc[0]}[/]: "
                + ", ".join(
                    f"{n} {p:g}%"
                    for n, p in zip(i["country_source"], i["share_pct"], strict=True)
                    if not math.isnan(p)
                )
            )
            refs.append(
                f"{i['source_id'].iloc[0]} lines {i['source_row'].min()}-{i['source_row'].max()}"
            )
        ec = api.export_controls(commodity=cid)
        if ec.empty:
            c.print("[bold]Export controls in force[/] (USGS MCS 2026 T4): none listed")
        else:
            c.print("[bold]Export controls in force[/] (USGS MCS 2026 T4):")
            for r in ec.itertuples():
                c.print(
                    f"  {r.country_source}: {r.control_type.lower()} - {r.commodity_source} ({r.year_imposed})"
                )
            refs.append(
                f"{ec['source_id'].iloc[0]} lines {', '.join(str(x) for x in sorted(set(ec['source_row'])))}"
            )
        c.print("[dim]Sources: " + _merge_refs(refs) + "[/]")
