"""``/api/v1/commodities``, ``/countries``, ``/groups``: the catalog (:mod:`critmin.api`)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Path, Query

from critmin.api_server.deps import CommodityId, cached_call, call
from critmin.api_server.schemas import Commodity, CommodityDetail, Country, Coverage, Group

router = APIRouter(tags=["catalog"])

_LISTS = {
    "on_us_2025_list": "US critical 2025",
    "on_us_2022_list": "US critical 2022",
    "on_eu_2023_list": "EU CRM 2023",
    "on_india_2023_list": "India critical 2023",
}
_NAMES = {
    "usgs_2026_name": "usgs_mcs2026",
    "usgs_2025_name": "usgs_mcs2025",
    "wmd_names": "wmd",
    "iea_name": "iea",
    "eu_2023_name": "eu_crm_2023",
    "india_2023_name": "india_2023",
}


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


def _commodity(row: pd.Series) -> dict[str, object]:
    hs6 = [c for col in ("hs6", "hs6_complementary") for c in str(row.get(col) or "").split(";")]
    return {
        "commodity_id": row["commodity_id"],
        "name": row["name"],
        "kind": _text(row.get("kind")),
        "parent": _text(row.get("parent")),
        "symbol": _text(row.get("symbol")),
        "hs6": [c.strip() for c in hs6 if c.strip() and c.strip().lower() != "nan"],
        "lists": [lbl for col, lbl in _LISTS.items() if bool(row.get(col) or False)],
    }


def _catalog() -> pd.DataFrame:
    from critmin import api

    return call(api.commodities)


@router.get("/commodities", response_model=list[Commodity], summary="List commodities")
def list_commodities(
    with_data: Annotated[
        bool, Query(description="Only commodities with production figures in the dataset.")
    ] = False,
) -> list[dict[str, object]]:
    """Every commodity of the catalog, with HS6 codes and the critical lists it is on."""
    return cached_call(_commodity_list, with_data)


def _commodity_list(with_data: bool) -> list[dict[str, object]]:
    from critmin import api
    from critmin.store import get_store

    cat = api.commodities()
    if with_data:
        have = get_store().query(
            "SELECT DISTINCT commodity_id FROM observations "
            "WHERE measure = 'production' AND stage IN ('mine', 'refinery', 'smelter', "
            "'processing', 'primary') AND country_iso3 = 'WLD'"
        )
        cat = cat[cat["commodity_id"].isin(set(have["commodity_id"]))]
    return [_commodity(r) for _, r in cat.iterrows()]


@router.get(
    "/commodities/{commodity}",
    response_model=CommodityDetail,
    summary="One commodity",
    responses={404: {"description": "Unknown commodity (with suggestions)"}},
)
def get_commodity(commodity: CommodityId) -> dict[str, object]:
    """A commodity, its name in each source and what the dataset holds for it."""
    from critmin import api

    cat = _catalog().set_index("commodity_id", drop=False)
    row = cat.loc[commodity]
    out = _commodity(row)
    out["names"] = {src: str(row[col]) for col, src in _NAMES.items() if _text(row.get(col))}
    obs = cached_call(api.observations, commodity)
    cov: list[dict[str, object]] = []
    if not obs.empty:
        g = obs.groupby(["dataset", "stage", "measure"], dropna=False)["year"]
        for (ds, stage, measure), years in g:
            cov.append(
                Coverage(
                    dataset=str(ds),
                    stage=_text(stage),
                    measure=str(measure),
                    first_year=int(years.min()),
                    last_year=int(years.max()),
                    rows=int(len(years)),
                ).model_dump()
            )
    out["coverage"] = cov
    return out


@router.get("/countries", response_model=list[Country], summary="List countries")
def list_countries() -> list[dict[str, object]]:
    """Every country of the catalog (ISO3, ISO2, name)."""
    from critmin import api

    df = call(api.countries)
    return [
        {"iso3": r.iso3, "iso2": _text(r.iso2), "name": r.name}
        for r in df[["iso3", "iso2", "name"]].itertuples(index=False)
    ]


def _group(gid: str, df: pd.DataFrame) -> dict[str, object]:
    from critmin import api

    g = df[df["group_id"] == gid]
    return {
        "group_id": gid,
        "members": call(api.group_members, gid),
        "members_as_published": [str(m) for m in g["member_as_published"].dropna()],
        "source": "; ".join(sorted({str(s) for s in g["source"].dropna()})),
    }


@router.get("/groups", response_model=list[Group], summary="List country groups")
def list_groups() -> list[dict[str, object]]:
    """Country groups (MSP, QUAD, US_FTA, TRUST, ...) and their ISO3 members."""
    from critmin import api

    df = call(api.groups)
    return [_group(g, df) for g in df["group_id"].unique()]


@router.get(
    "/groups/{group}",
    response_model=Group,
    summary="One country group",
    responses={404: {"description": "Unknown group (with suggestions)"}},
)
def get_group(group: Annotated[str, Path(max_length=100, examples=["TRUST"])]) -> dict[str, object]:
    """A country group and its ISO3 members."""
    from critmin import api

    df = call(api.groups, group)  # UnknownGroup -> 404
    gid = str(df["group_id"].iloc[0]) if not df.empty else group
    return _group(gid, call(api.groups))
