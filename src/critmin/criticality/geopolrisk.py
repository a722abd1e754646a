"""GeoPolRisk: geopolitical supply risk of a raw material for an importing economy.

Formulas exactly as ``../shared/methods/03_geopolrisk.md`` §3.1 states them (read from
akoyamp/geopolrisk-py @b453938, ``src/geopolrisk/assessment/core.py`` and ``utils.py``):

.. code-block:: text

    GeoPolRisk_Ac = HHI_A × Σ_i ( g_i × f_Aic ) / ( p_Ac + F_Ac )            [-], 0..1
    HHI_A         = Σ_i P_Ai² / ( Σ_i P_Ai )²                                 [-], 0..1
    ImportRisk_Ac = Σ_i g_i f_Aic / ( p_Ac + F_Ac )      (a.k.a. WTA)          [-], 0..1
    g_i           = clip( (2.5 − PV_i) / 5, 0, 1 ),  missing PV -> 0.5         [-]

* ``P_Ai`` production of material A by country i (world mine/refinery production) [t];
* ``f_Aic`` imports of A into c from partner i [t], ``F_Ac = Σ_i f_Aic``;
* ``p_Ac`` domestic production of A in c [t] -- it enters the denominator only (mitigation);
* ``PV_i`` the RAW WGI *Political Stability and Absence of Violence/Terrorism* estimate of i;
  imports between members of an assessed region get g = 0.  "Missing PV -> 0.5" is the
  method's rule for whatever arrives here without an estimate; over the dataset,
  :func:`critmin.assessments.geopolrisk.stability_table` first gives a territory the WGI has
  no row for the estimate of the state :func:`critmin.catalog.wgi_stand_ins` names (New
  Caledonia -> France), so only partners no rule covers reach the default.

Characterisation factor (LCA midpoint, "Geopolitical Supply Risk Potential"), computed when the
CIF value of the imports is given:

.. code-block:: text

    price_Ac = Σ_i value_Aic / Σ_i f_Aic                      [1000 USD / t = USD/kg]
    CF_Ac    = GeoPolRisk_Ac × price_Ac / CF_Cu,  CF_Cu = 0.409412948   [kg Cu-eq/kg]

Sources: Gemechu et al. 2015 (definition); Helbig et al. 2016 (domestic production as a
mitigating factor); Koyamparambath et al. 2024, Resources, Conservation & Recycling 209:107801
(characterisation factors); the geopolrisk-py implementation (akoyamp/geopolrisk-py).  The
methods note gives no DOI for these papers; they are cited as the note names them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import cast

import numpy as np
import pandas as pd

from critmin.errors import MethodError
from critmin.metrics.concentration import _as_series, hhi, shares
from critmin.metrics.governance import GEOPOLRISK_MISSING_STABILITY, geopolrisk_stability

__all__ = [
    "CF_COPPER",
    "GeoPolRiskResult",
    "geopolrisk",
    "geopolrisk_grid",
]

#: Characterisation factor of copper used to express GeoPolRisk midpoints in copper equivalents
#: [USD/kg]: "Average CF of copper for OECD countries for a period from 2017 - 2021"
#: (``../shared/methods/03_geopolrisk.md`` §3.1, geopolrisk-py ``core.py``).  Part of the
#: method's definition of the CF, not a result.
CF_COPPER = 0.409412948

_RESULT_COLUMNS = [
    "hhi",
    "numerator",
    "total_imports",
    "domestic_production",
    "import_risk",
    "score",
    "price",
    "cf",
]


@dataclass(frozen=True)
class GeoPolRiskResult:
    """Result of one GeoPolRisk assessment (one importer × material × year).

    Attributes
    ----------
    hhi : float
        Herfindahl-Hirschman index of world production, ``Σ P² / (Σ P)²`` [-].
    numerator : float
        Stability-weighted imports ``Σ_i g_i f_i`` [t].
    total_imports : float
        ``F = Σ_i f_i`` [t].
    domestic_production : float
        ``p`` [t].
    import_risk : float
        ``Σ_i g_i f_i / (p + F)`` [-] (geopolrisk-py calls it WTA).
    score : float
        GeoPolRisk score ``HHI × import_risk`` [-].
    price : float
        Mean import price ``Σ value / Σ f`` [USD/kg]; NaN when no import values were given.
    cf : float
        Characterisation factor ``score × price / CF_COPPER`` [kg Cu-eq/kg]; NaN without values.
    """

    hhi: float
    numerator: float
    total_imports: float
    domestic_production: float
    import_risk: float
    score: float
    price: float = float("nan")
    cf: float = float("nan")

    def to_series(self) -> pd.Series:
        """Return the fields as a pandas Series (index = field names)."""
        return pd.Series(asdict(self), dtype=float)


def _price_and_cf(total_value: float, total_imports: float, score: float) -> tuple[float, float]:
    if total_imports <= 0 or np.isnan(total_value):
        return float("nan"), float("nan")
    price = total_value / total_imports
    return price, score * price / CF_COPPER


def geopolrisk(
    production: pd.Series,
    imports: pd.Series,
    political_stability: pd.Series,
    domestic_production: float = 0.0,
    *,
    import_values: pd.Series | None = None,
    region_members: Iterable[str] = (),
) -> GeoPolRiskResult:
    """GeoPolRisk score, import risk and HHI of one importer, material and year.

    Parameters
    ----------
    production : pandas.Series
        World production of the material per producing country [t], indexed by ISO3.  NaN =
        not known (left out, as geopolrisk-py fills it with 0).
    imports : pandas.Series
        Imports of the material into the assessed economy per partner country [t], indexed by
        ISO3 (one row per partner).
    political_stability : pandas.Series
        RAW WGI Political Stability and Absence of Violence estimate per country [-] (about
        −2.5..+2.5), indexed by ISO3.  Must hold every partner with imports > 0; a NaN
        estimate is scored g = 0.5 as the method prescribes.
    domestic_production : float, default 0.0
        Production of the material in the assessed economy [t].
    import_values : pandas.Series, optional
        CIF value of the imports per partner [1000 USD], indexed like `imports`.  When given,
        the mean price [USD/kg] and the characterisation factor [kg Cu-eq/kg] are computed.
    region_members : iterable of str, optional
        When the assessed economy is a region, its members: imports from them get g = 0
        (intra-regional trade is riskless in the method).

    Returns
    -------
    GeoPolRiskResult
        ``hhi``, ``import_risk``, ``score`` and the intermediate quantities (see the class).

    Raises
    ------
    MethodError
        If `production` is empty, negative or all zero; an import or the domestic production is
        negative; a partner repeats; a partner with imports has no political-stability value
        (misaligned indexes); or imports and domestic production are both zero (the import
        risk is undefined).

    Notes
    -----
    ``GeoPolRisk = HHI × Σ_i g_i f_i / (p + F)``, ``HHI = Σ P_i² / (Σ P_i)²``,
    ``g_i = clip((2.5 − PV_i)/5, 0, 1)`` (``../shared/methods/03_geopolrisk.md`` §3.1).
    Reproduces the geopolrisk-py 2.0.1 reference case (USA 2022: nickel, manganese, graphite)
    to better than 6 significant digits; see ``docs/methods/geopolrisk.md``.

    Examples
    --------
    Two producers (80 % / 20 %: HHI = 0.68); 100 t imported from a partner with PV = 0
    (g = 0.5) and 100 t from one with PV = 2.5 (g = 0); no domestic production:

    >>> import pandas as pd
    >>> r = geopolrisk(
    ...     production=pd.Series({"CHN": 80.0, "AUS": 20.0}),
    ...     imports=pd.Series({"CHN": 100.0, "AUS": 100.0}),
    ...     political_stability=pd.Series({"CHN": 0.0, "AUS": 2.5}))
    >>> round(r.hhi, 12), round(r.import_risk, 12), round(r.score, 12)
    (0.68, 0.25, 0.17)

    Domestic production of 200 t halves the import risk:

    >>> round(geopolrisk(pd.Series({"CHN": 80.0, "AUS": 20.0}),
    ...                  pd.Series({"CHN": 100.0, "AUS": 100.0}),
    ...                  pd.Series({"CHN": 0.0, "AUS": 2.5}), 200.0).import_risk, 12)
    0.125
    """
    prod = _as_series(production, "production")
    h = hhi(shares(prod))

    imp = _as_series(imports, "imports")
    if imp.isna().any():
        raise MethodError(
            f"imports has NaN for partner(s) {list(imp.index[imp.isna()][:10])}; "
            "use 0 for no imports"
        )
    if (imp < 0).any():
        bad = imp[imp < 0]
        raise MethodError(f"imports must be >= 0; negative for {bad.head(10).to_dict()}")
    if imp.index.has_duplicates:
        dups = sorted(set(imp.index[imp.index.duplicated()]))
        raise MethodError(f"imports index repeats partner(s) {dups}; aggregate them first")
    p = float(domestic_production)
    if not np.isfinite(p) or p < 0:
        raise MethodError(f"domestic_production must be a finite number >= 0, got {p!r}")

    stab = _as_series(political_stability, "political_stability")
    if stab.index.has_duplicates:
        dups = sorted(set(stab.index[stab.index.duplicated()]))
        raise MethodError(f"political_stability index repeats {dups}; give one per country")
    trading = imp[imp > 0]
    lacking = [c for c in trading.index if c not in stab.index]
    if lacking:
        raise MethodError(
            f"no political-stability value for partner(s) {lacking[:10]}"
            + (f" and {len(lacking) - 10} more" if len(lacking) > 10 else "")
            + "; the indexes of imports and political_stability are misaligned. Add the "
            "partners (NaN gives the method's default g = 0.5)"
        )
    g = geopolrisk_stability(stab.reindex(trading.index), missing=GEOPOLRISK_MISSING_STABILITY)
    members = {region_members} if isinstance(region_members, str) else set(region_members)
    if members:
        g = g.where(~g.index.isin(members), 0.0)

    numerator = float((trading * g).sum())
    total = float(imp.sum())
    denominator = p + total
    if denominator <= 0:
        raise MethodError(
            "imports and domestic production are both zero: the import risk "
            "Σ g f / (p + F) is undefined for an economy that neither imports nor produces"
        )
    import_risk = numerator / denominator
    score = h * import_risk

    price = cf = float("nan")
    if import_values is not None:
        vals = _as_series(import_values, "import_values")
        if vals.index.has_duplicates or not vals.index.isin(imp.index).all():
            raise MethodError(
                "import_values must be indexed like imports (one value per partner); "
                f"extra partners: {sorted(set(vals.index) - set(imp.index))[:10]}"
            )
        if (vals < 0).any():
            raise MethodError(f"import_values must be >= 0; got {vals[vals < 0].to_dict()}")
        price, cf = _price_and_cf(float(vals.fillna(0.0).sum()), total, score)

    return GeoPolRiskResult(
        hhi=h,
        numerator=numerator,
        total_imports=total,
        domestic_production=p,
        import_risk=import_risk,
        score=score,
        price=price,
        cf=cf,
    )


# --------------------------------------------------------------------------------------------
# vectorised


def _require(df: pd.DataFrame, name: str, columns: list[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise MethodError(f"{name} must be a DataFrame with columns {columns}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MethodError(
            f"{name} lacks column(s) {missing}; it has {list(df.columns)} (needed: {columns})"
        )


def _codes(index: pd.MultiIndex, keys: pd.MultiIndex) -> np.ndarray:
    """Position of each key in `index` (-1 where absent); `index` must be unique."""
    return np.asarray(index.get_indexer(keys), dtype=np.int64)


def geopolrisk_grid(
    production: pd.DataFrame,
    imports: pd.DataFrame,
    stability: pd.DataFrame,
) -> pd.DataFrame:
    """GeoPolRisk for every importer × material × year in `imports`, in one vectorised pass.

    Parameters
    ----------
    production : pandas.DataFrame
        Long table with columns ``commodity_id``, ``year``, ``country_iso3``, ``value``: world
        production per producing country [t] (one row per commodity × year × country; NaN =
        not known).  The importer's own row, if any, is its domestic production ``p``.
    imports : pandas.DataFrame
        Long table with columns ``importer_iso3``, ``exporter_iso3``, ``commodity_id``,
        ``year``, ``quantity_t`` [t] and optionally ``value_kusd`` (CIF value [1000 USD]); one
        row per importer × partner × commodity × year.
    stability : pandas.DataFrame
        Long table with columns ``country_iso3``, ``year``, ``estimate``: RAW WGI Political
        Stability and Absence of Violence estimate [-].  Every partner-year with imports > 0
        must be present; NaN estimates are scored g = 0.5.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``importer_iso3``, ``commodity_id``, ``year``), sorted, with the columns of
        :class:`GeoPolRiskResult`: ``hhi``, ``numerator`` [t], ``total_imports`` [t],
        ``domestic_production`` [t], ``import_risk``, ``score`` [-], ``price`` [USD/kg] and
        ``cf`` [kg Cu-eq/kg] (NaN without ``value_kusd``).  Where :func:`geopolrisk` would raise
        -- no production recorded for the commodity-year (``hhi`` NaN) or neither imports nor
        domestic production -- the affected quantities are NaN instead.

    Raises
    ------
    MethodError
        If a column is missing, a quantity is negative, a key repeats, or a partner-year with
        imports has no stability row.

    Notes
    -----
    Same formulas as :func:`geopolrisk` (``../shared/methods/03_geopolrisk.md`` §3.1).  The
    sums ``Σ P``, ``Σ P²``, ``Σ g f``, ``Σ f`` and ``Σ value`` are segment sums
    (:func:`numpy.bincount`) over factorised keys, so the cost is linear in the number of rows
    and there is no Python loop over assessments.  Regions (intra-regional g = 0) are not
    handled here; use :func:`geopolrisk` with ``region_members``.

    Examples
    --------
    Cobalt 2022: HHI = 0.8² + 0.15² + 0.05² = 0.665; g(COD) = (2.5 + 1.5)/5 = 0.8,
    g(IDN) = 0.6; the USA produces 5 t itself, so its import risk is
    (10·0.8 + 5·0.6) / (15 + 5) = 0.55.

    >>> import pandas as pd
    >>> production = pd.DataFrame({
    ...     "commodity_id": ["cobalt"] * 3, "year": [2022] * 3,
    ...     "country_iso3": ["COD", "IDN", "USA"], "value": [80.0, 15.0, 5.0]})
    >>> imports = pd.DataFrame({
    ...     "importer_iso3": ["USA", "USA", "DEU"], "exporter_iso3": ["COD", "IDN", "COD"],
    ...     "commodity_id": ["cobalt"] * 3, "year": [2022] * 3,
    ...     "quantity_t": [10.0, 5.0, 20.0]})
    >>> stability = pd.DataFrame({"country_iso3": ["COD", "IDN"], "year": [2022, 2022],
    ...                           "estimate": [-1.5, -0.5]})
    >>> geopolrisk_grid(production, imports, stability)[["hhi", "import_risk", "score"]].round(4)
    ... # doctest: +NORMALIZE_WHITESPACE
                                       hhi  import_risk   score
    importer_iso3 commodity_id year
    DEU           cobalt       2022  0.665         0.80  0.5320
    USA           cobalt       2022  0.665         0.55  0.3658
    """
    _require(production, "production", ["commodity_id", "year", "country_iso3", "value"])
    _require(
        imports,
        "imports",
        ["importer_iso3", "exporter_iso3", "commodity_id", "year", "quantity_t"],
    )
    _require(stability, "stability", ["country_iso3", "year", "estimate"])

    # ---- world production: HHI per commodity-year, domestic production per importer
    prod_keys = pd.MultiIndex.from_frame(production[["commodity_id", "year", "country_iso3"]])
    if prod_keys.has_duplicates:
        dup = production[prod_keys.duplicated(keep=False)].head(6)
        raise MethodError(
            f"production repeats commodity_id × year × country_iso3, e.g.\n{dup.to_string()}\n"
            "aggregate it first (one row per key)"
        )
    pvals = pd.to_numeric(production["value"], errors="raise").to_numpy(dtype=float)
    if (pvals < 0).any():
        bad = production[pvals < 0].head(5)
        raise MethodError(f"production has negative values, e.g.\n{bad.to_string()}")
    cy_codes, cy_found = pd.MultiIndex.from_frame(production[["commodity_id", "year"]]).factorize()
    cy_uniques = cast(pd.MultiIndex, cy_found)
    known = np.nan_to_num(pvals, nan=0.0)
    n_cy = len(cy_uniques)
    sum_p = np.bincount(cy_codes, weights=known, minlength=n_cy)
    sum_p2 = np.bincount(cy_codes, weights=known**2, minlength=n_cy)
    with np.errstate(divide="ignore", invalid="ignore"):
        hhi_cy = np.where(sum_p > 0, sum_p2 / sum_p**2, np.nan)

    # ---- imports: one segment per assessment (importer × commodity × year)
    qty = pd.to_numeric(imports["quantity_t"], errors="raise").to_numpy(dtype=float)
    if np.isnan(qty).any() or (qty < 0).any():
        bad = imports[np.isnan(qty) | (qty < 0)].head(5)
        raise MethodError(
            f"imports quantity_t must be >= 0 and not NaN, e.g.\n{bad.to_string()}\n"
            "(use 0 for no imports)"
        )
    trade_cols = ["importer_iso3", "exporter_iso3", "commodity_id", "year"]
    if imports.duplicated(trade_cols).any():
        dup = imports[imports.duplicated(trade_cols, keep=False)].head(6)
        raise MethodError(
            f"imports repeat importer × exporter × commodity × year, e.g.\n{dup.to_string()}\n"
            "aggregate them first"
        )
    # assessment codes in order of first appearance (column-wise hashing: no tuple index)
    a_cols = ["importer_iso3", "commodity_id", "year"]
    a_codes = imports.groupby(a_cols, sort=False, observed=True, dropna=False).ngroup().to_numpy()
    a_first = imports.loc[~imports.duplicated(a_cols), a_cols]
    a_uniques = pd.MultiIndex.from_frame(a_first)
    n_a = len(a_uniques)

    # ---- political (in)stability of each partner-year
    st_keys = pd.MultiIndex.from_frame(stability[["country_iso3", "year"]])
    if st_keys.has_duplicates:
        dup = stability[st_keys.duplicated(keep=False)].head(6)
        raise MethodError(f"stability repeats country_iso3 × year, e.g.\n{dup.to_string()}")
    st_est = pd.to_numeric(stability["estimate"], errors="raise").to_numpy(dtype=float)
    pos = (
        imports[["exporter_iso3", "year"]]
        .astype({"exporter_iso3": object})
        .merge(
            pd.DataFrame(
                {
                    "exporter_iso3": stability["country_iso3"].astype(object).to_numpy(),
                    "year": stability["year"].to_numpy(),
                    "_pos": np.arange(len(stability)),
                }
            ),
            on=["exporter_iso3", "year"],
            how="left",
        )["_pos"]
        .fillna(-1)
        .to_numpy(dtype=np.int64)
    )
    lacking = (pos < 0) & (qty > 0)
    if lacking.any():
        miss = imports.loc[lacking, ["exporter_iso3", "year"]].drop_duplicates()
        raise MethodError(
            f"no political-stability row for {len(miss)} partner-year(s), e.g. "
            f"{list(miss.head(10).itertuples(index=False, name=None))}; stability and "
            "imports are misaligned. Add them (estimate NaN gives the method's default g = 0.5)"
        )
    est = np.where(pos >= 0, st_est[np.clip(pos, 0, None)], np.nan)
    g = geopolrisk_stability(est, missing=GEOPOLRISK_MISSING_STABILITY)

    numerator = np.bincount(a_codes, weights=qty * g, minlength=n_a)
    total = np.bincount(a_codes, weights=qty, minlength=n_a)

    # ---- join: HHI of the assessment's commodity-year, domestic production of the importer
    a_frame = a_uniques.to_frame(index=False)
    a_frame.columns = ["importer_iso3", "commodity_id", "year"]
    cy_pos = _codes(cy_uniques, pd.MultiIndex.from_frame(a_frame[["commodity_id", "year"]]))
    hhi_a = np.where(cy_pos >= 0, hhi_cy[np.clip(cy_pos, 0, None)], np.nan)
    dom_pos = _codes(
        prod_keys,
        pd.MultiIndex.from_arrays(
            [a_frame["commodity_id"], a_frame["year"], a_frame["importer_iso3"]]
        ),
    )
    domestic = np.where(dom_pos >= 0, known[np.clip(dom_pos, 0, None)], 0.0)

    denominator = domestic + total
    with np.errstate(divide="ignore", invalid="ignore"):
        import_risk = np.where(denominator > 0, numerator / denominator, np.nan)
    score = hhi_a * import_risk

    if "value_kusd" in imports.columns:
        vals = pd.to_numeric(imports["value_kusd"], errors="raise").to_numpy(dtype=float)
        if (vals < 0).any():
            raise MethodError("imports value_kusd must be >= 0")
        value = np.bincount(a_codes, weights=np.nan_to_num(vals, nan=0.0), minlength=n_a)
        with np.errstate(divide="ignore", invalid="ignore"):
            price = np.where(total > 0, value / total, np.nan)
        cf = score * price / CF_COPPER
    else:
        price = cf = np.full(n_a, np.nan)

    out = pd.DataFrame(
        {
            "hhi": hhi_a,
            "numerator": numerator,
            "total_imports": total,
            "domestic_production": domestic,
            "import_risk": import_risk,
            "score": score,
            "price": price,
            "cf": cf,
        },
        index=a_uniques.set_names(["importer_iso3", "commodity_id", "year"]),
    )
    return out[_RESULT_COLUMNS].sort_index()
