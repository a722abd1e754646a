"""Per-commodity frames: the same rows, order and types as the SQL on the parquet files."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pytest

import critmin.store as store_mod
from critmin.settings import PACKAGED_DATASET_DIR
from critmin.store import Store

OBS_ORDER = "dataset, commodity_id, series, year, source_row"
TRADE_ORDER = "year, hs6, exporter_iso3, importer_iso3"


def _direct(store: Store, table: str, where: dict, order: str) -> pd.DataFrame:
    """The same selection straight from the view over the parquet file (no frame)."""
    clauses, params = [], []
    for col, vals in where.items():
        clauses.append(f'"{col}" IN ({", ".join("?" * len(vals))})')
        params.extend(vals)
    sql = f"SELECT * FROM {table} WHERE {' AND '.join(clauses)} ORDER BY {order}"
    return store.query(sql, params)


def _same(a: pd.DataFrame, b: pd.DataFrame, order: str) -> None:
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    keys = [c.strip() for c in order.split(",")]
    pd.testing.assert_frame_equal(a[keys], b[keys])  # the ORDER BY keys in the same order
    cols = list(a.columns)  # and the same rows (ties in the keys may come in any order)
    pd.testing.assert_frame_equal(
        a.sort_values(cols, ignore_index=True, na_position="last"),
        b.sort_values(cols, ignore_index=True, na_position="last"),
    )


@pytest.fixture
def store():
    s = Store(PACKAGED_DATASET_DIR)
    yield s
    s.close()


@pytest.mark.parametrize(
    "where",
    [
        {"commodity_id": ["lithium"], "measure": ["production"], "stage": ["mine"]},
        {"commodity_id": ["cobalt"], "measure": ["production"], "year": [2023, 2024]},
        {"commodity_id": ["rare_earths"], "measure": ["reserves"]},
        {"commodity_id": ["lithium"], "country_iso3": ["AUS", "CHL", "WLD"]},
    ],
)
def test_observation_frames_equal_the_parquet_query(store, where):
    got = store.select("observations", where, order=OBS_ORDER)
    assert len(got) > 0 and len(store._frames) == 1  # served from the commodity's copy
    _same(got, _direct(store, "observations", where, OBS_ORDER), OBS_ORDER)


def test_trade_frames_equal_an_independent_read_of_the_file(store):
    where = {"commodity_id": ["lithium"], "importer_iso3": ["IND"], "year": [2023]}
    got = store.select("trade", where, order=TRADE_ORDER)
    assert not got.empty
    raw = (
        duckdb.connect()
        .execute(
            "SELECT * FROM read_parquet(?) WHERE commodity_id = 'lithium' AND importer_iso3 = 'IND' "
            f"AND year = 2023 ORDER BY {TRADE_ORDER}",
            [str(PACKAGED_DATASET_DIR / "trade.parquet")],
        )
        .df()
    )
    _same(got, raw, TRADE_ORDER)
    assert got["value_kusd"].sum() == pytest.approx(raw["value_kusd"].sum(), rel=1e-12)


def test_a_frame_is_made_once_and_reused(store):
    store.select("trade", {"commodity_id": "cobalt", "year": [2020]}, order=TRADE_ORDER)
    name = store._frames[("trade", "cobalt")]
    store.select("trade", {"commodity_id": ["cobalt"], "year": [2021]}, order=TRADE_ORDER)
    assert store._frames[("trade", "cobalt")] == name and len(store._frames) == 1
    # several commodities, or none: the plain SQL, no new copy
    store.select("trade", {"commodity_id": ["cobalt", "lithium"], "year": [2021]})
    store.select("observations", {"measure": ["reserves"], "year": [2024]})
    assert len(store._frames) == 1


def test_frames_are_bounded(store, monkeypatch):
    monkeypatch.setattr(store_mod, "MAX_FRAMES", 2)
    for cid in ("lithium", "cobalt", "nickel"):
        store.select("observations", {"commodity_id": [cid]}, order=OBS_ORDER)
    assert list(store._frames) == [("observations", "cobalt"), ("observations", "nickel")]
    tables = set(store.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    assert sum(t.startswith("_frame_") for t in tables) == 2


def test_frames_from_many_threads_agree(store):
    where = {"commodity_id": ["lithium"], "measure": ["production"]}
    expected = len(_direct(store, "observations", where, OBS_ORDER))
    with ThreadPoolExecutor(8) as pool:
        sizes = list(
            pool.map(lambda _: len(store.select("observations", where, OBS_ORDER)), range(40))
        )
    assert sizes == [expected] * 40 and len(store._frames) == 1


def test_a_rebuild_in_place_drops_the_frames(tmp_path):
    src = pd.read_parquet(PACKAGED_DATASET_DIR / "observations.parquet")
    manifest = json.loads((PACKAGED_DATASET_DIR / "manifest.json").read_text(encoding="utf-8"))

    def build(factor: float) -> None:
        obs = src.copy()
        mask = obs["commodity_id"] == "lithium"
        obs.loc[mask, "value"] = obs.loc[mask, "value"] * factor
        obs.to_parquet(tmp_path / "observations.parquet", index=False)
        (tmp_path / "manifest.json").write_text(
            json.dumps({**manifest, "test_factor": factor}), encoding="utf-8"
        )

    build(1.0)
    s = Store(tmp_path)
    where = {"commodity_id": ["lithium"], "country_iso3": ["AUS"], "year": [2024]}
    first = s.select("observations", where, order=OBS_ORDER)["value"].to_numpy()
    build(2.0)  # new tables and a new manifest in the same folder
    again = s.select("observations", where, order=OBS_ORDER)["value"].to_numpy()
    assert len(first) > 0 and again == pytest.approx(2 * first)
    s.close()
