"""``critmin serve``: the REST API and the dashboard in one process (FastAPI on uvicorn)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the command to `app`."""

    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="TCP port."),
        workers: int = typer.Option(
            None, "--job-workers", min=1, help="Jobs that run at once (CRITMIN_API_WORKERS)."
        ),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Serve the REST API (/api/v1, schema at /api/v1/openapi.json) and the dashboard (/).

        Reads are open.  Writes (imports) and compute jobs (scenario and recovery runs) need
        the key set in CRITMIN_API_KEY, sent in the X-API-Key header; the dashboard address
        printed at start carries it once (?key=...).  Limits: CRITMIN_API_* variables
        (docs/api.md).  The dashboard needs no internet: plotly.js comes from the installed
        plotly package.

        Example: `critmin serve --port 8000`, then open http://127.0.0.1:8000/
        """
        from urllib.parse import quote

        import uvicorn

        from critmin.api_server import create_app, get_config

        overrides = {"workers": workers} if workers else {}
        cfg = get_config(**overrides)
        app_ = create_app(cfg)
        dash = f"http://{host}:{port}/"
        if cfg.api_key:
            dash += "?key=" + quote(cfg.api_key, safe="")
        else:
            typer.secho(
                "critmin: no CRITMIN_API_KEY set: scenario and recovery runs and imports are off "
                "(set CRITMIN_API_KEY=<a long random key> to turn them on)",
                err=True,
            )
        typer.secho(f"critmin: dashboard {dash}  API http://{host}:{port}/api/v1", err=True)
        uvicorn.run(app_, host=host, port=port, log_level=log_level)
