"""``critmin sectors``: tables in 100 columns, one-line errors."""

from __future__ import annotations

import io

import pandas as pd

from critmin.cli import main
from critmin.enduse import sector_table


def run(capsys, monkeypatch, *args, columns=100):
    monkeypatch.setenv("COLUMNS", str(columns))
    code = 0
    try:
        main(list(args))
    except SystemExit as e:
        code = e.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_commodity_table_shows_the_api_shares(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "sectors", "lithium")
    assert code == 0 and max(len(x) for x in out.splitlines()) <= 100
    share = sector_table("lithium", "batteries and EVs")["share"].iloc[0]
    assert f"{100 * share:.1f}%" in out and "pharmaceuticals" in out


def test_sector_filter_and_csv(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "sectors", "--sector", "defence", "-f", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert set(df["sector"]) == {"defence"} and {"Nd", "Pr", "Sm"} <= set(df["element"])


def test_unknown_names_are_one_line_errors(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "sectors", "lithum")
    assert code == 1 and out == "" and err.count("error:") == 1 and "lithium" in err
    code, out, err = run(capsys, monkeypatch, "sectors", "--sector", "pharmacy")
    assert code == 1 and "pharmaceuticals" in err
