// Mineral overview: world map of production shares, top producers, concentration by stage,
// reserves, export controls and U.S. import sources, every figure with its source.

import { clearPlot, esc, fmt, getJSON, layout, pct, plot, showProblem, sourceNote } from "./api.js";

const PRODUCING = ["mine", "refinery", "smelter", "processing", "primary", "secondary"];
const SOURCE_OF = (ds) => (ds.startsWith("usgs_mcs") ? "usgs" : ds.startsWith("iea") ? "iea" : ds === "wmd" ? "wmd" : null);
const SOURCE_LABEL = { usgs: "USGS MCS", wmd: "World Mining Data", iea: "IEA" };
const AGG = new Set(["WLD", "ROW"]);

const state = { commodity: null, detail: null, rows: [], options: [] };

const $ = (id) => document.getElementById(id);

/** Rows of the main world table of each year: a stated world total or >= 3 countries, the largest. */
export function worldTables(rows) {
  const bySeries = new Map();
  for (const r of rows) {
    const key = `${r.year}|${r.dataset}|${r.series}|${r.unit}|${r.basis}`;
    if (!bySeries.has(key)) bySeries.set(key, []);
    bySeries.get(key).push(r);
  }
  const best = new Map();
  for (const [key, rs] of bySeries) {
    const world = rs.find((r) => r.country_iso3 === "WLD");
    const nCty = rs.filter((r) => r.country_iso3 && !AGG.has(r.country_iso3)).length;
    if (!world && nCty < 3) continue;
    const total = world ? world.value || 0 : rs.reduce((a, r) => a + (AGG.has(r.country_iso3) ? 0 : r.value || 0), 0);
    const year = rs[0].year;
    if (!best.has(year) || best.get(year).total < total) best.set(year, { key, total, rows: rs });
  }
  return best;
}

async function loadCommodities() {
  const list = await getJSON("/commodities", { with_data: true });
  const sel = $("ov-commodity");
  sel.innerHTML = list.map((c) => `<option value="${esc(c.commodity_id)}">${esc(c.name)}</option>`).join("");
  return list;
}

function stageOptions(detail) {
  const opts = [];
  const seen = new Set();
  for (const c of detail.coverage) {
    if (c.measure !== "production" || !PRODUCING.includes(c.stage)) continue;
    const src = SOURCE_OF(c.dataset);
    if (!src) continue;
    const key = `${c.stage}|${src}`;
    if (seen.has(key)) continue;
    seen.add(key);
    opts.push({ stage: c.stage, source: src, label: `${c.stage} – ${SOURCE_LABEL[src]}` });
  }
  const rank = (o) => PRODUCING.indexOf(o.stage) * 10 + ["usgs", "wmd", "iea"].indexOf(o.source);
  return opts.sort((a, b) => rank(a) - rank(b));
}

/** Load a commodity: its stages, then every panel. */
export async function showCommodity(commodity) {
  state.commodity = commodity;
  $("ov-commodity").value = commodity;
  const panel = $("ov-panels");
  panel.classList.add("loading");
  try {
    state.detail = await getJSON(`/commodities/${encodeURIComponent(commodity)}`);
    state.options = stageOptions(state.detail);
    $("ov-title").textContent = state.detail.name;
    $("ov-lists").textContent = state.detail.lists.length ? state.detail.lists.join(" · ") : "on no critical list";
    const sel = $("ov-stage");
    sel.innerHTML = state.options.map((o, i) => `<option value="${i}">${esc(o.label)}</option>`).join("");
    await Promise.all([loadStage(), loadConcentration(), loadReserves(), loadControls(), loadImportSources()]);
  } finally {
    panel.classList.remove("loading");
    document.body.dataset.overviewReady = commodity;
  }
}

async function loadStage() {
  const opt = state.options[Number($("ov-stage").value || 0)];
  const mapBox = $("fig-map");
  if (!opt) {
    clearPlot(mapBox, `<p class="empty">No production by country in the dataset for ${esc(state.detail.name)}.</p>`);
    $("tbl-top").innerHTML = "";
    $("cap-map").innerHTML = "";
    return;
  }
  const data = await getJSON(`/commodities/${encodeURIComponent(state.commodity)}/production`, {
    stage: opt.stage,
    source: opt.source,
  });
  state.rows = data.rows;
  state.sources = data.sources;
  state.tables = worldTables(data.rows);
  const years = [...state.tables.keys()].sort((a, b) => b - a);
  const ysel = $("ov-year");
  ysel.innerHTML = years
    .map((y) => {
      const proj = state.tables.get(y).rows.some((r) => (r.flag || "").includes("projection"));
      return `<option value="${y}">${y}${proj ? " (projection)" : ""}</option>`;
    })
    .join("");
  const firstHist = years.find((y) => !state.tables.get(y).rows.some((r) => (r.flag || "").includes("projection")));
  ysel.value = String(firstHist ?? years[0]);
  drawYear();
}

/** Source references of the rows shown: dataset and file, their lines and years. */
export function refsFor(rows, sources) {
  const info = new Map((sources || []).map((s) => [s.dataset, s]));
  const groups = new Map();
  for (const r of rows) {
    const k = `${r.dataset}|${r.source_id || ""}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  return [...groups.values()].map((rs) => {
    const lines = rs.map((r) => r.source_row).filter((x) => x !== null && x !== undefined);
    const base = info.get(rs[0].dataset) || { title: rs[0].dataset, edition: "" };
    return {
      ...base,
      dataset: rs[0].dataset,
      source_id: rs[0].source_id || "",
      rows: lines.length ? `${Math.min(...lines)}-${Math.max(...lines)}` : "",
      years: [...new Set(rs.map((r) => r.year))],
    };
  });
}

function rowRef(r) {
  return `${r.dataset} · ${r.source_id || ""}${r.source_row ? " line " + r.source_row : ""}`;
}

/** Map, KPIs and top-producer table for the chosen year. */
export function drawYear() {
  const year = Number($("ov-year").value);
  const t = state.tables.get(year);
  const opt = state.options[Number($("ov-stage").value || 0)];
  if (!t) return;
  const rows = t.rows;
  const cty = rows.filter((r) => r.country_iso3 && !AGG.has(r.country_iso3));
  const known = cty.filter((r) => r.value !== null && r.share !== null);
  const world = rows.find((r) => r.country_iso3 === "WLD");
  const unit = `${rows[0].unit || ""}${rows[0].basis ? " " + rows[0].basis : ""}`;
  const trace = {
    type: "choropleth",
    locationmode: "ISO-3",
    locations: known.map((r) => r.country_iso3),
    z: known.map((r) => 100 * r.share),
    customdata: known.map((r) => [r.country, fmt(r.value), unit, rowRef(r), r.flag || ""]),
    hovertemplate:
      "<b>%{customdata[0]}</b><br>%{z:.1f}% of world<br>%{customdata[1]} %{customdata[2]}" +
      "<br><i>%{customdata[3]}</i> %{customdata[4]}<extra></extra>",
    colorscale: "YlOrRd",
    reversescale: true,
    zmin: 0,
    colorbar: { title: { text: "% of world" }, thickness: 12 },
    marker: { line: { color: "#999", width: 0.4 } },
  };
  plot(
    "fig-map",
    [trace],
    layout({
      title: { text: `${state.detail.name}: ${opt.stage} production ${year}, share of world` },
      geo: { projection: { type: "natural earth", rotation: { lon: 0, lat: 0 } }, center: { lon: 0, lat: 0 }, lataxis: { range: [-58, 85] }, showframe: false, showcoastlines: false, showcountries: true, countrycolor: "#bbb", landcolor: "#f3f3f3", showland: true },
      margin: { l: 0, r: 0, t: 40, b: 0 },
      height: 380,
    }),
  );
  $("cap-map").innerHTML = sourceNote(
    refsFor(rows, state.sources),
    `Series "${rows[0].series}", ${unit}. Shares of the ${world ? "stated world total" : "sum of the countries"}; hover a country for its figure and source line.`,
  );
  // top producers
  const top = [...cty].sort((a, b) => (b.value ?? -1) - (a.value ?? -1)).slice(0, 10);
  $("tbl-top").innerHTML =
    `<table class="data" id="top-producers"><thead><tr><th>#</th><th>country</th><th class="num">${esc(unit)}</th><th class="num">share</th><th>flag</th><th>source line</th></tr></thead><tbody>` +
    top
      .map(
        (r, i) =>
          `<tr data-iso3="${esc(r.country_iso3)}" data-value="${r.value ?? ""}" data-share="${r.share ?? ""}"><td>${i + 1}</td><td>${esc(r.country)}</td><td class="num">${r.value === null ? "W" : fmt(r.value)}</td><td class="num">${pct(r.share)}</td><td>${esc(r.flag || "")}</td><td title="${esc(r.source_id || "")}">${esc(r.dataset)} ${r.source_row ?? ""}</td></tr>`,
      )
      .join("") +
    (world ? `<tr class="total" data-iso3="WLD" data-value="${world.value ?? ""}"><td></td><td>World total (stated)</td><td class="num">${fmt(world.value)}</td><td class="num">100%</td><td>${esc(world.flag || "")}</td><td>${esc(world.dataset)} ${world.source_row ?? ""}</td></tr>` : "") +
    "</tbody></table>";
  const lead = top[0];
  $("kpi-world").textContent = world ? `${fmt(world.value)} ${unit}` : `${fmt(t.total)} ${unit} (sum)`;
  $("kpi-top").textContent = lead ? `${lead.country} ${pct(lead.share)}` : "–";
  $("kpi-n").textContent = String(cty.filter((r) => (r.value || 0) > 0).length);
  $("kpi-year").textContent = `${opt.stage}, ${year}`;
  drawKpiHhi(opt, year);
}

let concRows = [];

async function loadConcentration() {
  const box = $("fig-conc");
  const cap = $("cap-conc");
  try {
    const path = `/commodities/${encodeURIComponent(state.commodity)}/concentration`;
    const parts = await Promise.all(
      ["usgs", "wmd"].map((source) =>
        getJSON(path, { source }).catch((e) => {
          if (e.status === 404) return { rows: [], sources: [] };
          throw e;
        }),
      ),
    );
    const data = { rows: parts.flatMap((d) => d.rows), sources: parts.flatMap((d) => d.sources) };
    if (!data.rows.length) throw new Error("no concentration figures for this commodity (no world production table)");
    concRows = data.rows;
    const groups = new Map();
    for (const r of data.rows) {
      const k = `${r.stage} – ${r.source === "usgs" ? "USGS" : "WMD"}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(r);
    }
    const traces = [...groups].map(([name, rs]) => ({
      type: "scatter",
      mode: "lines+markers",
      name,
      x: rs.map((r) => r.year),
      y: rs.map((r) => r.hhi_points),
      customdata: rs.map((r) => [r.top1_name || r.top1_country || "–", pct(r.top1_share), pct(r.top3_share), r.dataset, r.n_producers]),
      hovertemplate: "%{x}: HHI %{y:,.0f}<br>largest: %{customdata[0]} %{customdata[1]}<br>top 3: %{customdata[2]}, producers: %{customdata[4]}<br><i>%{customdata[3]}</i><extra>%{fullData.name}</extra>",
    }));
    plot(
      box,
      traces,
      layout({
        title: { text: "Concentration by stage (HHI, 0–10,000)" },
        yaxis: { title: { text: "HHI" }, rangemode: "tozero" },
        xaxis: { dtick: 1 },
        shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 1800, y1: 1800, line: { dash: "dot", color: "#888" } }],
        height: 300,
        legend: { orientation: "h", y: -0.2 },
      }),
    );
    // latest year per stage and source
    const latest = [...groups].map(([name, rs]) => [name, rs.reduce((a, b) => (b.year > a.year ? b : a))]);
    $("tbl-conc").innerHTML =
      `<table class="data" id="conc-table"><thead><tr><th>stage</th><th>year</th><th>largest producer</th><th class="num">top 1</th><th class="num">top 3</th><th class="num">HHI</th><th class="num">producers</th><th>dataset</th></tr></thead><tbody>` +
      latest
        .map(([name, r]) => `<tr data-stage="${esc(r.stage)}" data-source="${esc(r.source)}" data-hhi="${r.hhi_points ?? ""}"><td>${esc(name)}</td><td>${r.year}</td><td>${esc(r.top1_name || "–")}</td><td class="num">${pct(r.top1_share)}</td><td class="num">${pct(r.top3_share)}</td><td class="num">${fmt(r.hhi_points)}</td><td class="num">${r.n_producers ?? "–"}</td><td>${esc(r.dataset)}</td></tr>`)
        .join("") +
      "</tbody></table>";
    cap.innerHTML = sourceNote(data.sources, "HHI and shares by critmin.assessments.concentration; dotted line: 1,800 (highly concentrated).");
  } catch (e) {
    concRows = [];
    clearPlot(box);
    showProblem(box, e, "concentration");
    $("tbl-conc").innerHTML = "";
    cap.innerHTML = "";
  }
  const opt = state.options[Number($("ov-stage").value || 0)];
  if (opt) drawKpiHhi(opt, Number($("ov-year").value));
}

function drawKpiHhi(opt, year) {
  const r = concRows.find((c) => c.stage === opt.stage && c.source === opt.source && c.year === year);
  $("kpi-hhi").textContent = r ? fmt(r.hhi_points) : "–";
}

async function loadReserves() {
  const box = $("fig-reserves");
  const data = await getJSON(`/commodities/${encodeURIComponent(state.commodity)}/reserves`);
  const tables = worldTables(data.rows);
  const years = [...tables.keys()].sort((a, b) => b - a);
  if (!years.length) {
    clearPlot(box, `<p class="empty">No reserves by country in the dataset.</p>`);
    $("cap-reserves").innerHTML = "";
    $("kpi-reserves").textContent = "–";
    return;
  }
  const rows = tables.get(years[0]).rows;
  const cty = rows.filter((r) => r.country_iso3 && !AGG.has(r.country_iso3) && r.value !== null).sort((a, b) => b.value - a.value).slice(0, 10);
  const world = rows.find((r) => r.country_iso3 === "WLD");
  const unit = `${rows[0].unit || ""}${rows[0].basis ? " " + rows[0].basis : ""}`;
  plot(
    box,
    [
      {
        type: "bar",
        orientation: "h",
        y: cty.map((r) => r.country).reverse(),
        x: cty.map((r) => r.value).reverse(),
        customdata: cty.map((r) => [pct(r.share), rowRef(r)]).reverse(),
        hovertemplate: "%{y}: %{x:,} " + unit + " (%{customdata[0]})<br><i>%{customdata[1]}</i><extra></extra>",
        marker: { color: "#6a51a3" },
      },
    ],
    layout({ title: { text: `Reserves ${years[0]} (${unit})` }, height: 300, margin: { l: 20, r: 20, t: 40, b: 40 }, yaxis: { automargin: true } }),
  );
  $("kpi-reserves").textContent = world ? `${fmt(world.value)} ${unit}` : "–";
  $("cap-reserves").innerHTML = sourceNote(refsFor(rows, data.sources));
}

async function loadControls() {
  const data = await getJSON(`/commodities/${encodeURIComponent(state.commodity)}/export-controls`);
  $("tbl-controls").innerHTML = data.rows.length
    ? `<table class="data" id="controls-table"><thead><tr><th>country</th><th>control</th><th>on</th><th>since</th><th>source line</th></tr></thead><tbody>` +
      data.rows
        .map((r) => `<tr data-iso3="${esc(r.country_iso3)}"><td>${esc(r.country_source)}</td><td>${esc(r.control_type)}</td><td>${esc([r.commodity_source, r.qualifier].filter(Boolean).join(": "))}</td><td>${r.year_imposed ?? ""}</td><td>${r.url ? `<a href="${esc(r.url)}" rel="noopener" target="_blank">${esc(r.source_row)}</a>` : esc(r.source_row)}</td></tr>`)
        .join("") +
      "</tbody></table>"
    : `<p class="empty" id="controls-table">No export controls on this commodity listed in force.</p>`;
  $("cap-controls").innerHTML = sourceNote(data.sources, "USGS MCS 2026 table T4 (export controls in force).");
}

async function loadImportSources() {
  const data = await getJSON(`/commodities/${encodeURIComponent(state.commodity)}/import-sources`);
  const rows = data.rows;
  if (!rows.length) {
    $("tbl-imports").innerHTML = `<p class="empty" id="imports-table">USGS lists no U.S. import sources for this commodity.</p>`;
    $("cap-imports").innerHTML = "";
    return;
  }
  const nir = rows.find((r) => r.nir_pct !== null);
  $("tbl-imports").innerHTML =
    `<p>U.S. net import reliance (published): <strong id="us-nir">${nir ? nir.nir_pct + "%" : "–"}</strong>${nir && nir.nir_flag ? " " + esc(nir.nir_flag) : ""}, ${esc(rows[0].period || "")}</p>` +
    `<table class="data" id="imports-table"><thead><tr><th>country</th><th class="num">share of U.S. imports</th><th>source line</th></tr></thead><tbody>` +
    rows.map((r) => `<tr data-iso3="${esc(r.country_iso3 || "")}" data-share="${r.share_pct ?? ""}"><td>${esc(r.country_source)}</td><td class="num">${r.share_pct ?? "–"}%</td><td>${esc(r.source_row ?? "")}</td></tr>`).join("") +
    "</tbody></table>";
  $("cap-imports").innerHTML = sourceNote(data.sources, `USGS MCS Fig. 3, edition ${rows[0].edition}.`);
}

/** Wire the controls; load the first commodity. */
export async function initOverview(initial = "lithium") {
  const list = await loadCommodities();
  $("ov-commodity").addEventListener("change", (e) => {
    history.replaceState(null, "", `#overview/${e.target.value}`);
    showCommodity(e.target.value);
  });
  $("ov-stage").addEventListener("change", () => loadStage());
  $("ov-year").addEventListener("change", () => drawYear());
  const start = list.some((c) => c.commodity_id === initial) ? initial : list[0].commodity_id;
  await showCommodity(start);
}
