"""``/api/v1/trade``: bilateral flows (CEPII BACI) through :func:`critmin.trade`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from critmin.api_server._frames import records, source_refs
from critmin.api_server.deps import (
    BadParameter,
    Config,
    Years,
    cached_call,
    resolve_commodity_param,
    resolve_country,
)
from critmin.api_server.schemas import TradePartnerTable, TradeRow, TradeTable

router = APIRouter(tags=["trade"])

_TRADE_COLUMNS = list(TradeRow.model_fields)

Names = Annotated[list[str] | None, Query(max_length=50)]


@router.get("/trade", response_model=TradeTable, summary="Bilateral trade flows")
def trade(
    cfg: Config,
    commodity: Annotated[
        str | None, Query(max_length=100, description="Commodity name, alias or element.")
    ] = None,
    hs6: Annotated[
        list[Annotated[str, Query(pattern=r"^\d{6}$")]] | None,
        Query(max_length=50, description="HS6 code(s), six digits."),
    ] = None,
    exporter: Names = None,
    importer: Names = None,
    year: Years = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Rows per page; default and maximum: the row limit.")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, object]:
    """Bilateral flows, ``year, exporter_iso3, importer_iso3, hs6, value_kusd, quantity_t``.

    Give a ``commodity`` or ``hs6`` code(s): the whole table has over a million rows.  Pages
    of at most the row limit (``GET /api/v1/limits``); ``count`` is the number of rows
    matching the filters.
    """
    from critmin import api

    if commodity is None and not hs6:
        raise BadParameter(
            "commodity", "give a commodity (e.g. commodity=lithium) or hs6 code(s) to select flows"
        )
    lim = min(limit or cfg.max_rows, cfg.max_rows)
    df = cached_call(
        api.trade,
        commodity=resolve_commodity_param(commodity) if commodity else None,
        hs6=hs6,
        exporter=[resolve_country(c, "exporter") for c in exporter] if exporter else None,
        importer=[resolve_country(c, "importer") for c in importer] if importer else None,
        year=year,
    )
    page = df.iloc[offset : offset + lim]
    return {
        "count": len(df),
        "limit": lim,
        "offset": offset,
        "truncated": offset + lim < len(df),
        "rows": records(page, _TRADE_COLUMNS),
        "sources": source_refs(page, default_dataset="baci"),
    }


@router.get(
    "/trade/partners", response_model=TradePartnerTable, summary="A country's trade by partner"
)
def partners(
    commodity: Annotated[str, Query(min_length=1, max_length=100)],
    country: Annotated[str, Query(min_length=1, max_length=100, examples=["IND"])],
    flow: Annotated[Literal["imports", "exports"], Query()] = "imports",
    year: Annotated[
        int | None, Query(ge=1900, le=2100, description="Default: the latest year with flows.")
    ] = None,
) -> dict[str, object]:
    """A country's imports (or exports) of a commodity by partner for one year.

    The commodity's HS6 codes, summed from the BACI rows of :func:`critmin.trade`, largest
    partner first.
    """
    from critmin import api, catalog

    cid = resolve_commodity_param(commodity)
    iso = resolve_country(country)
    side = {"importer": [iso]} if flow == "imports" else {"exporter": [iso]}
    df = cached_call(api.trade, commodity=cid, **side)
    if df.empty:
        from critmin.errors import NoData

        raise NoData(f"the BACI extract has no {flow} of {cid} for {iso} in any year")
    yr = int(df["year"].max()) if year is None else year
    df = df[df["year"] == yr]
    partner = "exporter_iso3" if flow == "imports" else "importer_iso3"
    total_v = float(df["value_kusd"].sum()) if not df.empty else 0.0
    rows = []
    if not df.empty:
        g = df.groupby(partner, dropna=False)
        agg = g.agg(
            value_kusd=("value_kusd", "sum"),
            quantity_t=("quantity_t", lambda s: s.sum(min_count=1)),
        )
        agg["hs6"] = g["hs6"].agg(lambda s: sorted(set(s)))
        agg = agg.sort_values("value_kusd", ascending=False)
        for iso_p, r in agg.iterrows():
            rows.append(
                {
                    "partner_iso3": iso_p,
                    "partner": catalog.country_name(iso_p) if iso_p else None,
                    "value_kusd": float(r["value_kusd"]),
                    "quantity_t": None
                    if r["quantity_t"] != r["quantity_t"]
                    else float(r["quantity_t"]),
                    "share_value": float(r["value_kusd"]) / total_v if total_v > 0 else None,
                    "hs6": list(r["hs6"]),
                }
            )
    q = df["quantity_t"].sum(min_count=1) if not df.empty else float("nan")
    return {
        "commodity_id": cid,
        "country_iso3": iso,
        "flow": flow,
        "year": yr,
        "total_value_kusd": total_v,
        "total_quantity_t": None if q != q else float(q),
        "rows": rows,
        "sources": source_refs(df, default_dataset="baci"),
    }
