"""Build the critmin dataset from a folder of agency source files.

``build_dataset(source_dir, out_dir)`` finds the source files by their published names
(so next year's USGS release dropped into the folder is picked up), runs each reader,
resolves every country and commodity name through :mod:`critmin.catalog`, canonicalises
units, reconciles stated world totals, and writes the dataset (parquet tables +
``manifest.json``) *atomically*: into a temporary folder first, swapped in only when
everything succeeded, so a failed build leaves the previous dataset untouched.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from critmin import __version__, catalog, units
from critmin.errors import DataError
from critmin.ingest import baci, comtrade, iea, policy, usgs_mcs, wgi, wmd
from critmin.ingest.reconcile import reconcile_totals
from critmin.ingest.schema import TABLES

__all__ = ["build_dataset", "discover_sources", "BUILD_STEPS"]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

#: The build's steps, in order (for progress bars).
BUILD_STEPS = (
    "USGS MCS commodities data",
    "USGS MCS world data",
    "USGS MCS salient statistics",
    "World Mining Data",
    "IEA Critical Minerals Data Explorer",
    "CEPII BACI trade",
    "WGI governance",
    "policy tables",
    "resolve names",
    "reconcile",
    "write",
)


def _newest(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=lambda p: p.name)


def discover_sources(source_dir: Path) -> dict[str, list[Path]]:
    """Find the source files under `source_dir` by their published file names.

    Returns
    -------
    dict
        kind -> list of paths (every USGS edition found; newest last).

    Raises
    ------
    DataError
        If the folder does not exist or holds none of the expected files.
    """
    d = Path(source_dir)
    if not d.is_dir():
        raise DataError(
            f"source folder {d} does not exist; pass --from DIR (the folder holding usgs_mcs2026/, wgi/, ...)"
        )
    found = {
        "mcs_commodities": _newest(list(d.glob("usgs_mcs*/MCS*_Commodities_Data.csv"))),
        "mcs_world": _newest(list(d.glob("usgs_mcs*/world_data/MCS*_World_Data.csv"))),
        "mcs_salient": _newest([p for p in d.glob("usgs_mcs*/salient_commodity") if p.is_dir()]),
        "wmd": _newest(list(d.glob("world_mining_data/wmd_production_*.csv"))),
        "wmd_hs_map": list(d.glob("world_mining_data/hs_code_map.csv")),
        "iea": _newest(list(d.glob("iea_critical_minerals/CM_Data_Explorer*.xlsx"))),
        "baci": _newest(
            [p for p in d.glob("baci*/*.csv*") if not re.search(r"(country|product)_codes", p.name)]
        ),
        "baci_countries": _newest(list(d.glob("baci*/country_codes_*.csv"))),
        "comtrade_china": sorted(d.glob("trade/comtrade_china_exports*/deep_dive_hs6_monthly.csv")),
        "comtrade_world": sorted(d.glob("trade/comtrade_*reporter_world*/trade_data.csv")),
        "hs12_codes": sorted(d.glob("concordance/BACI_product_codes_HS12_*.csv")),
        "wgi": _newest(
            list(d.glob("wgi/*fullprecision*.csv")) or list(d.glob("wgi/wgidataset*.xlsx"))
        ),
    }
    if not any(found.values()):
        raise DataError(
            f"no source files found under {d}. Expected the layout of the critmin source folder "
            "(usgs_mcs2026/MCS2026_Commodities_Data.csv, world_mining_data/, baci_minerals/, wgi/, ...); "
            "see `critmin data sources`."
        )
    return found


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _resolve_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """Add commodity_id and country_iso3 via the catalog; canonicalise units."""
    out = []
    for ds, part in obs.groupby("dataset", sort=False):
        src = str(ds)
        part = part.copy()
        part["country_iso3"] = catalog.to_iso3(part["country_source"], source=src).values
        part["commodity_id"] = catalog.commodity_id_for(part["commodity_source"], source=src).values
        out.append(part)
    res = pd.concat(out, ignore_index=True)
    res["unit"] = res["unit"].map(units.canonical_unit)
    res = _unify_usgs_commodities(res)
    return res[list(TABLES["observations"])]


#: USGS rows whose commodity id differs between editions, moved to the id the newest edition
#: uses, so that a commodity, stage and year has one answer: (published id, stage or None,
#: regex on the series or None) -> (id, reason).  The published name stays in
#: ``commodity_source``.
USGS_COMMODITY_UNIFY: list[tuple[str, str | None, str | None, str, str]] = [
    (
        "bauxite_and_alumina",
        "mine",
        None,
        "bauxite",
        "MCS 2025 files bauxite mine rows under 'Bauxite' (the chapter); MCS 2026 under Bauxite",
    ),
    (
        "bauxite_and_alumina",
        "refinery",
        None,
        "alumina",
        "MCS 2025 files alumina refinery rows under 'Bauxite'; MCS 2026 under Alumina",
    ),
    (
        "titanium_and_titanium_dioxide",
        "refinery",
        None,
        "titanium_metal",
        "sponge metal: 'Titanium Sponge Metal' in MCS 2026",
    ),
    (
        "titanium_and_titanium_dioxide",
        "processing",
        None,
        "titanium_dioxide_pigment",
        "pigment: 'TiO2 Pigment' in MCS 2026",
    ),
    (
        "zirconium_and_hafnium",
        "mine",
        None,
        "zirconium",
        "zirconium mineral concentrates: 'Zirconium' in MCS 2026",
    ),
    (
        "platinum_group_metals",
        None,
        r"\bpalladium\b",
        "palladium",
        "palladium rows of the PGM table: 'Palladium' in MCS 2026",
    ),
    (
        "platinum_group_metals",
        None,
        r"\bplatinum\b(?!-group)",
        "platinum",
        "platinum rows of the PGM table: 'Platinum' in MCS 2026",
    ),
    (
        "feldspar",
        None,
        None,
        "feldspar_and_nepheline_syenite",
        "the same world table (same countries) is 'Feldspar And Nepheline Syenite' in MCS 2026",
    ),
]


def _unify_usgs_commodities(obs: pd.DataFrame) -> pd.DataFrame:
    """Give USGS rows the commodity id of the newest edition (:data:`USGS_COMMODITY_UNIFY`)."""
    usgs = obs["dataset"].str.startswith("usgs_mcs")
    cid = obs["commodity_id"].astype(object)
    for old, stage, series, new, _why in USGS_COMMODITY_UNIFY:
        m = usgs & (cid == old)
        if stage is not None:
            m &= obs["stage"] == stage
        if series is not None:
            m &= obs["series"].str.contains(series, case=False, regex=True, na=False)
        if m.any():
            logger.info("USGS %s -> %s: %d rows", old, new, int(m.sum()))
            cid = cid.where(~m, new)
    return obs.assign(commodity_id=cid)


def _unresolved_report(df: pd.DataFrame, name_col: str, code_col: str, what: str) -> pd.DataFrame:
    bad = df[df[code_col].isna()]
    if bad.empty:
        return bad
    return (
        bad.groupby(["dataset", name_col])
        .agg(
            rows=("source_row", "size"),
            first_row=("source_row", "min"),
            source_id=("source_id", "first"),
        )
        .reset_index()
        .assign(kind=what)
    )


class _NoteCollector(logging.Handler):
    """Collect the readers' warnings (source quirks) for the build report."""

    def __init__(self, notes: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        self.notes.append(record.getMessage().splitlines()[0])


def build_dataset(
    source_dir: str | Path,
    out_dir: str | Path,
    progress: Progress | None = None,
    baci_years: tuple[int, int] | None = None,
    quiet: bool = False,
) -> dict:
    """Build the dataset from `source_dir` into `out_dir` (atomically).

    Parameters
    ----------
    source_dir : path
        Folder of source files in the layout of ``shared/data`` (see ``critmin data sources``).
    out_dir : path
        Where the dataset goes; replaced only if the build succeeds.
    progress : callable, optional
        ``progress(step_name, step_index, n_steps)`` called before each step.
    baci_years : (int, int), optional
        Inclusive year range of BACI flows to keep (default: all).
    quiet : bool, default False
        Keep the readers' warnings about source quirks off the console; they are always
        kept in the manifest's ``notes`` (the CLI prints a count).

    Returns
    -------
    dict
        The manifest written beside the tables.
    """
    notes: list[str] = []
    ingest_logger = logging.getLogger("critmin.ingest")
    collector = _NoteCollector(notes)
    ingest_logger.addHandler(collector)
    propagate = ingest_logger.propagate
    if quiet:
        ingest_logger.propagate = False
    try:
        return _build(source_dir, out_dir, progress, baci_years, notes)
    finally:
        ingest_logger.removeHandler(collector)
        ingest_logger.propagate = propagate


def _build(
    source_dir: str | Path,
    out_dir: str | Path,
    progress: Progress | None,
    baci_years: tuple[int, int] | None,
    build_notes: list[str],
) -> dict:
    """Run :func:`build_dataset` (notes collected by the caller)."""
    t0 = time.perf_counter()
    src = Path(source_dir)
    out_dir = Path(out_dir)
    files = discover_sources(src)
    n = len(BUILD_STEPS)
    step = iter(range(n))

    def tick(name: str) -> None:
        i = next(step)
        logger.info("build step %d/%d: %s", i + 1, n, name)
        if progress:
            progress(name, i, n)

    obs_parts: list[pd.DataFrame] = []
    tables: dict[str, pd.DataFrame] = {}
    used_files: list[Path] = []

    tick(BUILD_STEPS[0])
    for p in files["mcs_commodities"]:
        obs_parts.append(usgs_mcs.read_mcs_commodities(p))
        used_files.append(p)
    if files["mcs_commodities"]:
        tables["critical_us_2025"] = usgs_mcs.critical_flags_2025(files["mcs_commodities"][-1])
    tick(BUILD_STEPS[1])
    for p in files["mcs_world"]:
        obs_parts.append(usgs_mcs.read_mcs_world_data(p))
        used_files.append(p)
    tick(BUILD_STEPS[2])
    for p in files["mcs_salient"]:
        obs_parts.append(usgs_mcs.read_mcs_salient(p))
        used_files.extend(sorted(p.glob("*_salient.csv")))
    tick(BUILD_STEPS[3])
    hs_map = wmd.read_wmd_hs_map(files["wmd_hs_map"][0]) if files["wmd_hs_map"] else None
    for p in files["wmd"][-1:]:
        obs_parts.append(
            wmd.read_wmd(p, hs_code_map=files["wmd_hs_map"][0] if files["wmd_hs_map"] else None)
        )
        used_files.append(p)
    if hs_map is not None:
        tables["wmd_hs_map"] = hs_map
        used_files.append(files["wmd_hs_map"][0])
    tick(BUILD_STEPS[4])
    for p in files["iea"][-1:]:
        obs_parts.append(iea.read_iea_supply(p))
        tables["demand"] = iea.read_iea_demand(p)
        used_files.append(p)
    tick(BUILD_STEPS[5])
    if files["baci"]:
        codes = files["baci_countries"][-1] if files["baci_countries"] else None
        years = list(range(baci_years[0], baci_years[1] + 1)) if baci_years else None
        trade = pd.concat(
            [baci.read_baci(p, country_codes=codes, years=years) for p in files["baci"]],
            ignore_index=True,
        )
        for p in files["baci"]:
            used_files.append(p)
        if codes:
            used_files.append(codes)
        tables["trade"] = trade
    if files.get("comtrade_china"):
        p = files["comtrade_china"][-1]
        tables["china_exports"] = comtrade.read_china_exports(p)
        used_files.append(p)
    if files.get("comtrade_world"):
        p = files["comtrade_world"][-1]
        world = comtrade.read_reporter_world(p)
        used_files.append(p)
        desc = {}
        if files.get("hs12_codes"):
            desc = _hs_descriptions(files["hs12_codes"][-1])
            used_files.append(files["hs12_codes"][-1])
        world["description"] = world["hs"].map(lambda c: _describe(c, desc))
        tables["trade_world"] = world
    tick(BUILD_STEPS[6])
    if files["wgi"]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gov = wgi.read_wgi(files["wgi"][-1])
        for w in caught:  # source quirks go to the build report, not to the user's warnings
            logger.warning("%s", w.message)
        used_files.append(files["wgi"][-1])
        tables["governance"] = gov
    tick(BUILD_STEPS[7])
    pol = policy.read_all_policy(src)
    tables.update(pol)

    tick(BUILD_STEPS[8])
    obs = _resolve_observations(pd.concat(obs_parts, ignore_index=True))
    unresolved = pd.concat(
        [
            _unresolved_report(obs, "country_source", "country_iso3", "country"),
        ],
        ignore_index=True,
    )
    if not unresolved.empty:
        listing = "\n  ".join(
            f"{r.dataset}: {r.country_source!r} ({r.rows} rows, first {r.source_id} line {r.first_row})"
            for r in unresolved.itertuples()
        )
        raise DataError(
            f"{len(unresolved)} country name(s) did not resolve to ISO3:\n  {listing}\n"
            "Add each spelling to src/critmin/catalog/country_aliases.csv (alias,iso3,source,note) and rebuild."
        )
    tables["observations"] = obs
    tables.update(_resolve_policy(tables))
    if "trade" in tables:
        tables["trade"] = _resolve_trade(tables["trade"])
    if "china_exports" in tables:
        tables["china_exports"] = _resolve_china_exports(tables["china_exports"])
    if "trade_world" in tables:
        tw = tables["trade_world"]
        tw["reporter_iso3"] = catalog.to_iso3(tw["reporter_source"], source="comtrade").values
        bad = sorted(tw.loc[tw["reporter_iso3"].isna(), "reporter_source"].unique())
        if bad:
            raise DataError(
                f"{tw['source_id'].iloc[0]}: reporter code(s) {bad} did not resolve to ISO3; add "
                "them to src/critmin/catalog/country_aliases.csv and rebuild."
            )
        tables["trade_world"] = tw[list(TABLES["trade_world"])]
    if "governance" in tables:
        g = tables["governance"]
        g["country_iso3"] = catalog.to_iso3(g["country_source"], source="wgi").values
        tables["governance"] = g

    tick(BUILD_STEPS[9])
    rec = reconcile_totals(obs)
    tables["reconciliation"] = rec

    tick(BUILD_STEPS[10])
    manifest = {
        "critmin_version": __version__,
        "built_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "source_dir": str(src.resolve()),
        "build_seconds": None,
        "tables": {k: int(len(v)) for k, v in sorted(tables.items())},
        "files": [
            {"source_id": _rel(p, src), "bytes": p.stat().st_size, "sha256": _sha256(p)}
            for p in sorted(set(used_files))
        ],
        "datasets": sorted(obs["dataset"].unique().tolist()),
        "reconciliation": rec["status"].value_counts().to_dict(),
        "unknown_units": units.unknown_units(obs["unit"].unique()),
        "notes": build_notes,
    }
    manifest["build_seconds"] = round(time.perf_counter() - t0, 2)
    _write_atomic(tables, manifest, out_dir)
    return manifest


_PHRASE_NOISE = re.compile(
    r"\b(ores?|concentrates?|raw|unprocessed|unwrought|crude|semi-processed|deeply processed|"
    r"refined|metals?|products?|compounds?|and|the|of|in|form)\b",
    re.IGNORECASE,
)


def match_commodity_phrase(phrase: str) -> str | None:
    """Map a published commodity phrase ('nickel ore', 'copper concentrates') to a commodity id.

    Tries the phrase as a name, then with processing words removed ('ore', 'concentrates',
    'raw', ...), then the longest catalog name or alias found as whole words in the phrase.
    Returns None when nothing matches (e.g. 'raw minerals').
    """
    first = catalog.commodity_id_for(pd.Series([phrase])).iloc[0]
    if isinstance(first, str):
        return first
    stripped = re.sub(r"\s+", " ", _PHRASE_NOISE.sub(" ", phrase)).strip(" ,.-")
    if stripped:
        hit = catalog.commodity_id_for(pd.Series([stripped])).iloc[0]
        if isinstance(hit, str):
            return hit
    names = _catalog_names()
    low = f" {phrase.lower()} "
    for name in names:  # longest first
        if f" {name} " in low:
            return catalog.commodity_id_for(pd.Series([name])).iloc[0]
    return None


def _catalog_names() -> list[str]:
    com = catalog.commodities()
    ali = catalog.commodity_aliases()
    names = set(com["name"].str.lower()) | set(com["commodity_id"].str.replace("_", " "))
    names |= {a.lower() for a in ali["alias"] if isinstance(a, str) and len(a) > 3}
    return sorted(names, key=len, reverse=True)


def _split_joint_phrases(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """One row per commodity for a hyphen-joined pair such as 'lead-zinc'.

    Only when the phrase as a whole matches nothing and every part is a commodity name;
    the published phrase stays in ``commodity_phrase``.
    """
    rows = []
    for r in df.to_dict("records"):
        phrase = str(r[col])
        parts = [p.strip() for p in phrase.split("-")]
        if len(parts) > 1 and match_commodity_phrase(phrase) is None:
            ids = catalog.commodity_id_for(pd.Series(parts))
            if ids.notna().all():
                rows.extend({**r, col: part} for part in parts)
                continue
        rows.append(r)
    return pd.DataFrame(rows, columns=df.columns)


#: How each policy table's names resolve: table -> [(name column, kind, catalog source)].
_POLICY_RESOLUTION: dict[str, list[tuple[str, str, str | None]]] = {
    "export_controls": [
        ("country_source", "country", "usgs"),
        ("commodity_source", "phrase", None),
    ],
    "agreements": [("country_source", "country", "usgs")],
    "end_uses": [("commodity_source", "commodity", "edition")],
    "import_sources": [
        ("country_source", "country", "usgs"),
        ("commodity_source", "commodity", "edition"),
    ],
    "import_source_counts": [("country_source", "country", "usgs")],
    "groups": [("member_as_published", "country", "policy")],
    "critical_lists": [("commodity_source", "commodity", "list_id")],
    "sector_map": [("element", "commodity", "seed")],
    "critical_us_2025": [("commodity_source", "commodity", "usgs_2026")],
}
_EDITION_SOURCE = {"MCS2026": "usgs_2026", "MCS2025": "usgs_2025"}


def _resolve_policy(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, rules in _POLICY_RESOLUTION.items():
        if name not in tables:
            continue
        df = tables[name].copy()
        for col, kind, src in rules:
            target = "country_iso3" if kind == "country" else "commodity_id"
            if kind == "country":
                df[target] = catalog.to_iso3(df[col], source=src).values
            elif kind == "phrase":
                df = _split_joint_phrases(df, col)
                df[target] = [match_commodity_phrase(p) for p in df[col]]
            elif src in ("edition", "list_id"):
                key = df["edition"].map(_EDITION_SOURCE) if src == "edition" else df["list_id"]
                res = pd.Series(index=df.index, dtype=object)
                for s_, idx in df.groupby(key).groups.items():
                    res.loc[idx] = catalog.commodity_id_for(df.loc[idx, col], source=s_).values
                df[target] = res
            else:
                df[target] = catalog.commodity_id_for(df[col], source=src).values
        out[name] = df
    return out


def _resolve_trade(trade: pd.DataFrame) -> pd.DataFrame:
    """Add the catalog commodity of each HS6 code (main and complementary codes)."""
    codes = pd.Series(trade["hs6"].astype(str).unique())
    m = dict(zip(codes, catalog.commodity_id_for(codes, source="baci"), strict=True))
    trade = trade.copy()
    trade["commodity_id"] = trade["hs6"].astype(str).map(m).astype("category")
    return trade[[c for c in TABLES["trade"] if c in trade.columns]]


def _hs_descriptions(path: Path) -> dict[str, str]:
    """HS6 code -> description from a BACI product code list (``code,description``)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return {c.zfill(6): d for c, d in zip(df.iloc[:, 0], df.iloc[:, 1], strict=True)}


def _describe(code: str, desc: dict[str, str]) -> str:
    """A 6-digit code's description; a 4-digit heading's as its subheadings' descriptions."""
    if code in desc:
        return desc[code]
    subs = [f"{c}: {d}" for c, d in sorted(desc.items()) if len(code) == 4 and c.startswith(code)]
    return "heading " + code + " = " + "; ".join(subs) if subs else ""


def _resolve_china_exports(df: pd.DataFrame) -> pd.DataFrame:
    """Resolve the Comtrade partner names to ISO3; an unknown name is one clear error."""
    df = df.copy()
    df["importer_iso3"] = catalog.to_iso3(df["importer_source"], source="comtrade").values
    bad = df[df["importer_iso3"].isna()]
    if not bad.empty:
        names = sorted(bad["importer_source"].unique())
        raise DataError(
            f"{df['source_id'].iloc[0]}: partner name(s) {names} (first at line "
            f"{int(bad['source_row'].min())}) did not resolve to ISO3; add each spelling to "
            "src/critmin/catalog/country_aliases.csv (alias,iso3,kind,source,note) and rebuild."
        )
    return df[list(TABLES["china_exports"])]


def _write_atomic(tables: dict[str, pd.DataFrame], manifest: dict, out_dir: Path) -> None:
    """Write every table into a temporary folder, then swap the files into `out_dir`.

    The previous dataset's files are moved aside first and moved back if the swap fails, so
    `out_dir` holds either the old dataset or the new one, never a mixture.  Other files in
    `out_dir` (e.g. a README) are left alone.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".critmin-build-", dir=out_dir.parent))
    old = tmp / ".previous"
    try:
        for name, df in tables.items():
            df = df.reset_index(drop=True)
            for c in df.columns:  # object columns of mixed python types -> string
                if df[c].dtype == object:
                    df[c] = df[c].astype("string")
            df.to_parquet(tmp / f"{name}.parquet", index=False, compression="zstd")
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=1, default=str), encoding="utf-8"
        )
        new_files = [f for f in tmp.iterdir() if f.is_file()]
        out_dir.mkdir(parents=True, exist_ok=True)
        old.mkdir()
        previous = list(out_dir.glob("*.parquet")) + list(out_dir.glob("manifest.json"))
        for f in previous:
            f.rename(old / f.name)
        try:
            for f in new_files:
                f.rename(out_dir / f.name)
        except OSError:
            for f in new_files:
                (out_dir / f.name).unlink(missing_ok=True)
            for f in old.iterdir():
                f.rename(out_dir / f.name)
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
