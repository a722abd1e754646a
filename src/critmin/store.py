"""The store: DuckDB over the packaged parquet dataset, plus the user's workspace.

* The **dataset** (read-only) is the folder of parquet tables built by
  :mod:`critmin.ingest.build`.  In order: ``CRITMIN_DATASET_DIR`` if set; else the folder
  chosen with ``critmin data use`` (recorded in ``<home>/active_dataset``); else the one
  shipped in the package.  A rebuild (``critmin data build``) is never used until it is
  chosen (``critmin data build --use`` or ``critmin data use rebuilt``), so one user's
  rebuild does not silently replace the packaged dataset of every critmin install.
* The **workspace** is a DuckDB file in the user's data directory (``CRITMIN_HOME``)
  holding the user's own imports (``critmin data import FILE``).  Its rows appear in the
  ``observations`` view beside the packaged ones, with ``dataset = 'user:<name>'``.

Imports are atomic: a file is validated whole before the workspace is opened, and written
in one transaction, so a failing import leaves the workspace exactly as it was.

Per-commodity frames: a :meth:`Store.select` on ``observations`` or ``trade`` for one
commodity runs on an in-memory copy of that commodity's rows (a DuckDB table made on the
first such query), not on the parquet file: the same SQL, so the same rows, order and
types, without decoding the file again (``trade`` for one commodity: about 50 ms from
parquet, 2 ms from the copy).  The copies belong to the store, which :func:`get_store`
reopens when the dataset in use or the workspace changes; a rebuild in place (a new
``manifest.json``) drops them.  At most :data:`MAX_FRAMES` are kept, least recently used
first out.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from critmin.errors import StoreError
from critmin.ingest.schema import TABLES
from critmin.settings import PACKAGED_DATASET_DIR, get_settings

__all__ = [
    "Store",
    "get_store",
    "reset_store",
    "active_dataset_dir",
    "dataset_choice",
    "use_dataset",
    "ACTIVE_FILE",
]

logger = logging.getLogger(__name__)

_USER_TABLE = "user_observations"

#: Tables whose one-commodity selections run on per-commodity in-memory copies.
FRAME_TABLES = ("observations", "trade")
#: Most per-commodity copies one store keeps.  Trade has about 24,000 rows per commodity on
#: average; the copies of all 53 traded commodities and 11 observation sets held 165 MiB
#: of DuckDB memory, so 32 copies stay near 100 MiB.
MAX_FRAMES = 32


#: File in ``home`` naming the dataset folder chosen with ``critmin data use``.
ACTIVE_FILE = "active_dataset"


def dataset_choice() -> tuple[Path, str]:
    """The dataset folder in use and why: ``'environment'``, ``'chosen'`` or ``'packaged'``."""
    s = get_settings()
    if s.dataset_dir != PACKAGED_DATASET_DIR:
        return s.dataset_dir, "environment"
    marker = s.home / ACTIVE_FILE
    if marker.is_file():
        chosen = Path(marker.read_text(encoding="utf-8").strip())
        if (chosen / "manifest.json").is_file():
            return chosen, "chosen"
        logger.warning(
            "the dataset chosen with `critmin data use` (%s) has no manifest.json; using the "
            "packaged dataset. Fix: `critmin data use packaged` or rebuild it",
            chosen,
        )
    return PACKAGED_DATASET_DIR, "packaged"


def active_dataset_dir() -> Path:
    """Return the dataset folder in use (see module docstring for the order)."""
    return dataset_choice()[0]


def use_dataset(path: str | Path | None) -> Path:
    """Choose the dataset folder critmin reads from now on (``None``: the packaged one).

    Parameters
    ----------
    path : str, path or None
        A folder written by ``critmin data build`` (with ``manifest.json``), or ``None`` for
        the dataset shipped in the package.

    Returns
    -------
    pathlib.Path
        The dataset folder now in use.

    Raises
    ------
    StoreError
        The folder holds no critmin dataset.
    """
    s = get_settings()
    marker = s.home / ACTIVE_FILE
    if path is None:
        marker.unlink(missing_ok=True)
        reset_store()
        return PACKAGED_DATASET_DIR
    p = Path(path).expanduser().resolve()
    if not (p / "manifest.json").is_file():
        raise StoreError(
            f"no critmin dataset in {p} (manifest.json missing); fix: build one with "
            f"`critmin data build --out {p}` or choose `critmin data use packaged`"
        )
    s.home.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(str(p) + "\n", encoding="utf-8")
    tmp.replace(marker)
    reset_store()
    return p


class Store:
    """Read access to the dataset and the workspace through one DuckDB connection.

    Parameters
    ----------
    dataset_dir : path, optional
        Folder of parquet tables and ``manifest.json``; default :func:`active_dataset_dir`.
    workspace : path, optional
        The workspace DuckDB file; default ``<home>/workspace.duckdb``.
    """

    def __init__(self, dataset_dir: Path | None = None, workspace: Path | None = None) -> None:
        self.dataset_dir = Path(dataset_dir) if dataset_dir else active_dataset_dir()
        self.workspace = Path(workspace) if workspace else get_settings().workspace_db
        if not (self.dataset_dir / "manifest.json").is_file():
            raise StoreError(
                f"no critmin dataset in {self.dataset_dir} (manifest.json missing). Rebuild it with "
                "`critmin data build --from <folder of source files>` or unset CRITMIN_DATASET_DIR."
            )
        self.con = duckdb.connect(":memory:")
        self._local = threading.local()
        self._frames: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._frame_lock = threading.Lock()
        self._frame_count = 0
        self._manifest_stamp = self._stamp_manifest()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._tables = sorted(p.stem for p in self.dataset_dir.glob("*.parquet"))
        for name in self._tables:
            path = str(self.dataset_dir / f"{name}.parquet").replace("'", "''")
            base = f"pkg_{name}" if name == "observations" else name
            self.con.execute(f"CREATE VIEW {base} AS SELECT * FROM read_parquet('{path}')")
        self._attach_workspace()

    def _attach_workspace(self) -> None:
        cols = ", ".join(TABLES["observations"])
        if self.workspace.is_file():
            ws = str(self.workspace).replace("'", "''")
            self.con.execute(f"ATTACH '{ws}' AS ws (READ_ONLY)")
            has_user = self.con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name='ws' AND table_name=?",
                [_USER_TABLE],
            ).fetchone()[0]
        else:
            has_user = 0
        if "observations" in self._tables:
            union = f" UNION ALL BY NAME SELECT {cols} FROM ws.{_USER_TABLE}" if has_user else ""
            self.con.execute(
                f"CREATE VIEW observations AS SELECT {cols} FROM pkg_observations{union}"
            )

    # ------------------------------------------------------------------ reading
    @cached_property
    def manifest(self) -> dict[str, Any]:
        """The dataset's manifest (sources, checksums, build time)."""
        return json.loads((self.dataset_dir / "manifest.json").read_text(encoding="utf-8"))

    @property
    def tables(self) -> list[str]:
        """Names of the dataset's tables."""
        return list(self._tables)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """Return the calling thread's cursor (a DuckDB connection must not be shared)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cursor = cur
            self._cursors.append(cur)
        return cur

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run SQL against the store and return a DataFrame (safe to call from any thread)."""
        return self._cursor().execute(sql, list(params or [])).df()

    def table(self, name: str) -> pd.DataFrame:
        """Return a whole table of the dataset."""
        if name not in self._tables:
            raise StoreError(
                f"no table {name!r} in the dataset at {self.dataset_dir}; tables are {self._tables}"
            )
        return self.query(f"SELECT * FROM {name}")

    def _stamp_manifest(self) -> tuple[int, int] | None:
        try:
            st = (self.dataset_dir / "manifest.json").stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _frame(self, table: str, commodity_id: str) -> str:
        """Name of the in-memory table of `table`'s rows for one commodity (made if missing)."""
        with self._frame_lock:
            stamp = self._stamp_manifest()
            if stamp != self._manifest_stamp:  # rebuilt in place: the copies are stale
                logger.info(
                    "dataset %s was rebuilt; dropping per-commodity frames", self.dataset_dir
                )
                for name in self._frames.values():
                    self.con.execute(f"DROP TABLE IF EXISTS {name}")
                self._frames.clear()
                self._manifest_stamp = stamp
            key = (table, commodity_id)
            name = self._frames.get(key)
            if name is not None:
                self._frames.move_to_end(key)
                return name
            self._frame_count += 1
            name = f"_frame_{self._frame_count}"
            self.con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM {table} WHERE commodity_id = ?",
                [commodity_id],
            )
            self._frames[key] = name
            while len(self._frames) > MAX_FRAMES:
                _, old = self._frames.popitem(last=False)
                self.con.execute(f"DROP TABLE IF EXISTS {old}")
            return name

    def select(
        self, table: str, where: dict[str, Any] | None = None, order: str | None = None
    ) -> pd.DataFrame:
        """Return rows of `table` whose columns equal (or are in) the given values.

        Parameters
        ----------
        table : str
            A table or view name.
        where : dict, optional
            column -> value, or column -> list of values; ``None`` values are ignored.
        order : str, optional
            An ORDER BY clause body.

        Notes
        -----
        On ``observations`` and ``trade`` with one ``commodity_id``, the query runs on that
        commodity's in-memory copy (module docstring); the SQL is otherwise the same.
        """
        source = table
        cid = (where or {}).get("commodity_id")
        if isinstance(cid, (list, tuple, set)) and len(cid) == 1:
            cid = next(iter(cid))
        if table in FRAME_TABLES and isinstance(cid, str) and table in self._tables:
            source = self._frame(table, cid)
        clauses, params = [], []
        for col, val in (where or {}).items():
            if val is None:
                continue
            if isinstance(val, (list, tuple, set)):
                vals = list(val)
                clauses.append(f'"{col}" IN ({", ".join("?" * len(vals))})')
                params.extend(vals)
            else:
                clauses.append(f'"{col}" = ?')
                params.append(val)
        tail = ""
        if clauses:
            tail += " WHERE " + " AND ".join(clauses)
        if order:
            tail += f" ORDER BY {order}"
        try:
            return self.query(f"SELECT * FROM {source}{tail}", params)
        except duckdb.CatalogException:
            if source == table:
                raise
            # another thread dropped the copy (bound or rebuild) in between: read the file
            return self.query(f"SELECT * FROM {table}{tail}", params)

    def close(self) -> None:
        """Close the DuckDB connection and every thread's cursor."""
        for cur in self._cursors:
            cur.close()
        self._cursors.clear()
        self.con.close()


_STORE: Store | None = None
_STORE_KEY: tuple[Path, Path, float] | None = None


def get_store() -> Store:
    """Return a shared :class:`Store`, reopened when the settings or workspace change."""
    global _STORE, _STORE_KEY
    ddir = active_dataset_dir()
    ws = get_settings().workspace_db
    key = (ddir, ws, ws.stat().st_mtime if ws.is_file() else 0.0)
    if _STORE is None or key != _STORE_KEY:
        if _STORE is not None:
            _STORE.close()
        _STORE = Store(ddir, ws)
        _STORE_KEY = key
    return _STORE


def reset_store() -> None:
    """Close the shared :class:`Store`; the next :func:`get_store` opens a fresh one.

    Called before the workspace is written (an open store holds the workspace file
    attached read-only), and by servers that need to drop cached connections.
    """
    global _STORE, _STORE_KEY
    if _STORE is not None:
        _STORE.close()
    _STORE = None
    _STORE_KEY = None
