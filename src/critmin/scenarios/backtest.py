"""Backtest the scenario engine on past export controls inside the BACI years.

For an event, the preset (e.g. ``indonesia_nickel_ore_2020``) is run on the network of
the year before the event, and the model's predicted change in the shocked exporter's
flows is compared with what BACI shows for the following years.  Definitions (also in
``docs/backtest.md``), for the shocked exporter ``e``, each HS code (and all the event's
codes together) and each year ``t`` after the base year ``B``:

* ``base_t = sum_j Q_B[e, j]``, ``observed_t = sum_j Q_t[e, j]`` [t, BACI].
* ``observed_change_pct = 100 * (observed_t - base_t) / base_t``.
* ``pred_p5/p50/p95_change_pct``: the same from the model, ``-100 * sum_j S_q[t, j] /
  base_t`` where ``S_q`` is the P95/P50/P5 shortfall (with no response switched on, the
  shortfall is the cut flow).  One cut applies to every flow of an event, so the sum of
  per-importer quantiles is the quantile of the sum.
* ``error_pp = pred_p50_change_pct - observed_change_pct`` [percentage points].
* ``inside_band``: the observed change lies in the model's P5-P95 band.
* Per importer, with ``d_obs[j] = Q_t[e, j] - Q_B[e, j]`` and ``d_pred[j] = -S_50[t, j]``:
  ``mae_share = sum_j |d_pred - d_obs| / base_t`` (0 = perfect), the same for the naive
  "nothing changes" forecast (``naive_mae_share = sum_j |d_obs| / base_t``),
  ``skill = 1 - mae_share / naive_mae_share`` (> 0: better than no change), and
  ``coverage``: the base-flow-weighted share of importers whose ``d_obs`` lies in the
  model's P5-P95 band.
* ``other_exporters_change_t``: the change in what the exporter's base-year customers
  imported from everyone else -- the replacement the model attributes to spare capacity
  (zero in the presets, which switch no response on).

Events: :data:`EVENTS`.  Gallium and germanium (China, 2023) have no rows in the BACI
extract for the base year (no gallium code; 811230 ends in 2016), so that event is
backtested on graphite, its third commodity, and, when the source file is present, on
China's reported exports of HS 811292 (unwrought gallium, germanium, indium, niobium,
rhenium, hafnium ... together) from UN Comtrade as aggregated in
``trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv`` (a supplementary,
China-reported series for 39 partners, not BACI).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import MethodError, ScenarioError
from critmin.scenarios.data import supplemented_codes, trade_frame, trade_years
from critmin.scenarios.presets import load_preset

__all__ = [
    "COMTRADE_FILE",
    "EVENTS",
    "BacktestEvent",
    "BacktestResult",
    "backtest",
    "backtest_all",
    "comtrade_china_exports",
    "headline",
]

logger = logging.getLogger(__name__)

#: The supplementary Comtrade file, relative to the source folder (``settings.source_dir``).
COMTRADE_FILE = "trade/comtrade_china_exports_qennis/deep_dive_hs6_monthly.csv"


@dataclass(frozen=True)
class BacktestEvent:
    """A past export control inside the BACI years.

    Attributes
    ----------
    id : str
        Event id.
    preset : str
        The preset simulating it.
    title : str
        One line.
    comtrade_hs6 : str, optional
        A code of the supplementary China-reported Comtrade series to check as well.
    """

    id: str
    preset: str
    title: str
    comtrade_hs6: str | None = None


#: Events backtested (both are presets).
EVENTS: dict[str, BacktestEvent] = {
    "indonesia_nickel_ore_2020": BacktestEvent(
        "indonesia_nickel_ore_2020",
        "indonesia_nickel_ore_2020",
        "Indonesia's nickel-ore export ban (2020)",
    ),
    "china_ga_ge_graphite_2023": BacktestEvent(
        "china_ga_ge_graphite_2023",
        "china_ga_ge_graphite_2023",
        "China's licensing of gallium, germanium and graphite (2023)",
        comtrade_hs6="811292",
    ),
}


@dataclass
class BacktestResult:
    """Predicted against observed flows for one event.

    Attributes
    ----------
    event : BacktestEvent
    yearly : pandas.DataFrame
        Per year and code (``hs6 = 'all'`` for the event's codes together):
        ``source, year, hs6, exporter_iso3, base_t, observed_t, observed_change_pct,
        pred_p5_change_pct, pred_p50_change_pct, pred_p95_change_pct, error_pp,
        inside_band, mae_share, naive_mae_share, skill, coverage,
        other_exporters_change_t``.
    importers : pandas.DataFrame
        Per year, code and importer: ``source, year, hs6, importer_iso3, base_t,
        observed_t, pred_p5_t, pred_p50_t, pred_p95_t`` [t].
    notes : list of str
        What could not be backtested and why.
    parameters : dict
        The preset's parameter values, draws and seed.
    """

    event: BacktestEvent
    yearly: pd.DataFrame
    importers: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


def _compare(
    source: str,
    exporter: str,
    codes: list[str],
    base: pd.DataFrame,
    observed: pd.DataFrame,
    pred: pd.DataFrame,
    years: list[int],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare observed and predicted exporter flows.

    `base`/`observed`: ``year, exporter_iso3, importer_iso3, commodity_id, quantity_t``
    (all exporters, to measure replacement); `pred`: ``year, importer_iso3,
    commodity_id, p5_t, p50_t, p95_t`` shortfall quantiles (the cut flows).
    """
    rows, imp_rows = [], []
    for year in years:
        for code in [*codes, "all"] if len(codes) > 1 else codes:
            sel = codes if code == "all" else [code]
            b_all = base[base["commodity_id"].isin(sel)]
            o_all = observed[(observed["year"] == year) & observed["commodity_id"].isin(sel)]
            b = (
                b_all[b_all["exporter_iso3"] == exporter]
                .groupby("importer_iso3")["quantity_t"]
                .sum()
            )
            o = (
                o_all[o_all["exporter_iso3"] == exporter]
                .groupby("importer_iso3")["quantity_t"]
                .sum()
            )
            p = (
                pred[(pred["year"] == year) & pred["commodity_id"].isin(sel)]
                .groupby("importer_iso3")[["p5_t", "p50_t", "p95_t"]]
                .sum()
            )
            js = sorted(set(b.index) | set(o.index) | set(p.index))
            b, o, p = (
                b.reindex(js, fill_value=0.0),
                o.reindex(js, fill_value=0.0),
                p.reindex(js, fill_value=0.0),
            )
            base_t = float(b.sum())
            if base_t <= 0:
                continue
            d_obs = (o - b).to_numpy()
            d50, lo, hi = -p["p50_t"].to_numpy(), -p["p95_t"].to_numpy(), -p["p5_t"].to_numpy()
            mae = float(np.abs(d50 - d_obs).sum()) / base_t
            naive = float(np.abs(d_obs).sum()) / base_t
            inside_j = (d_obs >= lo - 1e-9) & (d_obs <= hi + 1e-9)
            customers = list(b[b > 0].index)
            other_b = b_all[
                b_all["importer_iso3"].isin(customers) & (b_all["exporter_iso3"] != exporter)
            ]
            other_o = o_all[
                o_all["importer_iso3"].isin(customers) & (o_all["exporter_iso3"] != exporter)
            ]
            obs_pct = 100.0 * (float(o.sum()) - base_t) / base_t
            q = {
                k: -100.0 * float(p[c].sum()) / base_t
                for k, c in (("p5", "p95_t"), ("p50", "p50_t"), ("p95", "p5_t"))
            }
            rows.append(
                {
                    "source": source,
                    "year": int(year),
                    "hs6": code,
                    "exporter_iso3": exporter,
                    "base_t": base_t,
                    "observed_t": float(o.sum()),
                    "observed_change_pct": obs_pct,
                    "pred_p5_change_pct": q["p5"],
                    "pred_p50_change_pct": q["p50"],
                    "pred_p95_change_pct": q["p95"],
                    "error_pp": q["p50"] - obs_pct,
                    "inside_band": bool(q["p5"] - 1e-9 <= obs_pct <= q["p95"] + 1e-9),
                    "mae_share": mae,
                    "naive_mae_share": naive,
                    "skill": 1.0 - mae / naive if naive > 0 else np.nan,
                    "coverage": float((b.to_numpy() * inside_j).sum()) / base_t,
                    "other_exporters_change_t": float(other_o["quantity_t"].sum())
                    - float(other_b["quantity_t"].sum()),
                }
            )
            if code != "all":
                imp_rows.append(
                    pd.DataFrame(
                        {
                            "source": source,
                            "year": int(year),
                            "hs6": code,
                            "importer_iso3": js,
                            "base_t": b.to_numpy(),
                            "observed_t": o.to_numpy(),
                            "pred_p5_t": (b - p["p95_t"]).to_numpy(),
                            "pred_p50_t": (b - p["p50_t"]).to_numpy(),
                            "pred_p95_t": (b - p["p5_t"]).to_numpy(),
                        }
                    )
                )
    yearly = pd.DataFrame(rows)
    imps = pd.concat(imp_rows, ignore_index=True) if imp_rows else pd.DataFrame()
    return yearly, imps


def comtrade_china_exports(path: str | Path, hs6: str) -> pd.DataFrame:
    """China's reported exports of one HS6 code per partner and year (supplementary source).

    Reads the monthly table ``period_dt, partner_name, hs6, val, qty, uv`` (qty in kg)
    and sums it per year; partner names become ISO3 codes through the catalog.

    Returns
    -------
    pandas.DataFrame
        ``year, exporter_iso3 ('CHN'), importer_iso3, commodity_id, quantity_t`` [t].
    """
    from critmin.catalog import to_iso3

    df = pd.read_csv(path, dtype={"hs6": str})
    df = df[df["hs6"] == str(hs6)]
    if df.empty:
        msg = f"{path}: no rows for HS {hs6}"
        raise MethodError(msg)
    df = df.assign(
        year=pd.to_datetime(df["period_dt"]).dt.year.astype(int),
        importer_iso3=to_iso3(df["partner_name"]).to_numpy(),
        quantity_t=pd.to_numeric(df["qty"], errors="coerce") / 1000.0,
    )
    bad = sorted(set(df.loc[df["importer_iso3"].isna(), "partner_name"]))
    if bad:
        logger.warning("Comtrade partners without an ISO3 code dropped: %s", bad)
    df = df[df["importer_iso3"].notna()]
    out = df.groupby(["year", "importer_iso3"], as_index=False)["quantity_t"].sum()
    out.insert(1, "exporter_iso3", "CHN")
    out["commodity_id"] = str(hs6)
    return out[["year", "exporter_iso3", "importer_iso3", "commodity_id", "quantity_t"]]


def _pred_table(res: Any, codes: list[str]) -> pd.DataFrame:
    if not np.allclose(res.means["lost"], res.means["shortfall"]):
        msg = "backtest needs a scenario with no response switched on (shortfall = cut flows)"
        raise ScenarioError(msg)
    t = res.shortfall_table(nonzero=False)
    return t[t["commodity_id"].isin(codes)][
        ["year", "importer_iso3", "commodity_id", "p5_t", "p50_t", "p95_t"]
    ]


def backtest(
    event: str,
    *,
    n_draws: int = 2000,
    seed: int | None = None,
    params: Mapping[str, Any] | None = None,
    base_year: int | None = None,
    comtrade_path: str | Path | None = None,
) -> BacktestResult:
    """Backtest one event: the model's predicted change in flows against BACI.

    Parameters
    ----------
    event : str
        A key of :data:`EVENTS`.
    n_draws : int
        Draws of the ensemble.
    seed : int, optional
        Overrides the preset's seed.
    params : mapping, optional
        Preset parameters (e.g. ``{"cut": 0.3}`` to test a smaller cut).
    base_year : int, optional
        Another base year (before the event) for the network and the comparison.
    comtrade_path : str or Path, optional
        The supplementary Comtrade file; default ``settings.source_dir /``
        :data:`COMTRADE_FILE` when it exists.

    Returns
    -------
    BacktestResult

    Raises
    ------
    ScenarioError
        Unknown event (the message lists them).
    """
    from critmin.scenarios.runner import run_scenario

    if event not in EVENTS:
        msg = f"unknown backtest event {event!r}; fix: use one of {', '.join(EVENTS)}"
        raise ScenarioError(msg)
    ev = EVENTS[event]
    preset = load_preset(ev.preset, params)
    spec = preset.spec
    assert spec is not None
    if base_year is not None:
        from critmin.scenarios.spec import load_spec

        spec = load_spec({**spec.to_dict(), "base_year": int(base_year)})
        preset = dataclasses.replace(preset, spec=spec)
    last = trade_years()[-1]
    years = [y for y in spec.years if y <= last]
    codes = sorted({c for s in spec.shocks for c in s.commodities})
    exporter = spec.shocks[0].country
    # no response, not even recycling: the backtest compares the cut flows themselves
    run = run_scenario(
        preset, n_draws=n_draws, seed=seed, commodities=codes, sector_shares=None, recycling=None
    )
    assert run.result is not None
    # codes BACI lacks (China's Comtrade exports stand in) are not compared with BACI
    sup = set(supplemented_codes(spec.base_year, codes))
    codes = [c for c in codes if c not in sup]
    pred = _pred_table(run.result, codes)
    base = trade_frame(spec.base_year, codes)
    observed = pd.concat([trade_frame(y, codes) for y in years], ignore_index=True)
    yearly, imps = _compare("BACI", exporter, codes, base, observed, pred, years)
    notes = [f"{cid}: {why}" for cid, why in preset.unrepresented.items()]
    if ev.comtrade_hs6:
        extra = _comtrade_check(ev, preset, n_draws, seed, comtrade_path, notes)
        if extra is not None:
            yearly = pd.concat([yearly, extra[0]], ignore_index=True)
            imps = pd.concat([imps, extra[1]], ignore_index=True)
    return BacktestResult(
        event=ev,
        yearly=yearly,
        importers=imps,
        notes=notes,
        parameters={
            **preset.values,
            "base_year": spec.base_year,
            "n_draws": run.metadata["n_draws"],
            "seed": run.metadata["seed"],
        },
    )


def _comtrade_check(
    ev: BacktestEvent,
    preset: Any,
    n_draws: int,
    seed: int | None,
    path: str | Path | None,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    from critmin.scenarios.ensemble import run_ensemble
    from critmin.scenarios.network import Network
    from critmin.scenarios.spec import load_spec
    from critmin.settings import get_settings

    file = Path(path) if path is not None else get_settings().source_dir / COMTRADE_FILE
    if not file.is_file():
        notes.append(f"supplementary Comtrade check skipped: {file} not found")
        return None
    code = str(ev.comtrade_hs6)
    flows = comtrade_china_exports(file, code)
    spec = preset.spec
    base_year = spec.base_year
    years = [y for y in spec.years if y in set(flows["year"])]
    base = flows[flows["year"] == base_year]
    if base.empty or not years:
        notes.append(f"supplementary Comtrade check skipped: no {code} rows for {base_year}")
        return None
    prod = base.groupby("exporter_iso3", as_index=False)["quantity_t"].sum()
    prod = prod.rename(columns={"exporter_iso3": "country_iso3", "quantity_t": "value"})
    prod["commodity_id"], prod["stage"] = code, "refined"
    net = Network.from_frames(base, prod, year=base_year)
    data = spec.to_dict()
    shock = {**data["shocks"][0], "commodities": [code]}
    data["shocks"] = [shock]
    if seed is not None:
        data["seed"] = int(seed)
    res = run_ensemble(load_spec(data), net, n_draws=n_draws)
    pred = _pred_table(res, [code])
    yearly, imps = _compare(
        f"Comtrade {code} (China-reported)", "CHN", [code], base, flows, pred, years
    )
    yearly = yearly[yearly["hs6"] != "all"]
    notes.append(
        f"supplementary: HS {code} mixes unwrought gallium, germanium, indium, niobium, "
        "rhenium, hafnium and others; China-reported UN Comtrade for 39 partners "
        f"({COMTRADE_FILE}), not BACI"
    )
    return yearly, imps


def backtest_all(**kwargs: Any) -> dict[str, BacktestResult]:
    """Run :func:`backtest` for every event of :data:`EVENTS`."""
    return {eid: backtest(eid, **kwargs) for eid in EVENTS}


def headline(results: Mapping[str, BacktestResult]) -> pd.DataFrame:
    """One row per event, source, code and year: the numbers ``docs/backtest.md`` reports.

    Returns
    -------
    pandas.DataFrame
        ``event, source, hs6, year, observed_change_pct, pred_p50_change_pct,
        pred_p5_change_pct, pred_p95_change_pct, error_pp, inside_band, mae_share,
        naive_mae_share, skill, coverage``.
    """
    cols = [
        "source",
        "hs6",
        "year",
        "observed_change_pct",
        "pred_p50_change_pct",
        "pred_p5_change_pct",
        "pred_p95_change_pct",
        "error_pp",
        "inside_band",
        "mae_share",
        "naive_mae_share",
        "skill",
        "coverage",
    ]
    parts = [r.yearly[cols].assign(event=eid) for eid, r in results.items() if len(r.yearly)]
    out = pd.concat(parts, ignore_index=True)
    return out[["event", *cols]]
