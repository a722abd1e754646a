"""``critmin commodities``: list the commodity catalog."""

from __future__ import annotations

import typer

from critmin.cli._render import OutputFormat, emit


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("commodities")
    def commodities_cmd(
        critical: str = typer.Option(
            None, "--list", help="Only commodities on a critical list: us2025, eu2023 or india2023."
        ),
        fmt: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="table, csv or json."
        ),
    ) -> None:
        """List the commodities critmin covers, with the critical lists each is on.

        Use any of the ids, names or aliases shown with other commands, e.g.
        `critmin show "rare earths"` or `critmin production Li`.
        """
        from critmin import api

        df = api.commodities()
        cols = {
            "us2025": "on_us_2025_list",
            "eu2023": "on_eu_2023_list",
            "india2023": "on_india_2023_list",
        }
        if critical:
            if critical not in cols:
                raise typer.BadParameter(f"--list must be one of {sorted(cols)}, not {critical!r}")
            df = df[df[cols[critical]].fillna(False).astype(bool)]
        flags = df[list(cols.values())].fillna(False).astype(bool)
        lists = flags.apply(
            lambda r: (
                " ".join(k.upper() for k, c in cols.items() if r[c])
                .replace("US2025", "US")
                .replace("EU2023", "EU")
                .replace("INDIA2023", "IN")
            ),
            axis=1,
        )
        out = df[["commodity_id", "name"]].assign(
            kind=df["kind"],
            lists=lists,
            hs6=df["hs6"].fillna("").str.count(";") + (df["hs6"].fillna("") != ""),
        )
        out = out.rename(columns={"hs6": "n_hs6"})
        emit(
            out,
            fmt,
            title=f"{len(out)} commodities",
            caption="lists: US = USGS 2025 critical minerals, EU = EU CRM 2023, IN = India 2023 (30)",
        )
