"""A supply brief on one mineral for one country: HTML (interactive charts) or PDF.

``critmin brief lithium --country IND -o brief.html`` writes a self-contained HTML file
(plotly.js and the world map's geometry inlined: it opens with no network); ``-o brief.pdf``
prints the same page to PDF with headless Chromium (Debian package ``chromium``).

The brief is 2-4 pages: the key figures (world production and its largest producers per
stage, concentration, reserves, the shares of TRUST, the Quad and the MSP, the country's
imports by partner and import dependence, export controls, the mineral's place in the
country's supply-risk ranking), four charts, and a table of every source used (dataset,
edition, file and lines).  Each figure comes from the Python API
(:func:`critmin.production`, :func:`critmin.reserves`, :func:`critmin.trade`, ...) and the
assessments (:mod:`critmin.assessments`); a part whose module is missing is listed as not
available rather than failing the brief.

Examples
--------
>>> from critmin.report.brief import write_brief
>>> write_brief("lithium", "IND", "brief.html")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.errors import CritminError

__all__ = ["CHROMIUM", "Brief", "build_brief", "render_html", "write_brief", "write_pdf"]

logger = logging.getLogger(__name__)

#: Where the PDF renderer looks for Chromium (``CRITMIN_CHROMIUM`` overrides).
CHROMIUM = "/usr/bin/chromium"
#: Browser commands also looked up on ``PATH`` (Debian, Ubuntu, Google Chrome).
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=20000",
)
_AGG = ("WLD", "ROW")
_BLOCS = ("TRUST", "QUAD", "MSP")


@dataclass
class Brief:
    """The content of a brief: facts (text), figures (plotly) and sources.

    Attributes
    ----------
    commodity, country : str
        Commodity id and ISO3 code.
    title : str
        Title line.
    facts : list of (str, str)
        Heading and sentence(s) of each key figure.
    figures : list of (str, plotly Figure, str)
        Title, figure and its source note.
    sources : list of dict
        Dataset, title, edition, file and lines of every figure used.
    missing : list of str
        Parts not available in this build (or without data), with the reason.
    """

    commodity: str
    country: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    figures: list[tuple[str, Any, str]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _pct(x: float | None) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{100 * float(x):.0f}%"


def _num(x: float | None) -> str:
    if x is None or pd.isna(x):
        return "n/a"
    x = float(x)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def _year(v: object) -> str:
    """A year as people write it: ``2024``, never ``2,024`` or ``2024.0`` (text kept as is)."""
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "" if v is None else str(v)
    return str(int(f)) if f == f and f.is_integer() else ""


def _refs(df: pd.DataFrame, what: str, default_dataset: str | None = None) -> list[dict[str, Any]]:
    from critmin.api_server._frames import source_refs

    return [{**r, "what": what} for r in source_refs(df, default_dataset=default_dataset)]


def _main_table(df: pd.DataFrame) -> pd.DataFrame:
    """The latest year's main world table (stated world total or >= 3 countries, largest)."""
    d = df[~df["flag"].fillna("").str.contains("projection")]
    if d.empty:
        return d
    key = ["year", "dataset", "series", "unit", "basis"]
    best = None
    for k, g in d.groupby(key, dropna=False, sort=True):
        world = g[g["country_iso3"] == "WLD"]["value"]
        n = (~g["country_iso3"].isin(_AGG) & g["value"].notna()).sum()
        if world.empty and n < 3:
            continue
        total = float(world.iloc[0]) if not world.empty else float(g["value"].sum())
        score = (k[0], total)
        if best is None or score > best[0]:
            best = (score, g)
    return best[1] if best is not None else d.iloc[0:0]


def _stage_fact(b: Brief, cid: str, stage: str, source: str) -> pd.DataFrame:
    import critmin

    df = critmin.production(cid, stage=stage, source=source)
    t = _main_table(df)
    if t.empty:
        return t
    cty = t[~t["country_iso3"].isin(_AGG)].sort_values("value", ascending=False)
    world = t[t["country_iso3"] == "WLD"]
    unit = f"{t['unit'].iloc[0]} {t['basis'].iloc[0] or ''}".strip()
    total = float(world["value"].iloc[0]) if not world.empty else float(cty["value"].sum())
    top = ", ".join(
        f"{r.country} {_pct(r.share)}" for r in cty.head(3).itertuples() if pd.notna(r.value)
    )
    year = int(t["year"].iloc[0])
    ds = t["dataset"].iloc[0]
    b.facts.append(
        (
            f"{stage.capitalize()} production {year}",
            f"World {_num(total)} {unit}{'' if not world.empty else ' (sum of countries)'}; "
            f"largest: {top} ({ds}).",
        )
    )
    b.sources += _refs(t, f"{stage} production {year}")
    return t


def build_brief(commodity: str, country: str = "IND") -> Brief:
    """Collect the facts, figures and sources of a brief.

    Parameters
    ----------
    commodity : str
        Commodity name, alias or element.
    country : str
        The country the brief is for (ISO3 or name), default India.

    Returns
    -------
    Brief

    Raises
    ------
    UnknownCommodity, UnknownCountry
        For names that do not resolve.
    """
    import plotly.graph_objects as go

    import critmin
    from critmin import catalog

    cid = catalog.resolve_commodity(commodity)
    iso = catalog.resolve_country(country)
    info = catalog.commodities().set_index("commodity_id").loc[cid]
    cname, kname = str(info["name"]), catalog.country_name(iso)
    b = Brief(cid, iso, f"{cname}: supply brief for {kname}")
    lists = [
        lbl
        for col, lbl in (
            ("on_us_2025_list", "US critical minerals 2025"),
            ("on_eu_2023_list", "EU CRM 2023"),
            ("on_india_2023_list", "India critical minerals 2023"),
        )
        if bool(info.get(col) or False)
    ]
    b.facts.append(("Critical lists", ", ".join(lists) if lists else "on none of the lists"))

    # ---- production per stage, map of the mine stage
    mine = _stage_fact(b, cid, "mine", "usgs")
    if mine.empty:
        mine = _stage_fact(b, cid, "mine", "wmd")
    ref = _stage_fact(b, cid, "refinery", "usgs")
    if ref.empty:
        ref = _stage_fact(b, cid, "refinery", "iea")
    shown = mine if not mine.empty else ref
    if not shown.empty:
        c = shown[~shown["country_iso3"].isin(_AGG) & shown["share"].notna()]
        year, stage = int(shown["year"].iloc[0]), str(shown["stage"].iloc[0])
        fig = go.Figure(
            go.Choropleth(
                locations=c["country_iso3"],
                z=100 * c["share"],
                locationmode="ISO-3",
                colorscale="YlOrRd",  # the largest producers darkest
                zmin=0,
                colorbar={"title": {"text": "% of world"}, "thickness": 10},
                text=c["country"],
                hovertemplate="%{text}: %{z:.1f}%<extra></extra>",
            )
        )
        fig.update_layout(
            # the whole world, centred on Greenwich: plotly otherwise fits the view to the
            # producers and can cut Africa and Europe off (cobalt: DRC at the edge)
            geo={
                "projection": {"type": "natural earth", "rotation": {"lon": 0}},
                "lonaxis": {"range": [-180, 180]},
                "lataxis": {"range": [-58, 85]},
                "showframe": False,
                "fitbounds": False,
                "showland": True,
                "landcolor": "#ececec",  # countries without production: grey, not palest yellow
            },
            margin={"l": 0, "r": 0, "t": 10, "b": 0},
            height=300,
        )
        b.figures.append(
            (
                f"{cname}: {stage} production {year}, share of world",
                fig,
                f"{shown['dataset'].iloc[0]}, {shown['source_id'].iloc[0]} lines "
                f"{int(shown['source_row'].min())}-{int(shown['source_row'].max())}",
            )
        )
    else:
        b.missing.append("production by country: none in the dataset for this commodity")

    # ---- concentration
    try:
        from critmin.assessments.concentration import concentration

        parts = []
        for src in ("usgs", "wmd", "iea"):  # IEA: its historical year (never a projection)
            try:
                parts.append(concentration(cid, source=src))
            except CritminError:
                continue
        conc = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if not conc.empty:
            fig = go.Figure()
            for (stage, src), g in conc.groupby(["stage", "source"]):
                fig.add_trace(
                    go.Scatter(
                        x=g["year"],
                        y=g["hhi_points"],
                        mode="lines+markers",
                        name=f"{stage} ({src})",
                    )
                )
                last = g.sort_values("year").iloc[-1]
                b.facts.append(
                    (
                        f"Concentration, {stage} ({src.upper()}) {int(last['year'])}",
                        f"HHI {_num(last['hhi_points'])} (0-10,000; above 1,800 is highly "
                        f"concentrated); top producer {catalog.country_name(last['top1_country'])} "
                        f"{_pct(last['top1_share'])}, top three {_pct(last['top3_share'])}"
                        + (
                            f"; 'Rest of world' left out (HHI up to "
                            f"{_num(last['hhi_points_upper'])} if it were one producer)."
                            if src == "iea"
                            else "."
                        ),
                    )
                )
            fig.add_hline(y=1800, line_dash="dot", line_color="#888")
            fig.update_layout(
                yaxis_title="HHI", height=260, margin={"l": 50, "r": 10, "t": 10, "b": 30}
            )
            fig.update_xaxes(tickformat="d", hoverformat="d", dtick=1)  # 2024, not 2,024 or 2k
            b.figures.append(
                (
                    "Concentration by stage (HHI)",
                    fig,
                    "critmin.assessments.concentration; " + ", ".join(sorted(set(conc["dataset"]))),
                )
            )
            b.sources += [{**r, "what": "concentration"} for r in _refs(conc, "concentration")]
    except ImportError as err:
        b.missing.append(f"concentration: {err}")

    # ---- reserves
    res = _main_table(critmin.reserves(cid))
    if not res.empty:
        world = res[res["country_iso3"] == "WLD"]
        cty = res[~res["country_iso3"].isin(_AGG)].sort_values("value", ascending=False)
        unit = f"{res['unit'].iloc[0]} {res['basis'].iloc[0] or ''}".strip()
        text = (
            f"World {_num(world['value'].iloc[0]) if not world.empty else 'n/a'} {unit}; largest: "
            + ", ".join(f"{r.country} {_pct(r.share)}" for r in cty.head(3).itertuples())
        )
        if not mine.empty and not world.empty:
            wm = mine[mine["country_iso3"] == "WLD"]
            if not wm.empty and wm["unit"].iloc[0] == res["unit"].iloc[0] and wm["value"].iloc[0]:
                text += f"; about {float(world['value'].iloc[0]) / float(wm['value'].iloc[0]):,.0f} years of current mine production"
        b.facts.append((f"Reserves {int(res['year'].iloc[0])}", text + "."))
        b.sources += _refs(res, "reserves")

    # ---- blocs
    try:
        from critmin.assessments.concentration import bloc_supply

        rows = []
        for g in _BLOCS:
            try:
                bs = bloc_supply(cid, g, stage="mine")
            except CritminError:
                continue
            last = bs.sort_values("year").iloc[-1]
            held = str(last.get("members_withheld") or "")  # "W": the share is a lower bound
            share = _pct(float(last["bloc_share"])) + (f" + {held} withheld" if held else "")
            rows.append((g, share, int(last["year"]), last["dataset"]))
        if rows:
            lower = any("withheld" in s for _, s, _, _ in rows)
            b.facts.append(
                (
                    "Partner blocs' share of world mine production",
                    "; ".join(f"{g} {s} ({y}, {d})" for g, s, y, d in rows)
                    + ". TRUST = India + United States."
                    + (
                        " '+ X withheld': the source withholds X's figure (W), so the share "
                        "is a lower bound."
                        if lower
                        else ""
                    ),
                )
            )
    except ImportError as err:
        b.missing.append(f"bloc shares: {err}")

    # ---- the country's imports
    tr = critmin.trade(cid, importer=iso)
    if not tr.empty:
        y = int(tr["year"].max())
        t = tr[tr["year"] == y]
        by = t.groupby("exporter_iso3")["value_kusd"].sum().sort_values(ascending=False)
        tot = float(by.sum())
        top = by.head(8)
        b.facts.append(
            (
                f"{kname}'s imports {y} (BACI, HS {', '.join(sorted(set(t['hs6'])))})",
                f"{_num(tot)} thousand USD; from "
                + ", ".join(
                    f"{catalog.country_name(k)} {_pct(v / tot if tot else None)}"
                    for k, v in top.head(4).items()
                )
                + ".",
            )
        )
        fig = go.Figure(
            go.Bar(
                x=top.values[::-1],
                y=[catalog.country_name(k) for k in top.index[::-1]],
                orientation="h",
                marker_color="#41ab5d",
            )
        )
        fig.update_layout(
            xaxis_title="thousand USD", height=260, margin={"l": 120, "r": 10, "t": 10, "b": 40}
        )
        b.figures.append(
            (f"{kname}'s imports of {cname.lower()} by partner, {y}", fig, f"CEPII BACI {y}")
        )
        b.sources += _refs(t, f"{kname} imports {y}", default_dataset="baci")
    else:
        b.missing.append(f"{kname}'s imports: no BACI flows of the commodity's HS6 codes")
    try:
        from critmin.assessments.reliance import import_dependence

        dep = import_dependence(
            iso, year=int(tr["year"].max()) if not tr.empty else None, hs6=catalog.hs6_codes(cid)
        )
        if not dep.empty:
            b.facts.append(
                (
                    f"Import dependence {int(dep['year'].max())}",
                    "; ".join(
                        f"HS {r.hs6}: {_pct(r.import_dependence)} ({r.indicator.replace('_', ' ')}), "
                        f"largest supplier {catalog.country_name(r.top_partner) if isinstance(r.top_partner, str) else 'n/a'} "
                        f"{_pct(r.top_partner_share)}"
                        for r in dep.itertuples()
                    )
                    + " (critmin.assessments.reliance).",
                )
            )
    except ImportError as err:
        b.missing.append(f"import dependence: {err}")
    except CritminError as err:
        b.missing.append(f"import dependence: {err}")

    # ---- export controls, U.S. reliance
    ec = critmin.export_controls(commodity=cid)
    b.facts.append(
        (
            "Export controls in force (USGS MCS 2026 T4)",
            "; ".join(
                f"{r.country_source}: {str(r.control_type).lower()} ({r.commodity_source}, {_year(r.year_imposed)})"
                for r in ec.itertuples()
            )
            if not ec.empty
            else "none listed",
        )
    )
    if not ec.empty:
        b.sources += _refs(ec.assign(dataset="usgs_mcs2026"), "export controls")
    imp = critmin.import_sources(cid)
    if not imp.empty:
        ed = imp["edition"].max()
        i = imp[imp["edition"] == ed]
        nir = i["nir_pct"].dropna()
        b.facts.append(
            (
                f"U.S. import sources {i['period'].iloc[0]} ({ed})",
                ", ".join(
                    f"{r.country_source} {r.share_pct:g}%"
                    for r in i.itertuples()
                    if pd.notna(r.share_pct)
                )
                + (f"; U.S. net import reliance {nir.iloc[0]:g}%" if not nir.empty else ""),
            )
        )
        b.sources += _refs(i.assign(dataset="usgs_mcs" + str(ed)[-4:]), "U.S. import sources")

    # ---- risk ranking
    try:
        from critmin.assessments.risk import risk

        rk = risk(country=iso)
        row = rk[rk["commodity_id"] == cid]
        top5 = ", ".join(f"{r.rank}. {r.mineral}" for r in rk.head(5).itertuples())
        if row.empty:
            text = f"{cname} is not among the {len(rk)} minerals ranked; the riskiest: {top5}."
        else:
            r = row.iloc[0]
            text = (
                f"{cname} ranks {int(r['rank'])} of {len(rk)} (score {float(r['score']):.2f}; "
                f"driver: {r['driver'] or 'n/a'}); the riskiest: {top5}."
            )
        b.facts.append(
            (f"Supply-risk ranking for {kname} {_year(rk.attrs.get('year'))}".strip(), text)
        )
    except ImportError as err:
        b.missing.append(f"risk ranking: {err}")
    except CritminError as err:
        b.missing.append(f"risk ranking: {err}")

    # ---- resilience plan (critmin.plan): least-risk import mix and frontier
    try:
        from critmin.report.plan_section import add_plan_section

        add_plan_section(b)
    except ImportError as err:
        b.missing.append(f"resilience plan: {err}")
    return b


_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 1px solid #ccc; break-after: avoid; }
.meta { color: #5b6370; font-size: 9pt; }
dl.facts { display: grid; grid-template-columns: 52mm 1fr; gap: 1.2mm 4mm; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
figure { margin: 3mm 0; break-inside: avoid; }
figcaption { color: #5b6370; font-size: 8.5pt; }
figure h3 { font-size: 10.5pt; margin: 0 0 1mm; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
th, td { border-bottom: 1px solid #ddd; padding: 1mm; text-align: left; vertical-align: top; }
td code { font-size: 7.5pt; word-break: break-all; }
.missing { color: #8a6d3b; font-size: 9pt; }
"""


def _topojson() -> str:
    p = Path(__file__).resolve().parent.parent / "web" / "vendor" / "world_110m.json"
    return p.read_text(encoding="utf-8")


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (plotly.js and map geometry inlined)."""
    import critmin
    from critmin.api_server.app import plotly_js_path
    from critmin.store import get_store

    e = html.escape
    built = get_store().manifest.get("built_at", "?")
    facts = "".join(f"<dt>{e(h)}</dt><dd>{e(t)}</dd>" for h, t in brief.facts)
    figs = []
    config = {"displaylogo": False, "displayModeBar": False, "topojsonURL": "./"}
    for i, (title, fig, note) in enumerate(brief.figures):
        fig.update_layout(font={"size": 10}, template="simple_white", width=660)
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig{i}", config=config)
        # the first chart carries the section heading: a heading never ends a page alone
        head = "<h2>Charts</h2>" if i == 0 else ""
        figs.append(
            f"<figure>{head}<h3>{e(title)}</h3>{div}"
            f"<figcaption>Source: {e(note)}</figcaption></figure>"
        )
    seen = set()
    src_rows = []
    for s in brief.sources:
        key = (s["dataset"], s["source_id"], s["rows"], s.get("what"))
        if key in seen:
            continue
        seen.add(key)
        years = s.get("years") or []
        yr = (
            f"{_year(min(years))}-{_year(max(years))}"
            if len(years) > 1
            else (_year(years[0]) if years else "")
        )
        src_rows.append(
            f"<tr><td>{e(s.get('what', ''))}</td><td>{e(s['title'])}, {e(s['edition'])} "
            f"(<code>{e(s['dataset'])}</code>)</td><td><code>{e(s['source_id'])}</code></td>"
            f"<td>{e(s['rows'])}</td><td>{e(yr)}</td></tr>"
        )
    missing = (
        "<p class='missing'>Not in this brief: " + "; ".join(e(m) for m in brief.missing) + "</p>"
        if brief.missing
        else ""
    )
    today = dt.date.today().isoformat()
    plotly_js = plotly_js_path().read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(brief.title)}</title>
<style>{_CSS}</style>
<script>window.PlotlyGeoAssets = {{topojson: {{world_110m: {_topojson()}}}}};</script>
<script>{plotly_js}</script>
</head><body>
<h1>{e(brief.title)}</h1>
<p class="meta">critmin {e(critmin.__version__)} · {today} · dataset built {e(str(built))} ·
every figure below names its source; the table at the end gives the file and lines.</p>
<h2>Key figures</h2>
<dl class="facts">{facts}</dl>
{missing}
{"".join(figs)}
<h2>Sources</h2>
<table><thead><tr><th>figure</th><th>dataset, edition</th><th>file</th><th>lines</th><th>data years</th></tr></thead>
<tbody>{"".join(src_rows)}</tbody></table>
</body></html>
"""


def _chromium() -> str:
    exe = os.environ.get("CRITMIN_CHROMIUM") or CHROMIUM
    if Path(exe).is_file():
        return exe
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    msg = (
        f"a PDF brief needs headless Chromium, found neither {exe} nor {', '.join(_BROWSERS)} "
        "on PATH; fix: `apt-get install chromium` (Debian/Ubuntu; or set CRITMIN_CHROMIUM to "
        "a Chrome/Chromium binary), or write HTML instead: -o brief.html"
    )
    raise CritminError(msg)


def write_pdf(page: str, out: Path, timeout: float = 120.0) -> Path:
    """Print an HTML page to PDF with headless Chromium (``--print-to-pdf``).

    Raises
    ------
    CritminError
        Chromium is missing (the message names the apt package) or fails.
    """
    exe = _chromium()
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="critmin-brief-") as tmp:
        src = Path(tmp) / "brief.html"
        src.write_text(page, encoding="utf-8")
        cmd = [
            exe,
            *_CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            msg = (
                f"Chromium ({exe}) could not print the brief: {err}; check the browser runs "
                "(`chromium --version`), or write HTML instead: -o brief.html"
            )
            raise CritminError(msg) from None
        if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            msg = (
                f"Chromium could not print the brief (exit {proc.returncode}): {proc.stderr[-500:]}"
            )
            raise CritminError(msg)
    return out


def write_brief(commodity: str, country: str = "IND", out: str | Path = "brief.html") -> Path:
    """Write a brief to ``.html`` or ``.pdf`` (chosen by the file's suffix).

    Parameters
    ----------
    commodity : str
        Commodity name, alias or element.
    country : str
        ISO3 code or name of the country the brief is for.
    out : path
        Output file, ``.html`` or ``.pdf``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    CritminError
        Unknown names, an unsupported suffix, or (PDF) no Chromium.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        msg = f"output {out}: give a .html or .pdf file name"
        raise CritminError(msg)
    if suffix == ".pdf":
        _chromium()  # fail before the work
    page = render_html(build_brief(commodity, country))
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        return write_pdf(page, out)
    out.write_text(page, encoding="utf-8")
    return out


def facts_json(brief: Brief) -> str:
    """The facts and sources of a brief as JSON (tests, other tools)."""
    return json.dumps(
        {"title": brief.title, "facts": brief.facts, "sources": brief.sources}, default=str
    )
