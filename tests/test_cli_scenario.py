"""``critmin scenario``: readable in 80 columns, clean csv/json, errors that say the fix."""

from __future__ import annotations

import csv
import functools
import io
import json

import pytest

from critmin.scenarios.presets import preset_ids


@pytest.fixture
def run(cli_run):
    """Call ``critmin scenario ...`` as the console script does."""
    return functools.partial(cli_run, "scenario")


def _width(text):
    return max((len(line) for line in text.splitlines()), default=0)


def test_list_fits_80_columns(run):
    code, out, err = run("list")
    assert code == 0, err
    assert _width(out) <= 80
    for pid in preset_ids():
        assert pid in out


def test_run_summary_fits_80_columns(run):
    code, out, err = run("run", "china_ree_2025", "--draws", "200", "--importer", "IND")
    assert code == 0, err
    assert _width(out) <= 80
    for part in ("China: export licensing of rare earths (2025)", "line 15", "IND", "280530"):
        assert part in out
    assert "Who fills IND's gap" in out


def test_csv_and_json_output_are_clean(run):
    code, out, err = run(
        "run", "china_ree_2025", "--draws", "200", "--importer", "USA", "-f", "csv"
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["importer_iso3"] for r in rows} == {"USA"}
    assert list(rows[0])[:4] == ["year", "importer_iso3", "commodity_id", "commodity"]
    assert all(float(r["p5_t"]) <= float(r["p50_t"]) <= float(r["p95_t"]) for r in rows)
    assert "━" not in out and "simulate" not in out  # no progress bar on stdout
    code, out, err = run("run", "china_ree_2025", "--draws", "100", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert {"p50_t", "p50_pct", "importer_iso3"} <= set(data[0])


def test_unknown_preset_lists_the_presets(run):
    code, out, err = run("run", "china_ree")
    assert code == 1 and out == ""
    assert "unknown preset 'china_ree'" in err
    for pid in preset_ids():
        assert pid in err


def test_invalid_spec_file_names_field_and_fix(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "base_year: 2024\nhorizon: {start: 2025, end: 2026}\nshocks:\n"
        "  - {country: CHN, commodities: ['284690'], cut: 1.5, start_year: 2025, duration: 1}\n"
    )
    code, out, err = run("run", str(bad))
    assert code == 1
    assert "shocks[0].cut: outside [0, 1] (got 1.5). Fix: give the cut" in err
    code, out, err = run("run", "china_ree_outside_group", "--param", "group=NATO")
    assert code == 1 and "'NATO' is not a group" in err
    code, out, err = run("run", "china_ree_2025", "--param", "cutt=0.5")
    assert code == 1 and "no parameter 'cutt'; fix: use one of cut" in err


def test_save_show_and_chart(run, tmp_path):
    chart = tmp_path / "out.html"
    code, out, err = run(
        "run",
        "china_ree_outside_group",
        "-p",
        "group=QUAD",
        "-n",
        "100",
        "--save",
        "quad",
        "--chart",
        str(chart),
    )
    assert code == 0, err
    assert chart.is_file() and "Saved as quad" in out
    code, listed, err = run("show")
    assert code == 0 and "quad" in listed and _width(listed) <= 80
    code, shown, err = run("show", "quad")
    assert code == 0, err
    table = lambda text: text[text.index("Shortfall in the peak year") :].split("Who fills")[0]  # noqa: E731
    assert table(shown) == table(out)
    code, out, err = run("show", "nope")
    assert code == 1 and "saved runs: quad" in err


def test_show_keeps_the_importer_the_run_was_saved_with(run):
    code, out, err = run("run", "china_ree_2025", "-n", "100", "-i", "IND", "--save", "ind")
    assert code == 0, err
    code, shown, err = run("show", "ind")
    assert code == 0, err
    assert "Shortfall in the peak year: IND" in shown and "Who fills IND's gap" in shown
    rows = shown[shown.index("Shortfall in the peak year") :].split("Who fills")[0]
    assert " USA " not in rows  # only the saved importer's rows
    code, listed, err = run("show", "-f", "csv")
    assert code == 0 and "ind,".lower() in listed and ",IND," in listed
    code, other, err = run("show", "ind", "-i", "USA")  # an explicit importer still wins
    assert code == 0 and "Shortfall in the peak year: USA" in other


def test_rank_fits_80_columns_and_needs_sizes(run):
    code, out, err = run(
        "rank",
        "china_ree_2025",
        "--importer",
        "IND",
        "--expansion",
        "0.2",
        "--ramp-up",
        "1",
        "--stockpile-days",
        "90",
        "-n",
        "100",
    )
    assert code == 0, err
    assert _width(out) <= 80
    assert "baseline" in out and "stockpile IND 90 d" in out and "expand" in out
    code, out, err = run("rank", "china_ree_2025", "--importer", "IND")
    assert code == 1 and "no default size" in err


def test_who_fills_is_said_for_every_code_of_the_table_and_names_recycling(run):
    """Default recycling (graphite codes) shows in 'who fills'; its tonnes add to the gap."""
    import re

    code, out, err = run("run", "china_ga_ge_graphite_2023", "--draws", "200", "--importer", "IND")
    assert code == 0, err
    text = " ".join(out.split())  # undo the console's line folding
    shown = re.findall(r"Who fills IND's gap in (\d{6})", text)
    table = text[text.index("Shortfall in the peak year") : text.index("Who fills")]
    assert sorted(shown) == sorted(set(re.findall(r"IND\W+(\d{6})\W+20\d\d", table)))
    # the natural-graphite code is covered by the default recovery run, artificial is not
    natural = text[text.index("gap in 250410") :].split("Who fills")[0]
    assert "recycling" in natural
    artificial = text[text.index("gap in 380110") :].split("Who fills")[0]
    assert "nothing (no response covers this code)" in artificial
