"""``critmin reliance``: net import reliance (U.S., recomputed and checked) or import dependence."""

from __future__ import annotations

import math

import pandas as pd
import typer
from rich import box
from rich.table import Table

from critmin.cli._render import OutputFormat, console, emit, fmt_num, fmt_pct


def _pct(v: object, flag: str = "") -> str:
    if flag in ("E", "W", "NA"):
        return flag
    if flag.startswith((">", "<")):
        return f"{flag}%"
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{float(v):.0f}%"  # type: ignore[arg-type]


def _agree(v: object) -> str:
    if v is pd.NA or v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return "yes" if bool(v) else "NO"


#: Short labels of the ``basis`` column for the table.
_BASIS = {
    "balance": "P+I-E+dS",
    "usgs_apparent_consumption": "USGS AC",
    "stated_consumption": "stated C",
    "withheld": "withheld",
    "usgs_statement": "USGS text",
    "not_computed": "–",
}


def _shown(v: object, flag: str, basis: str) -> str:
    """The figure shown: computed, or USGS's own (marked) where U.S. data are withheld."""
    text = _pct(v, flag)
    if basis == "withheld":
        return f"{text} (W)" if text != "W" else "withheld"
    return text


def _us(year: int | None, commodity: str | None, fmt: OutputFormat) -> None:
    from critmin.assessments.reliance import US_NIR_EDITION, us_reliance
    from critmin.metrics.reliance import NIR_TOLERANCE_PCT

    if year is None:
        df = us_reliance(commodity=commodity)
        year = int(df["year"].max())
        df = df[df["year"] == year].reset_index(drop=True)
    else:
        df = us_reliance(year=year, commodity=commodity)
    label = df["commodity_id"] + df["product"].map(lambda p: f" ({p})" if p else "")
    out = df.assign(commodity=label)
    if fmt != OutputFormat.table:
        cols = [
            "commodity",
            "commodity_id",
            "product",
            "year",
            "nir_pct",
            "nir_flag",
            "basis",
            "computed_nir_pct",
            "computed_flag",
            "published_nir_pct",
            "published_flag",
            "agree",
            "check",
            "reason",
            "production",
            "imports",
            "exports",
            "stock_change",
            "consumption",
            "apparent_consumption",
            "published_consumption",
            "unit",
        ]
        emit(out[cols], fmt)
        return
    n_cmp = int(df["agree"].notna().sum())
    n_ok = int(df["agree"].fillna(False).astype(bool).sum())
    n_w = int((df["basis"] == "withheld").sum())
    t = Table(
        title=f"U.S. net import reliance {year}: critmin vs published (USGS)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    t.add_column("commodity", overflow="ellipsis", no_wrap=True, max_width=35)
    t.add_column("NIR", justify="right", no_wrap=True, min_width=8)
    t.add_column("basis", no_wrap=True, min_width=9)
    t.add_column("published", justify="right", no_wrap=True, min_width=9)
    t.add_column("agree", no_wrap=True, min_width=5)
    notes: list[str] = []
    for r in out.itertuples():
        agree = _agree(r.agree)
        t.add_row(
            r.commodity,
            _shown(r.nir_pct, r.nir_flag, r.basis),
            _BASIS.get(r.basis, r.basis),
            _pct(r.published_nir_pct, r.published_flag),
            agree,
        )
        if agree == "NO" or (agree != "yes" and r.basis not in ("withheld",) and r.reason):
            notes.append(f"{r.commodity}: {r.reason}")
    c = console()
    c.print(t)
    c.print(
        f"{n_ok} of {n_cmp} published figures reproduced (within "
        f"{NIR_TOLERANCE_PCT:g} points, or inside the published bound). Computed from "
        f"production, imports, exports and stock changes in {US_NIR_EDITION} (U.S. salient "
        "statistics), never from the published NIR. basis: P+I-E+dS = apparent consumption "
        "from the salient table; USGS AC = USGS's published apparent consumption (it "
        "includes supply the table does not list, e.g. recycled PGMs); stated C = (C - P) / C "
        "on a stated consumption; USGS text = USGS's statement in words; withheld = U.S. "
        f"data withheld (W), USGS's own figure or marker shown, not computed ({n_w} rows). "
        "E = net exporter."
    )
    if notes:
        c.print("[bold]Not computed or not reproduced[/]")
        for n in notes:
            c.print(f"- {n}")


def _country(
    country: str,
    year: int | None,
    hs6: str | None,
    fmt: OutputFormat,
    commodity: str | None = None,
    fuels_and_gold: bool = False,
    suppliers: bool = False,
) -> None:
    from critmin.assessments.reliance import ENERGY_CATEGORY, import_dependence, import_partners

    codes = [c.strip() for c in hs6.split(",")] if hs6 else None
    full = import_dependence(country, year=year, hs6=codes, commodity=commodity)
    if year is None:
        year = int(full["year"].max())
        full = full[full["year"] == year]
    left_out = full[(full["category"] == ENERGY_CATEGORY) | full["commodity_id"].isin(["gold"])]
    df = full
    if not fuels_and_gold and commodity is None:
        df = full.drop(left_out.index)
    if suppliers:  # every supplier of every code shown, none cut off
        emit(
            import_partners(country, year, hs6=list(df["hs6"]), commodity=commodity),
            fmt,
            title=f"{df['country_iso3'].iloc[0]}: every supplier per HS6 code, {year} (BACI)",
        )
        return
    if fmt != OutputFormat.table:
        emit(df.rename(columns={"commodity_id": "commodity"}), fmt)
        return
    df = df[(df["value_kusd"] > 0) | (df["exports_kusd"] > 0)].copy()
    df["mineral"] = df["commodity_id"].fillna("–")
    rank = df.groupby("mineral")["value_kusd"].sum().sort_values(ascending=False)
    df["_rank"] = df["mineral"].map({m: i for i, m in enumerate(rank.index)})
    df = df.sort_values(["_rank", "value_kusd"], ascending=[True, False])
    iso = df["country_iso3"].iloc[0]
    t = Table(
        title=f"{iso}: import dependence by mineral and HS6 code, {year} (CEPII BACI)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    t.add_column("mineral", overflow="ellipsis", no_wrap=True, max_width=11)
    t.add_column("hs6", no_wrap=True, min_width=6)
    t.add_column("product (BACI)", overflow="ellipsis", no_wrap=True, max_width=18)
    t.add_column("imports t", justify="right", no_wrap=True, min_width=9)
    t.add_column("dep.", justify="right", no_wrap=True, min_width=6)
    t.add_column("basis", no_wrap=True, min_width=5)
    t.add_column("suppliers", no_wrap=True, min_width=10)
    last = None
    for r in df.itertuples():
        t.add_row(
            r.mineral if r.mineral != last else "",
            r.hs6,
            r.description or "–",
            fmt_num(r.imports_t),
            "E" if r.flag == "E" else fmt_pct(r.import_dependence) or "–",
            "NIR" if r.indicator == "net_import_reliance" else "trade",
            f"{r.n_partners} {r.top_partner} {fmt_pct(r.top_partner_share)}"
            if isinstance(r.top_partner, str)
            else "0",
        )
        last = r.mineral
    c = console()
    c.print(t)
    gone = sorted(set(left_out["commodity_id"].dropna()))
    c.print(
        "dep.: NIR = net imports / (production + net imports), where World Mining Data "
        "production is comparable (gross weight, same stage, main HS code); trade = "
        "imports / (imports + exports) where production is not known. suppliers: how many "
        "countries supplied the code, then the largest with its share of import value "
        "(every supplier: --suppliers, or --commodity NAME). Minerals by import value; "
        "all columns (the HHI of suppliers among them): --format csv."
        + (
            f" Left out: {len(left_out)} energy (World Mining Data '{ENERGY_CATEGORY}') and "
            f"gold codes ({', '.join(gone)}); --fuels-and-gold brings them back."
            if len(left_out) and len(df) < len(full)
            else ""
        )
    )
    if commodity is not None:
        sup = import_partners(country, year, hs6=list(df["hs6"]), commodity=commodity)
        ts = Table(
            title=f"Every supplier of {iso}'s imports, {year} (CEPII BACI)",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
        )
        for col in ("hs6", "#", "supplier", "kUSD", "t", "share"):
            ts.add_column(col, justify="left" if col in ("hs6", "supplier") else "right")
        for r in sup.itertuples():
            ts.add_row(
                r.hs6 if r.rank == 1 else "",
                str(r.rank),
                r.exporter_iso3,
                fmt_num(r.value_kusd),
                fmt_num(r.quantity_t) if r.quantity_t == r.quantity_t else "–",
                fmt_pct(r.share),
                end_section=bool(r.Index + 1 == len(sup) or sup.at[r.Index + 1, "hs6"] != r.hs6),
            )
        c.print(ts)
    if not hs6:  # dependence is not counted on ores alone: the refined and product codes too
        from critmin.cli._product_imports import print_product_imports

        print_product_imports(country, year, commodity)


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("reliance")
    def reliance_cmd(
        country: str = typer.Option(
            "USA", "--country", "-c", help="USA (USGS net import reliance) or any country (BACI)."
        ),
        year: int = typer.Option(None, "--year", "-y", help="Year; default the latest."),
        commodity: str = typer.Option(
            None,
            "--commodity",
            help="One commodity (name, alias or element); other countries: its HS6 codes "
            "and every supplier.",
        ),
        fuels_and_gold: bool = typer.Option(
            False,
            "--fuels-and-gold",
            help="Other countries: keep energy (coal, oil, gas, uranium) and gold codes.",
        ),
        suppliers: bool = typer.Option(
            False, "--suppliers", help="Other countries: list every supplier of every code."
        ),
        hs6: str = typer.Option(
            None, "--hs6", help="BACI view: HS6 codes, comma-separated (default all)."
        ),
        baci: bool = typer.Option(
            False, "--baci", help="USA: the BACI trade view instead of USGS net import reliance."
        ),
        fmt: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="table, csv or json."
        ),
    ) -> None:
        """Import reliance of a country.

        For the United States: the net import reliance of every commodity recomputed from
        USGS salient statistics (production, imports, exports, stock changes) next to the
        published figure, whether they agree and why not.  For any other country: import
        dependence per HS6 code from CEPII BACI trade (with World Mining Data production
        where comparable), and the concentration of its import sources.

        Examples
        --------
            critmin reliance --country USA --year 2024
            critmin reliance --country USA --year 2024 --format csv > nir.csv
            critmin reliance --country IND --year 2023
            critmin reliance --country IND --year 2023 --commodity lithium
            critmin reliance --country IND --year 2023 --fuels-and-gold --format csv
            critmin reliance --country USA --baci --hs6 260300
        """
        from critmin import catalog

        iso = catalog.resolve_country(country)
        if iso == "USA" and not (baci or hs6):
            _us(year, commodity, fmt)
        else:
            _country(iso, year, hs6, fmt, commodity, fuels_and_gold, suppliers)
