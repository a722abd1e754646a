"""The store: thread safety and clear errors."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from critmin.errors import StoreError
from critmin.settings import PACKAGED_DATASET_DIR
from critmin.store import Store


def test_queries_from_many_threads_agree():
    store = Store(PACKAGED_DATASET_DIR)
    sql = "SELECT count(*) AS n FROM trade WHERE year = ?"
    expected = {y: int(store.query(sql, [y])["n"].iloc[0]) for y in (1995, 2010, 2024)}
    with ThreadPoolExecutor(8) as pool:
        got = list(
            pool.map(
                lambda y: (y, int(store.query(sql, [y])["n"].iloc[0])), [1995, 2010, 2024] * 20
            )
        )
    assert all(n == expected[y] for y, n in got)
    store.close()


def test_missing_dataset_says_how_to_rebuild(tmp_path):
    with pytest.raises(StoreError, match="critmin data build --from"):
        Store(tmp_path)


def test_unknown_table_lists_the_tables():
    with pytest.raises(StoreError, match="tables are .*observations"):
        Store(PACKAGED_DATASET_DIR).table("nope")
