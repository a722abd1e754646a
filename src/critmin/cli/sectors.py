"""``critmin sectors``: which strategic sectors a commodity feeds, with shares and sources."""

from __future__ import annotations

from pathlib import Path

import typer

from critmin.cli._render import OutputFormat, console, emit


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("sectors")
    def sectors_cmd(
        commodity: str = typer.Argument(
            None, help="A commodity name, alias or symbol (lithium, Nd, 'rare earths')."
        ),
        sector: str = typer.Option(
            None,
            "--sector",
            "-s",
            help="Only this sector: defence, 'semiconductors and AI hardware' (or AI), "
            "quantum, 'medical imaging', 'batteries and EVs' (or EV), wind, space, "
            "pharmaceuticals (or pharma).",
        ),
        numeric: bool = typer.Option(
            False, "--numeric", help="Only rows with a share (drop 'listed, share not published')."
        ),
        shares: Path = typer.Option(
            None,
            "--shares",
            help="Your own end-use share CSV (columns of the shipped end_uses.csv).",
        ),
        sources: bool = typer.Option(False, "--sources", help="Print every row's full source."),
        fmt: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="table, csv or json."
        ),
    ) -> None:
        """Element -> end use -> strategic sector, with the share of use and its source.

        Shares come from the dataset's IEA demand by technology (2023), from published
        figures shipped in critmin (USGS), or are marked 'listed, share not published'
        where the seed article names the sector without a number.

        For example:

        * `critmin sectors lithium`            (its sectors, each with its share and source)
        * `critmin sectors --sector defence`   (which minerals defence depends on)
        * `critmin sectors --sector pharma -f csv`
        """
        from critmin.enduse import sector_table

        df = sector_table(commodity, sector, listed=not numeric, path=shares)
        if fmt != OutputFormat.table:
            emit(df, fmt)
            return
        if df.empty:
            what = " and ".join(
                x for x in (commodity and repr(commodity), sector and repr(sector)) if x
            )
            console().print(f"No sector rows for {what or 'the query'}.")
            return
        short = {
            "IEA dataset": "IEA 2023",
            "published share": "published",
            "listed, share not published": "listed only",
        }
        out = df.assign(
            share=df["share"].map(lambda v: "–" if v != v else f"{100 * v:.1f}%"),
            year=df["data_year"].map(lambda v: "" if v != v else str(int(v))),
            basis=df["basis"].map(short).fillna(df["basis"]),
            end_use=df["end_use"].str.slice(0, 34),
        )[["commodity_id", "element", "sector", "end_use", "share", "year", "basis"]]
        out = out.rename(
            columns={"commodity_id": "commodity", "element": "el.", "share": "share %"}
        )
        title = (
            "Strategic sectors"
            + (f" of {commodity}" if commodity else "")
            + (f", sector {df['sector'].iloc[0]}" if sector else "")
        )
        emit(
            out,
            OutputFormat.table,
            title=title,
            caption="share = fraction of the commodity's use going to the sector (IEA 2023: of "
            "world demand; published: as its source says). listed only = the seed article "
            "names the sector, no share is published. `--sources` for citations.",
        )
        if sources:
            for r in df.drop_duplicates("source").itertuples(index=False):
                console().print(f"[{r.commodity_id} -> {r.sector}] {r.source}")
