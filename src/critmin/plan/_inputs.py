"""Read the planner's inputs from the dataset (thin orchestration, private).

Everything is on the basis of the scenario network (:func:`critmin.scenarios.data.build_network`,
``production='net_exports'``): tonnes of the traded good of one HS6 code in one BACI year.

Exportable capacity rule (documented in ``docs/methods/plan.md``)
    ``cap_i = max(P_i - C_i, f_i)`` [t], with ``P_i - C_i`` production minus own apparent
    consumption from the network (= net exports ``max(0, X_i - M_i)``, because the dataset
    has no production figure in traded-good tonnes: published production is in content
    or ore tonnes) and ``f_i`` what ``i`` ships to the importer today (so that a
    re-exporting hub keeps at least its current deliveries and today's mix is feasible).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from critmin.errors import MethodError, NoData, UnknownGroup

logger = logging.getLogger(__name__)

#: ``--stage`` words and the network stage they select.
STAGE_WORDS: dict[str, str] = {
    "mine": "ore",
    "ore": "ore",
    "refinery": "refined",
    "refined": "refined",
    "smelter": "refined",
    "primary": "refined",
}

BACI = "CEPII BACI HS92 V202401b (trade table, quantity_t and value_kusd)"
WGI = "World Bank WGI, Political Stability and Absence of Violence (governance table, pv)"
#: Where BACI HS92 lacks a code (811292 Ga/Ge, 380110 artificial graphite) the network
#: carries China's exports from UN Comtrade instead (``china_exports`` table).
COMTRADE_CHN = (
    "UN Comtrade, China's exports to 39 partners (china_exports table, "
    "trade/comtrade_china_exports_qennis)"
)


def trade_source(year: int, code: str) -> str:
    """The trade source of one code in one year: BACI, or China's Comtrade exports."""
    from critmin.scenarios.data import supplemented_codes

    src = COMTRADE_CHN if supplemented_codes(year, [code]) else BACI
    return f"{src}, {year}, HS6 {code}"


@dataclass(frozen=True)
class Importer:
    """The buyer: one country or the members of a group."""

    label: str
    members: tuple[str, ...]
    is_group: bool


def resolve_importer(name: str) -> Importer:
    """A country name/ISO3 or a group id (MSP, QUAD, TRUST, ...)."""
    from critmin import api, catalog
    from critmin.errors import UnknownCountry

    try:
        return Importer(catalog.resolve_country(name), (catalog.resolve_country(name),), False)
    except UnknownCountry as err_country:
        try:
            members = tuple(sorted(api.group_members(name)))
        except UnknownGroup:
            raise err_country from None
        return Importer(str(name).upper(), members, True)


def resolve_countries(names: Iterable[str] | None) -> list[str]:
    """ISO3 codes of countries and groups (groups expand to members)."""
    out: list[str] = []
    for n in names or []:
        out.extend(resolve_importer(n).members)
    return sorted(set(out))


def stage_of(stage: str | None) -> str | None:
    """Map a ``--stage`` word to the network stage (``ore``/``refined``)."""
    if stage is None:
        return None
    key = str(stage).strip().lower()
    if key not in STAGE_WORDS:
        msg = f"stage {stage!r} is not known; fix: use one of {sorted(STAGE_WORDS)}"
        raise MethodError(msg)
    return STAGE_WORDS[key]


def candidate_codes(commodity: str, stage: str | None = None) -> pd.DataFrame:
    """HS6 codes of the stage table for a commodity (and stage)."""
    from critmin import catalog
    from critmin.scenarios.data import hs_stages

    st = hs_stages()
    if str(commodity) in set(st["hs6"]):
        return st[st["hs6"] == str(commodity)]
    cid = catalog.resolve_commodity(commodity)
    rows = st[st["commodity_id"] == cid]
    if rows.empty:
        have = ", ".join(sorted(set(st["commodity_id"])))
        msg = f"{cid} has no HS6 code in the BACI extract; fix: plan one of {have}"
        raise NoData(msg)
    net_stage = stage_of(stage)
    if net_stage is not None:
        sel = rows[rows["stage"] == net_stage]
        if sel.empty:
            got = sorted(set(rows["stage"]))
            msg = f"{cid} has no {net_stage} code in the BACI extract (only {got}); fix: --stage {got[0]}"
            raise NoData(msg)
        rows = sel
    return rows


def _dataset_key() -> str:
    from critmin.store import active_dataset_dir

    return str(active_dataset_dir())


@functools.lru_cache(maxsize=16)
def _stability_all(dataset: str, year: int) -> pd.DataFrame:
    from critmin.assessments.geopolrisk import stability_table
    from critmin.catalog import countries as all_countries

    isos = sorted(set(all_countries()["iso3"].dropna().astype(str)))
    pairs = pd.DataFrame({"country_iso3": isos, "year": int(year)})
    tab = stability_table(pairs, "previous").set_index("country_iso3")
    return tab[~tab.index.duplicated()]


def stability_weights(countries: list[str], year: int) -> tuple[pd.Series, pd.Series]:
    """GeoPolRisk weights ``g_i`` [-] and the WGI year used per country (missing PV: 0.5)."""
    from critmin.metrics.governance import geopolrisk_stability

    tab = _stability_all(_dataset_key(), int(year))
    pv = tab["estimate"].reindex(countries)
    g = geopolrisk_stability(pv.astype(float))
    wy = tab["wgi_year"].reindex(countries) if "wgi_year" in tab else pd.Series(np.nan, countries)
    return g.rename("g"), wy


@functools.lru_cache(maxsize=16)
def _eu_wgi(dataset: str, year: int) -> tuple[pd.Series, int | None]:
    from critmin.assessments.eu_crm import _wgi_scaled

    return _wgi_scaled(year)


def eu_wgi_weights(year: int) -> tuple[pd.Series, int | None]:
    """EU-scaled WGI [0-10] per country, for `year` or the latest earlier WGI year."""
    return _eu_wgi(_dataset_key(), int(year))


@functools.lru_cache(maxsize=256)
def _trade_cached(dataset: str, year: int, code: str) -> pd.DataFrame:
    from critmin.scenarios.data import trade_frame

    tr = trade_frame(year, [code])
    return tr[tr["quantity_t"] > 0].reset_index(drop=True)


@dataclass
class TradeBasis:
    """One HS6 code's network with the importer's view of it."""

    hs6: str
    commodity_id: str
    stage: str
    description: str
    year: int
    importer: Importer
    today_t: pd.Series  # imports of the importer from each outside supplier [t]
    capacity_t: pd.Series  # exportable capacity of each outside supplier [t]
    net_exports_t: pd.Series  # P - C [t]
    unit_value: pd.Series  # exporter's mean export unit value [USD/t]
    importer_unit_value: float  # importer's mean import unit value [USD/t]
    consumption_t: float  # importer's apparent consumption [t]
    notes: list[str] = field(default_factory=list)


def _pick_code(rows: pd.DataFrame, imp: Importer, year: int | None) -> tuple[str, list[str]]:
    from critmin.scenarios.data import build_network

    if len(rows) == 1:
        return str(rows["hs6"].iloc[0]), []
    best, best_q, seen = None, -1.0, []
    for code in rows["hs6"]:
        try:
            net = build_network(year, commodities=[code])
        except NoData:
            continue
        idx = [net.country_index[c] for c in imp.members if c in net.country_index]
        q = float(net.imports[0, idx].sum()) if idx else 0.0
        seen.append(f"{code} ({q:,.0f} t)")
        if q > best_q:
            best, best_q = str(code), q
    if best is None:
        msg = f"no BACI quantities for codes {list(rows['hs6'])}; fix: choose another year"
        raise NoData(msg)
    return best, [
        f"{len(rows)} HS6 codes match; planned {best}, the one {imp.label} imports most of "
        f"(imports: {', '.join(seen)}); choose another with --hs6"
    ]


def trade_basis(
    commodity: str,
    importer: str,
    *,
    stage: str | None = None,
    hs6: str | None = None,
    year: int | None = None,
) -> TradeBasis:
    """Assemble today's imports, capacities and unit values for one code and importer."""
    from critmin.scenarios.data import build_network, supplemented_codes

    imp = resolve_importer(importer)
    rows = candidate_codes(hs6 if hs6 else commodity, stage)
    code, notes = _pick_code(rows, imp, year)
    row = rows.set_index("hs6").loc[code]
    net = build_network(year, commodities=[code])
    ci = net.country_index
    members = [c for c in imp.members if c in ci]
    if not members:
        msg = (
            f"{imp.label} has no BACI trade of {code} in {net.year}; fix: choose another "
            "importer or commodity (critmin trade shows what exists)"
        )
        raise NoData(msg)
    j = [ci[c] for c in members]
    outside = [c for c in net.countries if c not in set(imp.members)]
    o = [ci[c] for c in outside]
    today = pd.Series(net.flows[0][np.ix_(o, j)].sum(axis=1), index=outside, name="today_t")
    netx = pd.Series(net.production[0, o] - net.consumption[0, o], index=outside).clip(lower=0.0)
    cap = np.maximum(netx, today).rename("capacity_t")
    tr = _trade_cached(_dataset_key(), int(net.year), code)
    ex = tr.groupby("exporter_iso3")[["value_kusd", "quantity_t"]].sum()
    uv = (1000.0 * ex["value_kusd"] / ex["quantity_t"]).rename("unit_value_usd_per_t")
    im = tr[tr["importer_iso3"].isin(members) & ~tr["exporter_iso3"].isin(imp.members)]
    imp_uv = float(1000.0 * im["value_kusd"].sum() / im["quantity_t"].sum()) if len(im) else np.nan
    if supplemented_codes(int(net.year), [code]):
        notes.append(
            f"HS {code} is not in BACI HS92: its flows are China's exports from UN Comtrade, "
            "so China is the only supplier in the data and no other partner can be planned"
        )
    hubs = today[(today > netx + 1e-9) & (today > 0)]
    if len(hubs):
        notes.append(
            f"{len(hubs)} suppliers ship {imp.label} more than their net exports "
            f"(re-exporters, e.g. {', '.join(hubs.sort_values(ascending=False).index[:3])}): "
            "their capacity is set to today's deliveries"
        )
    cons = float(net.consumption[0, j].sum())
    return TradeBasis(
        hs6=code,
        commodity_id=str(row["commodity_id"]),
        stage=str(row["stage"]),
        description=str(row["description"]),
        year=int(net.year),
        importer=imp,
        today_t=today,
        capacity_t=cap,
        net_exports_t=netx.rename("net_exports_t"),
        unit_value=uv,
        importer_unit_value=imp_uv,
        consumption_t=cons,
        notes=notes,
    )
