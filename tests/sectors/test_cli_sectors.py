"""``critmin sectors``: tables in 100 columns, one-line errors."""

from __future__ import annotations

import functools
import io

import pandas as pd
import pytest

from critmin.enduse import sector_table


@pytest.fixture
def cli_run(cli_run):
    """`critmin` at 100 columns here: tables are read at 100 columns."""
    return functools.partial(cli_run, columns=100)


def test_commodity_table_shows_the_api_shares(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("sectors", "lithium")
    assert code == 0 and max(len(x) for x in out.splitlines()) <= 100
    share = sector_table("lithium", "batteries and EVs")["share"].iloc[0]
    assert f"{100 * share:.1f}%" in out and "pharmaceuticals" in out


def test_sector_filter_and_csv(capsys, monkeypatch, cli_run):
    code, out, _ = cli_run("sectors", "--sector", "defence", "-f", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert set(df["sector"]) == {"defence"} and {"Nd", "Pr", "Sm"} <= set(df["element"])


def test_unknown_names_are_one_line_errors(capsys, monkeypatch, cli_run):
    code, out, err = cli_run("sectors", "lithum")
    assert code == 1 and out == "" and err.count("error:") == 1 and "lithium" in err
    code, out, err = cli_run("sectors", "--sector", "pharmacy")
    assert code == 1 and "pharmaceuticals" in err
