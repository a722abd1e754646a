"""User imports: validated whole, written atomically, visible in queries."""

import pandas as pd
import pytest

import critmin
from critmin.errors import DataError, ImportRejected
from critmin.settings import get_settings
from critmin.workspace import import_file, list_imports, remove_import

GOOD = 'commodity,country,year,value,unit,stage\nlithium,IND,2024,1200,t,mine\nREE,India,2024,"2,900",t,mine\n'


def _write(tmp_path, text, name="mine.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_good_import_lands_and_is_queryable(tmp_path):
    out = import_file(_write(tmp_path, GOOD))
    assert len(out) == 2
    df = critmin.production("lithium", source="user")
    row = df[df["country_iso3"] == "IND"].iloc[0]
    assert (row["value"], row["unit"], row["dataset"], row["source_row"]) == (
        1200.0,
        "t",
        "user:mine",
        2,
    )
    ree = critmin.production("rare earths", source="user:mine")
    assert ree["value"].tolist() == [2900.0]
    assert list(list_imports()["name"]) == ["mine"]


def test_reimport_replaces_the_named_dataset(tmp_path):
    import_file(_write(tmp_path, GOOD))
    import_file(_write(tmp_path, "commodity,country,year,value,unit\nlithium,IND,2024,5,t\n"))
    df = critmin.observations("lithium", source="user:mine")
    assert df["value"].tolist() == [5.0]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "commodity,country,year,value,unit\nlithum,IND,2024,1,t\n",
            ["line 2", "'commodity'", "did you mean 'lithium'"],
        ),
        (
            "commodity,country,year,value,unit\nlithium,Indai,2024,1,t\n",
            ["line 2", "'country'", "India"],
        ),
        (
            "commodity,country,year,value,unit\nlithium,IND,2024,-3,t\n",
            ["line 2", "'value'", "negative"],
        ),
        (
            "commodity,country,year,value,unit\nlithium,IND,2024,lots,t\n",
            ["line 2", "'value'", "non-numeric", "'lots'"],
        ),
        (
            "commodity,country,year,value,unit\nlithium,IND,20x4,1,t\n",
            ["line 2", "'year'", "whole year"],
        ),
        ("commodity,country,year,value,unit\nlithium,IND,2024,1,\n", ["line 2", "'unit'"]),
        ("commodity,country,year,value\nlithium,IND,2024,1\n", ["missing required column", "unit"]),
        (
            "commodity,country,year,value,unit\nlithium,IND,2024,1,t\nLi,India,2024,2,t\n",
            ["lines 2, 3", "duplicate"],
        ),
        (
            "commodity,country,year,value,unit,stage\nlithium,IND,2024,1,t,mines\n",
            ["'stage'", "'mines'", "one of"],
        ),
    ],
)
def test_bad_input_is_rejected_with_line_column_and_fix(tmp_path, text, fragments):
    import_file(_write(tmp_path, GOOD, name="keep.csv"))
    ws = get_settings().workspace_db
    before = ws.read_bytes()
    with pytest.raises(ImportRejected) as err:
        import_file(_write(tmp_path, text, name="bad.csv"))
    msg = str(err.value)
    for frag in fragments:
        assert frag in msg
    assert "nothing was imported" in msg or "missing required" in msg
    assert ws.read_bytes() == before  # the workspace is exactly as it was
    assert list(list_imports()["name"]) == ["keep"]


def test_all_problems_are_listed_at_once(tmp_path):
    text = "commodity,country,year,value,unit\nlithum,IND,2024,1,t\nlithium,IND,2024,-1,t\n"
    with pytest.raises(ImportRejected, match="2 problem"):
        import_file(_write(tmp_path, text))


def test_wrong_encoding_names_the_file(tmp_path):
    p = _write(
        tmp_path, "commodity,country,year,value,unit\nlithium,Curaçao,2024,1,t\n", encoding="cp1252"
    )
    with pytest.raises(DataError, match=r"bad\.csv|cannot decode"):
        import_file(p.rename(tmp_path / "bad.csv"))


def test_failure_during_write_rolls_back(tmp_path, monkeypatch):
    import_file(_write(tmp_path, GOOD, name="keep.csv"))
    import duckdb

    real = duckdb.DuckDBPyConnection.register

    def boom(self, *a, **k):
        real(self, *a, **k)
        raise RuntimeError("disk full")

    with monkeypatch.context() as m, pytest.raises(RuntimeError):
        m.setattr(duckdb.DuckDBPyConnection, "register", boom)
        import_file(_write(tmp_path, GOOD.replace("1200", "999"), name="keep.csv"))
    df = critmin.observations("lithium", source="user:keep")
    assert df["value"].tolist() == [1200.0]


def test_no_workspace_file_is_created_by_a_rejected_first_import(tmp_path):
    with pytest.raises(ImportRejected):
        import_file(_write(tmp_path, "commodity,country,year,value,unit\nlithum,IND,2024,1,t\n"))
    assert not get_settings().workspace_db.exists()


def test_excel_import(tmp_path):
    p = tmp_path / "x.xlsx"
    pd.DataFrame(
        {
            "commodity": ["cobalt"],
            "country": ["USA"],
            "year": [2024],
            "value": [300.0],
            "unit": ["t"],
            "stage": ["mine"],
        }
    ).to_excel(p, index=False)
    import_file(p)
    assert critmin.production("cobalt", source="user:x")["value"].tolist() == [300.0]


def test_remove_import(tmp_path):
    import_file(_write(tmp_path, GOOD))
    remove_import("mine")
    assert critmin.observations(source="user").empty
    with pytest.raises(ImportRejected, match="no import named 'mine'"):
        remove_import("mine")


def test_import_after_a_query_in_the_same_process(tmp_path):
    # a query opens the store, which attaches the workspace read-only; importing must still work
    import_file(_write(tmp_path, GOOD))
    assert len(critmin.observations(source="user")) == 2
    import_file(_write(tmp_path, GOOD, name="second.csv"))
    assert set(critmin.observations(source="user")["dataset"]) == {"user:mine", "user:second"}
