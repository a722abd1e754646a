"""The functions jobs run (in worker processes): scenario ensembles and recovery runs.

Each takes ``(payload, progress)`` and returns a JSON-compatible summary: the same numbers
the Python API gives (:func:`critmin.scenarios.runner.run_scenario` and its tables,
:meth:`~critmin.scenarios.runner.ScenarioRun.who_fills`,
:meth:`critmin.circular.api.RecoveryRun.summary`, ...), cut to what a dashboard shows.
"""

from __future__ import annotations

import importlib
import io
import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from critmin.api_server._frames import dataset_info, records

__all__ = [
    "preset_list",
    "run_recovery",
    "run_scenario",
    "runner_module",
    "summarise_recovery",
    "summarise_run",
]

Progress = Callable[[float, str], None]

#: Importer x commodity pairs reported in full (fan chart and who fills the gap).
MAX_PAIRS = 12


# ============================================================================ scenarios
def runner_module(path: str) -> Any:
    """Import the scenario runner; raise NotImplementedError (HTTP 501) when it is missing."""
    try:
        return importlib.import_module(path)
    except ImportError as err:
        msg = (
            f"the scenario runner ({path}) is not part of this build ({err}); scenarios "
            "appear here once that module is installed."
        )
        raise NotImplementedError(msg) from None


def preset_list() -> list[dict[str, Any]]:
    """The shipped presets (:mod:`critmin.scenarios.presets`) as wire dicts."""
    from critmin.scenarios.presets import load_preset, preset_ids

    out = []
    for pid in preset_ids():
        p = load_preset(pid)
        out.append(
            {
                "name": p.id,
                "title": p.title,
                "description": p.notes,
                "source": _jsonable(p.source),
                "parameters": _jsonable(p.parameters),
                "unrepresented": dict(p.unrepresented),
                "spec": p.spec.to_dict() if p.spec is not None else {},
            }
        )
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (np.integer, np.floating)):
        return _jsonable(v.item())
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def summarise_run(run: Any, focus: list[str] | None = None) -> dict[str, Any]:
    """What the dashboard shows of a :class:`critmin.scenarios.runner.ScenarioRun`.

    Works from the run's tables, so a run loaded from the workspace summarises the same.

    Parameters
    ----------
    run : ScenarioRun
        A run (fresh or loaded).
    focus : list of str, optional
        Importers (ISO3) whose largest pair is always reported.

    Returns
    -------
    dict
        ``scenario`` (name, seed, draws, years, base year, preset and its T4 source),
        ``pairs`` (the importer x commodity pairs with the largest median shortfall summed
        over the horizon: per year P5/P50/P95 shortfall in t and % of apparent consumption
        -- the fan chart --, the mean tonnes from each partner, recycling, demand response,
        substitution, stockpile and the remaining shortfall -- :meth:`ScenarioRun.who_fills`
        --, and each supplier's base, cut and redirected flow in the peak year), ``top``
        (:meth:`ScenarioRun.summary`) and ``sources``.
    """
    meta = run.metadata
    spec = run.spec
    years = [int(y) for y in (meta.get("years") or spec.years)]
    st = run.tables["shortfall"]
    names = (
        st.drop_duplicates("commodity_id").set_index("commodity_id")["commodity"].to_dict()
        if "commodity" in st.columns
        else {}
    )
    pairs: list[tuple[str, str]] = []
    if not st.empty:
        tot = (
            st.groupby(["importer_iso3", "commodity_id"])["p50_t"]
            .sum()
            .sort_values(ascending=False, kind="stable")
        )
        pairs = [(str(a), str(b)) for a, b in tot.index[:MAX_PAIRS]]
        for iso in focus or []:
            sub = tot[tot.index.get_level_values(0) == iso]
            if not sub.empty and tuple(sub.index[0]) not in pairs:
                pairs.append((str(sub.index[0][0]), str(sub.index[0][1])))
    flows = run.tables.get("flows", pd.DataFrame())
    out_pairs = []
    for importer, commodity in pairs:
        rows = st[(st["importer_iso3"] == importer) & (st["commodity_id"] == commodity)]
        peak = int(rows.loc[rows["p50_t"].idxmax(), "year"]) if not rows.empty else years[0]
        rows = rows.set_index("year").reindex(years)
        fills = run.who_fills(importer, commodity)
        kinds = {}
        if "fills" in run.tables:
            f = run.tables["fills"]
            f = f[(f["importer_iso3"] == importer) & (f["commodity_id"] == commodity)]
            kinds = dict(zip(f["source"], f["kind"], strict=False))
        fl = (
            flows[
                (flows.get("importer_iso3") == importer)
                & (flows.get("commodity_id") == commodity)
                & (flows.get("year") == peak)
            ]
            if not flows.empty
            else flows
        )
        fl = fl.sort_values("base_t", ascending=False).head(15) if not fl.empty else fl
        cons = rows["consumption_t"].dropna()
        out_pairs.append(
            {
                "importer": importer,
                "commodity": commodity,
                "commodity_name": str(names.get(commodity, "")),
                "consumption_t": _num(cons.iloc[0]) if not cons.empty else None,
                "peak_year": peak,
                "fan": {
                    k: [(_num(v) or 0.0) for v in rows[k]]
                    for k in ("p5_t", "p50_t", "p95_t", "mean_t", "p5_pct", "p50_pct", "p95_pct")
                },
                "who_fills": [
                    {
                        "source": str(src),
                        "kind": str(kinds.get(src, "")),
                        "tonnes": [(_num(vals.get(y)) or 0.0) for y in years],
                        "total_t": _num(np.nansum(vals.to_numpy(dtype=float))),
                    }
                    for src, vals in fills.iterrows()
                    if np.nansum(np.abs(vals.to_numpy(dtype=float))) > 0
                ],
                "sectors": _pair_sectors(run, importer, commodity, peak),
                "flows": [
                    {
                        "exporter": str(r.exporter_iso3),
                        "base_t": _num(r.base_t),
                        "cut_mean_t": _num(r.cut_mean_t),
                        "redirected_mean_t": _num(r.redirected_mean_t),
                        "shocked_t": _num(r.shocked_t),
                    }
                    for r in fl.itertuples(index=False)
                ],
            }
        )
    net = meta.get("network") or {}
    baci = dataset_info("baci")
    keys = ("dataset", "title", "publisher", "edition", "licence", "url")
    sources = [
        {
            **{k: baci[k] for k in keys},
            "source_id": str(net.get("source", "")),
            "rows": "",
            "years": [int(meta.get("base_year", spec.base_year))],
        }
    ]
    preset = meta.get("preset") or {}
    src = preset.get("source") or {}
    if src.get("file"):
        t4 = dataset_info("usgs_mcs2026")
        sources.append(
            {
                **{k: t4[k] for k in keys},
                "source_id": str(src.get("file")),
                "rows": str(src.get("line", "")),
                "years": sorted({int(y) for y in (src.get("commodities") or {}).values()}),
            }
        )
    return {
        "scenario": {
            "name": spec.name,
            "description": spec.description,
            "seed": spec.seed,
            "draws": int(meta.get("n_draws") or spec.draws),
            "years": years,
            "base_year": int(meta.get("base_year", spec.base_year)),
            "countries": net.get("n_countries"),
            "commodities": net.get("n_commodities"),
            "preset": _jsonable(
                {k: preset.get(k) for k in ("id", "title", "parameters", "unrepresented")}
            ),
            "units": _jsonable(meta.get("units", {})),
            "quantiles": [0.05, 0.5, 0.95],
        },
        "pairs": out_pairs,
        "top": records(run.summary(top=15)),
        "sources": sources,
    }


def run_scenario(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Job: run a preset or spec.

    (:func:`critmin.scenarios.runner.run_scenario`), summarise it, save it on request.
    """
    mod = runner_module(payload.get("runner") or "critmin.scenarios.runner")

    def cb(stage: str, done: int, total: int) -> None:
        frac = done / max(total, 1)
        span = {"network": (0.0, 0.1), "simulate": (0.1, 0.9), "summarise": (0.9, 0.98)}
        lo, hi = span.get(stage, (0.0, 1.0))
        progress(lo + (hi - lo) * frac, f"{stage} {done}/{total}")

    source = payload.get("spec") or payload["preset"]
    run = mod.run_scenario(
        source,
        n_draws=payload.get("draws"),
        progress=cb,
        params=payload.get("params") or None,
    )
    out = summarise_run(run, payload.get("focus") or [])
    if payload.get("save_as"):
        mod.save(run, payload["save_as"], overwrite=True)
        out["saved_as"] = payload["save_as"]
    return out


# ============================================================================ recovery
def _parameters(payload: dict[str, Any]) -> pd.DataFrame:
    from critmin.errors import MethodError

    if payload.get("parameters") is not None:
        return pd.DataFrame(payload["parameters"])
    if payload.get("parameters_csv"):
        return pd.read_csv(io.StringIO(payload["parameters_csv"]), dtype={"element": str})
    msg = (
        "give parameters (rows) or parameters_csv: critmin ships no lifetimes, collection "
        "rates or recovery efficiencies (docs/recovery.md; `critmin recovery template`)"
    )
    raise MethodError(msg)


def summarise_recovery(run: Any) -> dict[str, Any]:
    """What the dashboard shows of a :class:`critmin.circular.api.RecoveryRun`."""
    res = run.result
    flows = res.to_frame(by=("element", "year"), variables=("eol", "recovered"))
    series = []
    for el, g in flows.groupby("element", sort=False):
        w = g.pivot_table(index="year", columns="variable", values="value", aggfunc="sum")
        series.append(
            {
                "element": str(el),
                "years": [int(y) for y in w.index],
                "eol_t": [float(v) for v in w.get("eol", pd.Series(0.0, index=w.index))],
                "recovered_t": [
                    float(v) for v in w.get("recovered", pd.Series(0.0, index=w.index))
                ],
            }
        )
    try:
        share = records(run.share_of_demand())
    except Exception:  # noqa: BLE001 - a run without demand has no shares
        share = []
    params = run.config.get("parameter_sources") or []
    info = dataset_info("iea_cmde_2024")
    return {
        "config": {
            k: v
            for k, v in run.config.items()
            if isinstance(v, (str, int, float, list, bool, type(None)))
        },
        "summary": records(run.summary()),
        "series": series,
        "share_of_demand": share,
        "violations": len(run.violations),
        "sources": [
            {
                **{
                    k: info[k]
                    for k in ("dataset", "title", "publisher", "edition", "licence", "url")
                },
                "source_id": "demand by technology and scenario (inflows, demand)",
                "rows": "",
                "years": [int(y) for y in res.years[:1]] + [int(y) for y in res.years[-1:]],
            }
        ],
        "parameter_sources": params,
    }


def run_recovery(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Job: a recovery run (:func:`critmin.circular.api.recovery_analysis`), saved on request."""
    from critmin.circular.api import recovery_analysis, save_recovery

    years = None
    if payload.get("first_year") is not None and payload.get("last_year") is not None:
        years = list(range(int(payload["first_year"]), int(payload["last_year"]) + 1))
    no_params = payload.get("parameters") is None and not payload.get("parameters_csv")
    if no_params and payload.get("collection") is None and payload.get("recovery") is None:
        return _run_default_recovery(payload, years, progress)
    params = _parameters(payload)
    progress(0.05, "parameters read")

    def cb(step: str, i: int, n: int) -> None:
        progress(0.05 + 0.9 * i / max(n, 1), step)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = recovery_analysis(
            params,
            "iea",
            scenario=payload.get("scenario") or "STEPS",
            region=payload.get("region") or "World",
            years=years,
            elements=payload.get("elements"),
            collection=payload.get("collection"),
            recovery=payload.get("recovery"),
            progress=cb,
        )
    if "source" in params.columns:
        run.config["parameter_sources"] = sorted({str(s) for s in params["source"].dropna()})[:20]
    out = summarise_recovery(run)
    if payload.get("save_as"):
        path = save_recovery(run, payload["save_as"])
        out["saved_as"] = payload["save_as"]
        out["saved_path"] = str(path)
    return out


def _pair_sectors(run: Any, importer: str, commodity: str, year: int) -> list[dict[str, Any]]:
    """Shortfall per strategic sector of one pair in its peak year (share x commodity)."""
    sec = run.tables.get("sectors")
    if sec is None or sec.empty:
        return []
    rows = sec[
        (sec["importer_iso3"] == importer)
        & (sec["commodity_id"] == commodity)
        & (sec["year"] == year)
    ].sort_values("p50_t", ascending=False)
    return [
        {
            "sector": str(r.sector),
            "share": _num(r.share),
            "p5_t": _num(r.p5_t),
            "p50_t": _num(r.p50_t),
            "p95_t": _num(r.p95_t),
        }
        for r in rows.itertuples(index=False)
    ]


def _run_default_recovery(
    payload: dict[str, Any], years: Any, progress: Progress
) -> dict[str, Any]:
    """Job without parameters: the shipped sourced defaults with P5/P50/P95 bands."""
    from critmin.circular.api import save_recovery
    from critmin.circular.uncertainty import default_recovery

    def cb(step: str, i: int, n: int) -> None:
        progress(0.05 + 0.9 * i / max(n, 1), step)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dr = default_recovery(
            payload.get("region") or "World",
            scenario=payload.get("scenario") or "STEPS",
            years=years or range(2023, 2041),
            progress=cb,
        )
    out = summarise_recovery(dr.run)
    out["bands"] = _jsonable(dr.summary().to_dict(orient="records"))
    out["regional_yield"] = _jsonable(dr.regional_yield().to_dict(orient="records"))
    out["left_out"] = _jsonable(dr.left_out.to_dict(orient="records"))
    out["parameters_basis"] = "critmin shipped sourced defaults (src/critmin/circular/defaults.csv)"
    if payload.get("save_as"):
        path = save_recovery(dr.run, payload["save_as"])
        out["saved_as"] = payload["save_as"]
        out["saved_path"] = str(path)
    return out
