"""Links from recovery results to the scenario engine and the criticality methods.

* :func:`secondary_supply_array` — recovered element [t] as the ``(years, importers,
  commodities)`` array that :func:`critmin.scenarios.engine.prepare` takes as its
  ``recycling`` response (engine step 3: ``min(gap, alpha · rec[t, j, k])``).
* :func:`recycling_input_rate` — a time-varying end-of-life recycling input rate per
  element and year, ``EoL-RIR(t) = recovered(t) / demand(t)`` (capped at 1).
* :func:`apply_recycling_rate` — EU CRM supply risk with that rate in place of the static
  one: ``SR = [HHI_GS·IR/2 + HHI_EU·(1 − IR/2)] · (1 − EoL-RIR) · SI_SR``
  (:func:`critmin.criticality.eu_crm.supply_risk`; EC 2017 guidelines, doi:10.2873/769526).

All three are pure functions of their arguments (no store access).

The EU's EoL-RIR is the share of old-scrap secondary material in the EU's total input of
a raw material.  The modelled rate is the share of the modelled secondary supply in the
demand given (e.g. IEA world demand): the same kind of ratio for another region and
demand; use it as a what-if, not as a restatement of the EU figure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from critmin.circular.recovery import ELEMENT_ALIASES, RecoveryResult, share_of_demand
from critmin.errors import MethodError

__all__ = [
    "SR_COMPONENTS",
    "apply_recycling_rate",
    "recycling_input_rate",
    "region_iso3",
    "secondary_supply_array",
]

logger = logging.getLogger(__name__)

#: Columns of an EU CRM supply-risk component table (``eol_rir`` optional: the static rate).
SR_COMPONENTS = ("hhi_gs", "hhi_eu", "import_reliance", "si_sr")

_WORLD = "WLD"


def region_iso3(label: str) -> str:
    """ISO3 code of a result region label (``'India'`` → ``'IND'``, ``'World'`` → ``'WLD'``).

    Labels that do not resolve are returned unchanged.
    """
    from critmin.catalog import resolve_country
    from critmin.errors import UnknownNameError

    try:
        return resolve_country(str(label))
    except UnknownNameError:
        return str(label)


def _element_of(commodity: str, elements: Sequence[str]) -> str | None:
    """The critmin element of a commodity id, or None (HS codes are never guessed)."""
    c = str(commodity).strip()
    if c in elements:
        return c
    if c.isdigit():
        return None
    alias = ELEMENT_ALIASES.get(c.lower())
    if alias in elements:
        return alias
    from critmin.catalog import commodities, resolve_commodity
    from critmin.errors import UnknownNameError

    try:
        cid = resolve_commodity(c)
    except UnknownNameError:
        return None
    row = commodities().set_index("commodity_id").loc[cid]
    for cand in (str(row.get("symbol") or ""), cid):
        cand = ELEMENT_ALIASES.get(cand.lower(), cand)
        if cand in elements:
            return cand
    return None


def _shares_matrix(
    shares: Mapping[str, float] | pd.Series | np.ndarray,
    importers: Sequence[str],
    n_k: int,
) -> np.ndarray:
    """Allocation shares as an ``(N, K)`` array."""
    n = len(importers)
    if isinstance(shares, (Mapping, pd.Series)):
        items = dict(shares.items())
        unknown = sorted(set(map(str, items)) - set(importers))
        if unknown:
            msg = f"shares name importers {unknown[:5]} that are not in `importers`"
            raise MethodError(msg)
        vec = np.array([float(items.get(c, 0.0)) for c in importers])
        arr = np.repeat(vec[:, None], n_k, axis=1)
    else:
        arr = np.asarray(shares, dtype=float)
        if arr.shape == (n,):
            arr = np.repeat(arr[:, None], n_k, axis=1)
        elif arr.shape != (n, n_k):
            msg = f"shares array has shape {arr.shape}; give ({n},) or ({n}, {n_k})"
            raise MethodError(msg)
    if not np.all(np.isfinite(arr)) or (arr < 0).any() or (arr > 1).any():
        msg = "shares must be fractions in [0, 1]"
        raise MethodError(msg)
    if (arr.sum(axis=0) > 1 + 1e-9).any():
        msg = (
            "shares of one commodity sum to more than 1 over the importers "
            f"(max {arr.sum(axis=0).max():.6g}); they split the World secondary supply"
        )
        raise MethodError(msg)
    return arr


def secondary_supply_array(
    result: RecoveryResult,
    importers: Sequence[str],
    commodities: Sequence[str],
    years: Sequence[int],
    *,
    elements: Mapping[str, str] | None = None,
    factors: Mapping[str, float] | None = None,
    shares: Mapping[str, float] | pd.Series | np.ndarray | None = None,
) -> np.ndarray:
    """Secondary supply as the scenario engine's recycling array ``[year, importer, commodity]``.

    Parameters
    ----------
    result : RecoveryResult
        A recovery run; ``recovered`` is summed over products.
    importers : sequence of str
        ISO3 codes in the network's country order (``network.countries``).
    commodities : sequence of str
        Commodity ids in the network's order (``network.commodities``).
    years : sequence of int
        The scenario's years (``spec.years``); each must be a year of `result`.
    elements : mapping of commodity id to element, optional
        Which critmin element feeds each commodity.  Default: a commodity id that is an
        element of the result (``'Li'``) or resolves through the catalog to one
        (``'lithium'``, ``'neodymium'``).  HS codes are never resolved (their tonnes are
        gross weight): map them here and give `factors`.  Unmapped commodities get 0.
    factors : mapping of commodity id to float, optional
        Tonnes of commodity per tonne of element [t/t], default 1 (the network's
        quantities are element content).  E.g. a network in tonnes of lithium carbonate
        needs the carbonate per lithium mass ratio.
    shares : mapping importer → fraction, Series, or array ``(N,)`` / ``(N, K)``, optional
        Split of a ``World`` region's supply over importers (e.g. each importer's share of
        world apparent consumption of the commodity).  Needed when the result is World
        only; not allowed for importers that have their own region in the result.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(years), len(importers), len(commodities))`` [t of commodity], >= 0.
        An importer with its own region in `result` (``'India'``/``'IND'`` ↔ ``IND``) gets
        that region's recovered element; others get ``shares`` × the World region's.

    Raises
    ------
    MethodError
        Years outside the result; a World-only result without `shares`; shares outside
        [0, 1], summing above 1, or given for an importer with its own region.

    Examples
    --------
    >>> arr = secondary_supply_array(res, net.countries, net.commodities, spec.years,
    ...                              shares=share_of_consumption)  # doctest: +SKIP
    >>> plan = prepare(spec, net, recycling=arr)  # doctest: +SKIP
    """
    importers = [str(c) for c in importers]
    commodities = [str(c) for c in commodities]
    years = [int(y) for y in years]
    bad_years = sorted(set(years) - set(result.years))
    if bad_years:
        msg = (
            f"years {bad_years[:8]} are not modelled in the recovery result "
            f"({result.years[0]}-{result.years[-1]}); run it over those years"
        )
        raise MethodError(msg)
    ti = [result.years.index(y) for y in years]
    rec = result.recovered.sum(axis=1)[ti]  # [t, e, r]
    iso = [region_iso3(r) for r in result.regions]
    own = {c: iso.index(c) for c in importers if c in iso and c != _WORLD}
    world = iso.index(_WORLD) if _WORLD in iso else None
    unused = [r for r, c in zip(result.regions, iso, strict=True) if c != _WORLD and c not in own]
    if unused:
        logger.info("secondary_supply_array: regions %s match no importer", unused)

    emap: dict[str, str | None] = {}
    for c in commodities:
        if elements is not None and c in elements:
            e = elements[c]
            if e not in result.elements:
                msg = f"elements[{c!r}] = {e!r} is not an element of the result {result.elements}"
                raise MethodError(msg)
            emap[c] = e
        else:
            emap[c] = _element_of(c, result.elements) if elements is None else None
    none = [c for c, e in emap.items() if e is None]
    if none:
        logger.info("secondary_supply_array: no element for commodities %s (zero)", none[:10])
    f = {c: 1.0 for c in commodities}
    for c, v in (factors or {}).items():
        if c not in f:
            msg = f"factors name commodity {c!r} that is not in `commodities`"
            raise MethodError(msg)
        if not np.isfinite(v) or v < 0:
            msg = f"factors[{c!r}] = {v!r}; give tonnes of commodity per tonne of element >= 0"
            raise MethodError(msg)
        f[c] = float(v)

    out = np.zeros((len(years), len(importers), len(commodities)))
    share_arr = None
    if shares is not None:
        if world is None:
            msg = (
                f"shares split a World region, but the result's regions are {result.regions}; "
                "drop shares (regions are matched to importers by name)"
            )
            raise MethodError(msg)
        share_arr = _shares_matrix(shares, importers, len(commodities))
        clash = [c for i, c in enumerate(importers) if c in own and share_arr[i].any()]
        if clash:
            msg = f"importers {clash} have their own region in the result; give them no share"
            raise MethodError(msg)
    elif world is not None and not own:
        msg = (
            "the recovery result is for World only; pass shares= to split its secondary "
            "supply over importers, e.g. each importer's share of world apparent "
            "consumption, or run the recovery with the importers as regions"
        )
        raise MethodError(msg)
    for k, c in enumerate(commodities):
        e = emap[c]
        if e is None:
            continue
        j = result.elements.index(e)
        for c_iso, r in own.items():
            out[:, importers.index(c_iso), k] = rec[:, j, r] * f[c]
        if share_arr is not None and world is not None:
            out[:, :, k] += share_arr[None, :, k] * rec[:, j, world, None] * f[c]
    return np.ascontiguousarray(np.maximum(out, 0.0))


def recycling_input_rate(result: RecoveryResult, demand: pd.DataFrame) -> pd.DataFrame:
    """Time-varying end-of-life recycling input rate per element (and region) and year.

    ``eol_rir = min(1, recovered / demand)`` [-]: the share of demand that the modelled
    secondary supply from end-of-life products can meet.

    Parameters
    ----------
    result : RecoveryResult
    demand : pandas.DataFrame
        Tidy ``[element, year, value, unit]`` (+ optional ``region``) of total material
        demand [mass/yr], as :func:`~critmin.circular.recovery.share_of_demand` takes.

    Returns
    -------
    pandas.DataFrame
        ``element, [region,] year, secondary_supply, demand, eol_rir, exceeds_demand,
        unit`` (+ ``eol_rir_reference``, the EU 2023 value, when known);
        ``exceeds_demand`` flags years where secondary supply > demand (rate capped at 1);
        ``eol_rir`` is NaN where demand is 0.
    """
    sd = share_of_demand(result, demand)
    share = sd.pop("share")
    sd["eol_rir"] = share.clip(lower=0.0, upper=1.0)
    sd["exceeds_demand"] = (share > 1.0).fillna(False).astype(bool)
    lead = [c for c in ("element", "region", "year") if c in sd.columns]
    rest = ["secondary_supply", "demand", "eol_rir", "exceeds_demand", "unit"]
    extra = [c for c in sd.columns if c not in lead + rest]
    return sd[lead + rest + extra]


def _element_names(s: pd.Series) -> pd.Series:
    return s.map(lambda v: ELEMENT_ALIASES.get(str(v).strip().lower(), str(v).strip()))


def apply_recycling_rate(
    sr_components: pd.DataFrame, rir: pd.DataFrame | pd.Series
) -> pd.DataFrame:
    """EU CRM supply risk per element and year with a time-varying EoL-RIR.

    Parameters
    ----------
    sr_components : pandas.DataFrame
        One row per element (and stage, or any other key column): ``element`` (or
        ``material``; names such as ``'Lithium'`` are mapped), ``hhi_gs``, ``hhi_eu``,
        ``import_reliance``, ``si_sr`` [-] (NaN where a picture is missing, as
        :func:`critmin.criticality.eu_crm.supply_risk`), optionally the static ``eol_rir``.
    rir : pandas.DataFrame or pandas.Series
        :func:`recycling_input_rate` output (``element, year, eol_rir``; one region), or a
        Series of fractions indexed by ``(element, year)``.

    Returns
    -------
    pandas.DataFrame
        The component rows × years of `rir`: the key columns, ``year``, the components,
        ``eol_rir`` (time-varying) and ``supply_risk`` [-]; with a static rate in
        `sr_components` also ``eol_rir_static`` and ``supply_risk_static``.  Elements
        without a rate (or years with NaN) are left out and logged.

    Raises
    ------
    MethodError
        Missing columns, rates outside [0, 1], several regions in `rir`.
    """
    from critmin.criticality.eu_crm import supply_risk

    comp = sr_components.copy()
    if "element" not in comp.columns:
        if "material" not in comp.columns:
            msg = "sr_components needs an 'element' (or 'material') column"
            raise MethodError(msg)
        comp = comp.rename(columns={"material": "element"})
    lacking = [c for c in SR_COMPONENTS if c not in comp.columns]
    if lacking:
        msg = f"sr_components lacks column(s) {lacking}; expected {list(SR_COMPONENTS)}"
        raise MethodError(msg)
    comp["element"] = _element_names(comp["element"])
    if isinstance(rir, pd.Series):
        r = rir.rename("eol_rir").reset_index()
        r.columns = ["element", "year", "eol_rir"]
    else:
        need = ["element", "year", "eol_rir"]
        if [c for c in need if c not in rir.columns]:
            msg = f"rir needs columns {need} (as recycling_input_rate returns)"
            raise MethodError(msg)
        if "region" in rir.columns and rir["region"].nunique() > 1:
            msg = f"rir holds regions {sorted(rir['region'].unique())}; pass the rows of one region"
            raise MethodError(msg)
        r = rir[need].copy()
    r["element"] = _element_names(r["element"])
    r["eol_rir"] = pd.to_numeric(r["eol_rir"], errors="coerce")
    nan = r["eol_rir"].isna()
    if nan.any():
        logger.info("apply_recycling_rate: %d element-years without a rate left out", nan.sum())
        r = r[~nan]
    if ((r["eol_rir"] < 0) | (r["eol_rir"] > 1)).any():
        msg = "rir values must be fractions in [0, 1]"
        raise MethodError(msg)
    static = "eol_rir" in comp.columns
    if static:
        comp = comp.rename(columns={"eol_rir": "eol_rir_static"})
    missing = sorted(set(comp["element"]) - set(r["element"]))
    if missing:
        logger.info("apply_recycling_rate: no recycling rate for %s", missing)
    out = comp.merge(r, on="element", how="inner")
    out["supply_risk"] = np.asarray(
        supply_risk(
            out["hhi_gs"].to_numpy(float),
            out["hhi_eu"].to_numpy(float),
            out["import_reliance"].to_numpy(float),
            out["eol_rir"].to_numpy(float),
            out["si_sr"].to_numpy(float),
        ),
        dtype=float,
    )
    if static:
        out["supply_risk_static"] = np.asarray(
            supply_risk(
                out["hhi_gs"].to_numpy(float),
                out["hhi_eu"].to_numpy(float),
                out["import_reliance"].to_numpy(float),
                out["eol_rir_static"].to_numpy(float),
                out["si_sr"].to_numpy(float),
            ),
            dtype=float,
        )
    keys = [c for c in comp.columns if c not in (*SR_COMPONENTS, "eol_rir_static")]
    tail = ["eol_rir", "supply_risk"] + (["eol_rir_static", "supply_risk_static"] if static else [])
    cols = [*keys, "year", *SR_COMPONENTS, *tail]
    return out[cols].sort_values([*keys, "year"]).reset_index(drop=True)


# ============================================================================ default recycling
#: HS6 codes whose traded tonnes critmin counts as element tonnes without conversion:
#: natural graphite (the good is graphite) and cobalt metal/intermediates (810510: mattes,
#: unwrought cobalt, scrap, powders; counting the good's gross weight as cobalt content
#: means secondary cobalt replaces at most that many tonnes of the good, i.e. it
#: understates rather than overstates what recycling fills).  Other codes need a content
#: factor critmin has no source for (lithium carbonate, cobalt oxides, ores), so default
#: recycling leaves them out and says so.
ELEMENT_CONTENT_CODES: dict[str, str] = {"250410": "graphite", "250490": "graphite", "810510": "Co"}


def default_recycling_table(
    network: Any,
    years: Sequence[int],
    *,
    scenario: str = "STEPS",
    quantile: float = 50,
    n_draws: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Secondary supply from the shipped defaults as a scenario recycling table.

    World secondary supply per element and year (:func:`~critmin.circular.uncertainty.
    default_recovery`, `quantile` over the draws of the published rate ranges) is given to
    each importer in proportion to its share of the network's world apparent consumption
    of the HS6 code (BACI, base year), for the codes of :data:`ELEMENT_CONTENT_CODES`.

    Parameters
    ----------
    network : Network
        The scenario network (its ``countries``, ``commodities`` and ``consumption``).
    years : sequence of int
        Scenario years; years outside the recovery run (2023-2040) get none.
    scenario : str
        IEA scenario of the recovery inflows.
    quantile : float
        Percentile of the draws (default the median).
    n_draws, seed
        Draws of the rate ranges.

    Returns
    -------
    pandas.DataFrame
        ``year, country_iso3, commodity_id (HS6), quantity_t, element, basis`` [t of
        element = t of the good]; empty where no code of the network is covered.
    """
    from critmin.circular.uncertainty import default_recovery

    cols = ["year", "country_iso3", "commodity_id", "quantity_t", "element", "basis"]
    codes = [
        (k, str(c)) for k, c in enumerate(network.commodities) if str(c) in ELEMENT_CONTENT_CODES
    ]
    if not codes:
        return pd.DataFrame(columns=cols)
    yrs = [int(y) for y in years]
    dr = default_recovery(
        "World",
        scenario=scenario,
        years=range(2023, max(2024, min(max(yrs), 2040)) + 1),
        n_draws=n_draws,
        seed=seed,
    )
    q = np.percentile(dr.draws_recovered, quantile, axis=0)  # (T, E)
    t_idx = {int(y): i for i, y in enumerate(dr.run.result.years)}
    e_idx = {e: i for i, e in enumerate(dr.run.result.elements)}
    cons = np.asarray(network.consumption, dtype=float)  # (K, N)
    # one element can sit in several codes (graphite: two); split it over them by consumption
    by_elem: dict[str, list[int]] = {}
    for k, c in codes:
        by_elem.setdefault(ELEMENT_CONTENT_CODES[c], []).append(k)
    rows = []
    for elem, ks in by_elem.items():
        if elem not in e_idx:
            continue
        total = cons[ks].sum()
        if not total > 0:
            continue
        for y in yrs:
            if y not in t_idx:
                continue
            supply = float(q[t_idx[y], e_idx[elem]])
            for k in ks:
                for j, iso in enumerate(network.countries):
                    share = cons[k, j] / total
                    if share > 0 and supply > 0:
                        rows.append(
                            {
                                "year": y,
                                "country_iso3": str(iso),
                                "commodity_id": str(network.commodities[k]),
                                "quantity_t": supply * share,
                                "element": elem,
                                "basis": f"critmin default recovery, World P{quantile:g}, split by "
                                "share of world apparent consumption (BACI)",
                            }
                        )
    return pd.DataFrame(rows, columns=cols)
