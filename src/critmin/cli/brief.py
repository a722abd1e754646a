"""``critmin brief COMMODITY --country IND -o brief.html``: a 2-4 page brief (HTML or PDF)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("brief")
    def brief_cmd(
        commodity: str = typer.Argument(
            ..., help="Commodity name, alias or element: lithium, REE, Co ..."
        ),
        country: str = typer.Option(
            "IND", "--country", "-c", help="Country the brief is for (ISO3 or name)."
        ),
        out: Path = typer.Option(
            Path("brief.html"), "--output", "-o", help="Output file: .html (interactive) or .pdf."
        ),
    ) -> None:
        """Write a supply brief on one mineral for one country, with charts and sources.

        Key figures (production and its largest producers per stage, concentration,
        reserves, the shares of TRUST, the Quad and the MSP, the country's imports by partner
        and import dependence, export controls, the mineral's supply-risk rank), four charts
        and a table of every source (dataset, edition, file, lines).  HTML is self-contained;
        PDF is printed by headless Chromium (Debian package `chromium`).

        Example: `critmin brief lithium --country IND -o brief.pdf`
        """
        from critmin.report.brief import write_brief

        path = write_brief(commodity, country, out)
        typer.echo(f"wrote {path}")
