"""A country's imports of refined and product codes that the BACI HS92 extract lacks.

Import dependence measured on ores alone misses where a country actually depends on others:
India imports unwrought nickel, lithium-ion cells and artificial graphite (battery anode
material), not only their ores.  The BACI HS92 extract critmin ships carries mostly ore and
primary codes, so this view adds, per mineral, the codes that two UN Comtrade extracts hold:

* ``trade_world``: every reporter's 2023 imports and exports from World (42 HS codes filed
  under seven minerals by the extract's author): totals, no supplier breakdown;
* ``china_exports``: China's exports to 39 partners, 2017-2024 (250410, 380110, 811292),
  which give China's share of the country's imports of those codes.

Stage of a code, by the HS chapter it sits in (the chapter structure of the Harmonized
System): chapters 25-26 ``ore`` (minerals, ores and concentrates), 28-29 and 38 ``refined``
(chemicals, compounds, artificial graphite), 71-81 ``refined`` (precious and base metals,
unwrought or semi-manufactured), 84-90 ``product`` (machinery, electrical equipment such as
cells and magnets, vehicles).

Codes no file holds are listed in :data:`NOT_IN_SOURCES` with the reason, so their absence
is stated, not silent.
"""

from __future__ import annotations

import pandas as pd

from critmin.errors import NoData

__all__ = ["NOT_IN_SOURCES", "product_imports", "stage_of_code"]

#: Codes a user asks about that none of critmin's source files carries.
NOT_IN_SOURCES: dict[str, str] = {
    "850511": (
        "permanent magnets of metal (NdFeB among them): not in the BACI HS92 extract (no "
        "chapter 85 codes) nor in either UN Comtrade extract"
    ),
}


def stage_of_code(hs: str) -> str:
    """``ore``, ``refined`` or ``product`` from the code's HS chapter (module docstring)."""
    ch = int(str(hs)[:2])
    if ch in (25, 26):
        return "ore"
    if ch in (28, 29, 38) or 71 <= ch <= 81:
        return "refined"
    if 84 <= ch <= 90:
        return "product"
    return "other"


def _label_ids(label: str) -> set[str]:
    """Commodity ids a ``;``-joined mineral label of the extract resolves to (with parents)."""
    from critmin import catalog
    from critmin.errors import UnknownCommodity

    out: set[str] = set()
    for name in str(label).split(";"):
        try:
            out.add(catalog.resolve_commodity(name.strip()))
        except UnknownCommodity:
            continue
    return out


def product_imports(
    country: str, *, year: int | None = None, commodity: str | None = None
) -> pd.DataFrame:
    """Imports of the codes the BACI extract lacks, per mineral, with China's share.

    Parameters
    ----------
    country : str
        ISO3, name or alias (e.g. ``"IND"``).
    year : int, optional
        Year; default the latest year of ``trade_world`` (2023 in the shipped dataset).
    commodity : str, optional
        Only the codes filed under this commodity (name, alias or element), or under its
        parent group (platinum -> the extract's "Platinum Group Metals").

    Returns
    -------
    pandas.DataFrame
        One row per HS code: ``mineral`` (the extract author's label(s)), ``hs``,
        ``description``, ``stage``, ``imports_t``, ``exports_t``, ``net_imports_t`` [t],
        ``imports_kusd`` [thousand current USD], ``china_share`` [0-1, China's exports to
        the country over the country's imports; null where no source gives China's
        bilateral flow], ``source_id``, ``source_row`` (of the imports row).

    Raises
    ------
    NoData
        The dataset has no ``trade_world`` table, or none of its rows for the country/year
        (or commodity: the message lists the minerals the extract files codes under).
    UnknownCommodity
        If `commodity` does not resolve.
    """
    from critmin import catalog
    from critmin.store import get_store

    iso = catalog.resolve_country(country)
    store = get_store()
    if "trade_world" not in store.tables:
        msg = "the dataset has no trade_world table; rebuild it with `critmin data build`"
        raise NoData(msg)
    tw = store.table("trade_world")
    years = sorted(int(y) for y in tw["year"].unique())
    yr = int(year) if year is not None else years[-1]
    d = tw[(tw["reporter_iso3"] == iso) & (tw["year"] == yr)]
    if d.empty:
        msg = (
            f"no UN Comtrade world totals for {iso} in {yr}; years with data: {years} "
            f"(reporters: {tw['reporter_iso3'].nunique()})"
        )
        raise NoData(msg)
    in_baci = set(store.query("SELECT DISTINCT hs6 FROM trade")["hs6"])
    d = d[~d["hs"].isin(in_baci)]
    imp = d[d["flow"] == "imports"].set_index("hs")
    exp = d[d["flow"] == "exports"].set_index("hs")
    out = pd.DataFrame(
        {
            "mineral": imp["mineral_source"],
            "description": imp["description"],
            "imports_t": imp["quantity_t"],
            "imports_kusd": imp["value_kusd"],
            "exports_t": exp["quantity_t"].reindex(imp.index),
            "source_id": imp["source_id"],
            "source_row": imp["source_row"],
        }
    )
    out["net_imports_t"] = out["imports_t"] - out["exports_t"].fillna(0.0)
    out["stage"] = [stage_of_code(c) for c in out.index]
    china = pd.Series(dtype=float)
    if "china_exports" in store.tables:
        ce = store.table("china_exports")
        ce = ce[(ce["importer_iso3"] == iso) & (ce["year"] == yr)].set_index("hs6")
        china = ce["quantity_t"]
    # mirror flows (China's exports vs the importer's imports) may disagree: a share above 1 is kept
    out["china_share"] = china.reindex(out.index) / out["imports_t"]
    out = out.reset_index().rename(columns={"index": "hs"})
    if commodity is not None:
        cid = catalog.resolve_commodity(commodity)
        info = catalog.commodities().set_index("commodity_id")
        want = {cid, str(info["parent"].get(cid, "") or "")} - {""}
        keep = out["mineral"].map(lambda m: bool(_label_ids(m) & want))
        if not keep.any():
            labels = sorted({m for v in out["mineral"] for m in str(v).split(";")})
            msg = (
                f"no UN Comtrade codes filed under {cid} for {iso} in {yr}; the extract files "
                f"codes under {labels}"
            )
            raise NoData(msg)
        out = out[keep]
    cols = [
        "mineral",
        "hs",
        "description",
        "stage",
        "imports_t",
        "exports_t",
        "net_imports_t",
        "imports_kusd",
        "china_share",
        "source_id",
        "source_row",
    ]
    return out[cols].sort_values(["mineral", "stage", "hs"]).reset_index(drop=True)
