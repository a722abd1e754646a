"""The ``critmin`` command (Typer + Rich).  One module per command group.

Errors critmin raises on purpose (:class:`critmin.errors.CritminError`) are printed to
stderr as one line of advice, with exit status 1; no tracebacks.
"""

from __future__ import annotations

import logging
import sys

import typer

from critmin.errors import CritminError

app = typer.Typer(
    name="critmin",
    help=(
        "Critical-minerals supply-chain intelligence from public data (USGS, World Mining Data, "
        "CEPII BACI, World Bank WGI, IEA).\n\n"
        "Start with `critmin commodities` to see what is covered, then `critmin show lithium`."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from critmin.cli import (
        brief,
        commodities,
        concentration,
        data,
        production,
        recovery,
        reliance,
        risk,
        scenario,
        sectors,
        serve,
        show,
    )

    commodities.register(app)
    show.register(app)
    production.register(app)
    concentration.register(app)
    reliance.register(app)
    risk.register(app)
    serve.register(app)
    brief.register(app)
    sectors.register(app)
    app.add_typer(data.app, name="data")
    app.add_typer(recovery.app, name="recovery")
    app.add_typer(scenario.app, name="scenario")
    from critmin.cli import plan

    app.add_typer(plan.app, name="plan")


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``critmin`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(args=argv, standalone_mode=True)
    except CritminError as err:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        sys.exit(1)
