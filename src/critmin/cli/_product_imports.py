"""The 'refined and product codes' table of ``critmin reliance --country``."""

from __future__ import annotations

from rich import box
from rich.table import Table

from critmin.cli._render import console, fmt_num, fmt_pct
from critmin.errors import NoData


def print_product_imports(country: str, year: int | None, commodity: str | None = None) -> None:
    """Print the country's imports of codes the BACI extract lacks (UN Comtrade), by mineral."""
    from critmin.assessments.product_imports import NOT_IN_SOURCES, product_imports

    c = console()
    try:
        df = product_imports(country, year=None, commodity=commodity)
    except NoData as err:
        c.print(f"Refined and product codes: {err}")
        return
    from critmin.store import get_store

    tw_years = sorted(int(y) for y in get_store().table("trade_world")["year"].unique())
    yr = tw_years[-1]
    t = Table(
        title=f"Refined and product codes the BACI extract lacks: imports from World, {yr} "
        "(UN Comtrade)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    t.add_column("mineral", overflow="ellipsis", no_wrap=True, max_width=12)
    t.add_column("hs", no_wrap=True, min_width=6)
    t.add_column("stage", no_wrap=True, min_width=7)
    t.add_column("imp. kt", justify="right", no_wrap=True, min_width=7)
    t.add_column("net kt", justify="right", no_wrap=True, min_width=6)
    t.add_column("MUSD", justify="right", no_wrap=True, min_width=5)
    t.add_column("China", justify="right", no_wrap=True, min_width=5)
    t.add_column("what", overflow="ellipsis", no_wrap=True, max_width=24)
    for r in df.itertuples():
        share = r.china_share
        minerals = str(r.mineral).split(";")
        t.add_row(
            minerals[0] + (f" +{len(minerals) - 1}" if len(minerals) > 1 else ""),
            r.hs,
            r.stage,
            fmt_num(r.imports_t / 1e3),
            fmt_num(r.net_imports_t / 1e3),
            fmt_num(r.imports_kusd / 1e3),
            "–" if share != share else (">100%" if share > 1 else fmt_pct(share)),
            str(r.description).removeprefix("heading "),
        )
    c.print(t)
    if year is not None and year != yr:
        c.print(f"UN Comtrade world totals are in the data for {yr} only (asked: {year}).")
    c.print(
        "Partner = World (no supplier breakdown) from trade/comtrade_2023_reporter_world_hpham210; "
        "China = China's exports to the country (trade/comtrade_china_exports_qennis) over its "
        "reported imports ('>100%': the two sides' records disagree). stage from the HS chapter; "
        "'+N': the code is filed under N more minerals (850760 lithium-ion cells: cobalt, "
        "graphite, lithium, nickel, rare earths). "
        "All columns and source lines: critmin.assessments.product_imports."
    )
    for hs, why in NOT_IN_SOURCES.items():
        c.print(f"Not in the data: {hs} {why}.")
