"""``critmin data``: the dataset's sources, reconciliation checks, rebuilds and user imports."""

from __future__ import annotations

from pathlib import Path

import typer

from critmin.cli._render import OutputFormat, console, emit, fmt_num

app = typer.Typer(
    help="The dataset: where it comes from (`sources`), how it reconciles (`check`), "
    "rebuilding it from source files (`build`), and importing your own data (`import`).",
    no_args_is_help=True,
)


@app.command("sources")
def sources_cmd(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f")) -> None:
    """List the source files the dataset in use was built from: publisher, licence, checksum.

    The first line says which dataset is in use: the one packaged with critmin, a rebuild
    chosen with `critmin data use`, or $CRITMIN_DATASET_DIR.
    """
    from critmin import api

    df = api.sources()
    if fmt == OutputFormat.table:
        console().print(_active_dataset_line(), overflow="fold", markup=False)
        df = df.assign(sha256=df["sha256"].str[:12], MB=(df["bytes"] / 1e6).round(2))
        df = (
            df.groupby("family", sort=False)
            .agg(
                files=("source_id", "size"),
                MB=("MB", "sum"),
                licence=("licence", "first"),
                publisher=("publisher", "first"),
            )
            .reset_index()
        )
    emit(
        df,
        fmt,
        title="Sources of the dataset in use",
        caption="Every row of the dataset carries source_id (file) and source_row (line).",
    )


@app.command("check")
def check_cmd(
    commodity: str = typer.Argument(None, help="Only this commodity."),
    problems: bool = typer.Option(False, "--problems", help="Only series with an unexplained gap."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Reconcile stated world totals with the sum of country rows, and compare USGS with WMD.

    Per commodity, stage and year: the stated world total, the sum of countries, 'Other
    countries', withheld (W) countries, the gap and its explanation.  Stated totals are kept,
    never replaced by sums.
    """
    from critmin import api, catalog
    from critmin.ingest.reconcile import compare_sources

    rec = api.check()
    if commodity:
        rec = rec[rec["commodity_id"] == catalog.resolve_commodity(commodity)]
    if problems:
        rec = rec[rec["status"] == "gap"]
    if fmt != OutputFormat.table:
        emit(rec, fmt)
        return
    c = console()
    counts = rec["status"].value_counts()
    c.print(
        f"[bold]World totals vs country sums[/]: {len(rec)} series-years; "
        + ", ".join(f"{k}: {v}" for k, v in counts.items())
    )
    show = rec.sort_values(["status", "commodity_id", "year"]).head(40 if not commodity else 200)
    c.print(_check_table(show, with_commodity=not commodity))
    _print_notes(c, show)
    obs = api.observations(commodity) if commodity else api.observations()
    cmp = compare_sources(obs)
    if not cmp.empty:
        c.print(
            f"[bold]USGS vs World Mining Data, mine production shares[/]: {len(cmp)} commodity-years, "
            f"same top producer in {int(cmp['same_top'].sum())}"
        )
        cmp = cmp.sort_values("max_abs_share_diff", ascending=False).head(
            20 if not commodity else 50
        )
        emit(
            cmp.assign(
                max_diff=cmp["max_abs_share_diff"].map(lambda v: f"{100 * v:.1f} pp"),
                usgs_top=cmp["top_a"] + " " + (100 * cmp["top_a_share"]).round(1).astype(str) + "%",
                wmd_top=cmp["top_b"] + " " + (100 * cmp["top_b_share"]).round(1).astype(str) + "%",
            )[["commodity_id", "year", "usgs_top", "wmd_top", "max_diff"]],
            OutputFormat.table,
        )


#: Short status labels for the 100-column table (the csv/json output keeps the full ones).
_STATUS_SHORT = {"within rounding": "rounding"}
#: The explanation that needs no note.
_TRIVIAL = "sum of countries equals the stated total"


def _note_text(explanation: str) -> str:
    """The explanation less what the table's columns already show ('Other countries')."""
    import re

    parts = [p.strip() for p in str(explanation or "").split(";")]
    parts = [
        p for p in parts if p and p != _TRIVIAL and not re.match(r"'Other countries' stated", p)
    ]
    return "; ".join(parts)


def _note_numbers(rec):  # noqa: ANN001, ANN202
    """Number each distinct non-trivial explanation in order of first appearance."""
    notes: dict[str, int] = {}
    for text in rec["explanation"].map(_note_text):
        if text and text not in notes:
            notes[text] = len(notes) + 1
    return notes


def _check_table(rec, *, with_commodity: bool):  # noqa: ANN001, ANN202
    """The reconciliation rows as a Rich table that fits 100 columns, units beside figures."""
    from rich import box
    from rich.table import Table

    notes = _note_numbers(rec)
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, title_justify="left")
    if with_commodity:
        t.add_column("commodity", overflow="fold", min_width=9, max_width=14)
    t.add_column("stage", overflow="fold", min_width=8, max_width=17)
    t.add_column("year", justify="right", no_wrap=True)
    t.add_column("world", justify="right", no_wrap=True)
    t.add_column("countries", justify="right", no_wrap=True)
    t.add_column("others", justify="right", no_wrap=True)
    t.add_column("unit", overflow="fold", max_width=12)
    t.add_column("gap %", justify="right", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("note", justify="right", no_wrap=True)
    for r in rec.itertuples(index=False):
        cells = [
            {"production": r.stage, "reserves": "reserves"}.get(
                r.measure, f"{r.stage} {r.measure}"
            ),
            str(int(r.year)),
            fmt_num(r.world_stated),
            fmt_num(r.countries_sum),
            fmt_num(r.others_stated) if r.others_stated == r.others_stated else "",
            str(r.unit),
            "–" if r.gap_pct != r.gap_pct else f"{r.gap_pct:.1f}",
            _STATUS_SHORT.get(r.status, r.status),
            f"[{notes[_note_text(r.explanation)]}]" if _note_text(r.explanation) else "",
        ]
        t.add_row(*([r.commodity_id] if with_commodity else []) + cells)
    return t


def _print_notes(c, rec) -> None:  # noqa: ANN001
    """Print the numbered explanations under the table (wrapped to the console width)."""
    notes = _note_numbers(rec)
    if notes:
        c.print(
            "Notes: stage = production of that stage unless 'reserves' or 'capacity' is named; "
            "world = stated world total; countries = sum of the country rows; "
            "others = 'Other countries' as stated."
        )
    for text, n in notes.items():
        c.print(f"  [{n}] {text}", overflow="fold", highlight=False, markup=False)


@app.command("build")
def build_cmd(
    source: Path = typer.Option(
        None,
        "--from",
        help="Folder of source files (layout of shared/data). Default: $CRITMIN_SOURCE_DIR or ../shared/data.",
    ),
    out: Path = typer.Option(
        None,
        "--out",
        help="Where to write the dataset. Default: <CRITMIN_HOME>/dataset.",
    ),
    use: bool = typer.Option(
        False,
        "--use",
        help="Read this dataset from now on (as `critmin data use rebuilt` does). "
        "Without it the dataset in use does not change.",
    ),
) -> None:
    """Rebuild the dataset from source files, e.g. next year's USGS release.

    Drop the new agency files into the source folder with their published names
    (e.g. usgs_mcs2027/MCS2027_Commodities_Data.csv) and run this.  The build is atomic:
    if anything fails the previous dataset stays in place.  The rebuild is not used until
    you choose it (--use, or `critmin data use rebuilt` later); `critmin data sources` says
    which dataset is in use, and `critmin data use packaged` goes back.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from critmin.ingest.build import build_dataset
    from critmin.settings import get_settings

    s = get_settings()
    src = source or s.source_dir
    dest = out or (s.home / "dataset")
    with Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console(),
        transient=False,
    ) as prog:
        task = prog.add_task("building", total=None)

        def cb(name: str, i: int, n: int) -> None:
            prog.update(task, description=name, completed=i, total=n)

        manifest = build_dataset(src, dest, progress=cb, quiet=True)
        prog.update(task, description="done", completed=prog.tasks[0].total)
    c = console()
    c.print(f"Built dataset in [bold]{dest}[/] in {manifest['build_seconds']} s from {src}")
    c.print("Tables: " + ", ".join(f"{k} {v:,}" for k, v in manifest["tables"].items()))
    c.print(
        "Reconciliation: " + ", ".join(f"{k} {v}" for k, v in manifest["reconciliation"].items())
    )
    notes = manifest.get("notes", [])
    if notes:
        c.print(
            f"{len(notes)} notes on source quirks (kept as published), in "
            f"{dest / 'manifest.json'} under 'notes'; first: {notes[0][:120]}"
        )
    if manifest.get("unknown_units"):
        c.print(f"Units kept as published (not in the unit registry): {manifest['unknown_units']}")
    from critmin.store import active_dataset_dir, use_dataset

    if use:
        use_dataset(dest)
    if active_dataset_dir().resolve() == dest.resolve():
        c.print("This dataset is now in use; go back with `critmin data use packaged`.")
    else:
        c.print(
            f"Not in use yet: the dataset in use is still {active_dataset_dir()}. "
            f"Use it with `critmin data use {'rebuilt' if out is None else dest}`."
        )


@app.command("use")
def use_cmd(
    which: str = typer.Argument(
        ...,
        help="'packaged' (shipped with critmin), 'rebuilt' (<CRITMIN_HOME>/dataset) or a folder.",
    ),
) -> None:
    """Choose the dataset critmin reads: the packaged one, your rebuild, or a folder.

    Examples
    --------
        critmin data build --from ../shared/data     # writes <CRITMIN_HOME>/dataset
        critmin data use rebuilt                     # read it from now on
        critmin data use packaged                    # back to the dataset shipped with critmin
    """
    from critmin.settings import get_settings
    from critmin.store import dataset_choice, use_dataset

    path = {"packaged": None, "rebuilt": get_settings().home / "dataset"}.get(which, which)
    use_dataset(path)
    folder, why = dataset_choice()
    if why == "environment":
        console().print(
            f"Recorded, but $CRITMIN_DATASET_DIR ({folder}) overrides the choice while it is set."
        )
    console().print(_active_dataset_line(), overflow="fold", markup=False)


def _active_dataset_line() -> str:
    """One line: which dataset is in use, where it is, when and from what it was built."""
    import json

    from critmin.store import dataset_choice

    folder, why = dataset_choice()
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    kind = {
        "packaged": "the dataset packaged with critmin",
        "chosen": "a rebuild chosen with `critmin data use`",
        "environment": "$CRITMIN_DATASET_DIR",
    }[why]
    return (
        f"Dataset in use: {kind} ({folder}), built {m.get('built_at', '?')[:10]} by critmin "
        f"{m.get('critmin_version', '?')} from {', '.join(m.get('datasets', []))}."
    )


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="CSV (UTF-8) or Excel file."),
    name: str = typer.Option(None, "--name", help="Dataset name (default: the file name)."),
    sheet: str = typer.Option(None, "--sheet", help="Excel sheet (default: the first)."),
) -> None:
    """Import your own figures into the workspace (validated, all or nothing).

    Columns: commodity, country, year, value, unit (required); stage, measure, basis,
    series, note (optional).  Example row:

        commodity,country,year,value,unit,stage
        lithium,IND,2024,1200,t,mine

    Imported rows appear in every query with dataset 'user:NAME', e.g.
    `critmin production lithium --source user`.
    """
    from critmin.workspace import import_file

    table = import_file(file, name=name, sheet=sheet)
    console().print(f"Imported {len(table)} rows as dataset [bold]user:{name or file.stem}[/].")


@app.command("imports")
def imports_cmd() -> None:
    """List your imports in the workspace."""
    from critmin.workspace import list_imports

    emit(list_imports(), OutputFormat.table, title="Workspace imports")
