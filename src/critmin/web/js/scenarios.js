// Scenario runner: pick a preset or edit the spec, run it as a job, watch its progress, then
// the fan chart (P5-P95 shortfall per year) and who fills the gap (redirected flows).

import { ApiError, clearPlot, esc, fmt, getJSON, layout, plot, pollJob, sendJSON, showProblem, sourceNote } from "./api.js";

const $ = (id) => document.getElementById(id);
let presets = [];
let result = null;

function setAvailable(ok, err) {
  $("sc-form").hidden = !ok;
  const na = $("sc-na");
  if (ok) {
    na.hidden = true;
    na.innerHTML = "";
  } else {
    showProblem(na, err, "scenario presets");
  }
}

function fillSpec() {
  const p = presets.find((x) => x.name === $("sc-preset").value);
  if (!p) return;
  $("sc-spec").value = JSON.stringify(p.spec, null, 2);
  $("sc-draws").value = p.spec.draws || 1000;
  const src = p.source || {};
  $("sc-desc").innerHTML =
    `<strong>${esc(p.title)}</strong>. ${esc(p.description || "")}<br>Source: USGS MCS 2026 table T4, <code>${esc(src.file || "")}</code> line ${esc(src.line ?? "")}: “${esc(src.quote || "")}” (${esc(src.control_type || "")}).` +
    (Object.keys(p.unrepresented || {}).length ? `<br>Not simulated: ${esc(Object.entries(p.unrepresented).map(([k, v]) => `${k} (${v})`).join("; "))}` : "");
  $("sc-params").innerHTML = Object.entries(p.parameters || {})
    .map(([k, v]) => `<label title="${esc(v.description || "")}">${esc(k)} <input data-param="${esc(k)}" value='${esc(JSON.stringify(v.default))}'></label>`)
    .join("");
}

function presetParams(p) {
  const out = {};
  for (const inp of $("sc-params").querySelectorAll("input[data-param]")) {
    const def = JSON.stringify((p.parameters[inp.dataset.param] || {}).default);
    if (inp.value.trim() === def) continue;
    try {
      out[inp.dataset.param] = JSON.parse(inp.value);
    } catch {
      out[inp.dataset.param] = inp.value;
    }
  }
  return out;
}

async function run() {
  const btn = $("sc-run");
  const status = $("sc-status");
  const bar = $("sc-progress");
  $("sc-error").hidden = true;
  let spec;
  try {
    spec = JSON.parse($("sc-spec").value);
  } catch (e) {
    showProblem($("sc-error"), new ApiError(422, `the spec is not valid JSON: ${e.message}`), "spec");
    return;
  }
  const preset = presets.find((x) => x.name === $("sc-preset").value);
  const edited = !preset || JSON.stringify(preset.spec) !== JSON.stringify(spec);
  const body = { draws: Number($("sc-draws").value) || undefined, focus: ["IND", "USA"] };
  if (edited) body.spec = spec;
  else {
    body.preset = preset.name;
    const params = presetParams(preset);
    if (Object.keys(params).length) body.params = params;
  }
  btn.disabled = true;
  document.body.dataset.scenarioState = "running";
  try {
    const job = await sendJSON("/scenarios/jobs", body);
    const done = await pollJob(job.status_url, (j) => {
      bar.value = j.progress;
      status.textContent = `${j.status}: ${j.message} (${Math.round(100 * j.progress)}%)`;
    });
    if (done.status !== "done") {
      throw new ApiError(done.error?.status || 500, done.error?.detail || done.status, done.error);
    }
    result = done.result;
    showResult();
    document.body.dataset.scenarioState = "done";
  } catch (e) {
    showProblem($("sc-error"), e, "scenario");
    document.body.dataset.scenarioState = "failed";
  } finally {
    btn.disabled = false;
  }
}

function showResult() {
  const s = result.scenario;
  $("sc-summary").innerHTML = `<strong>${esc(s.name)}</strong>: ${s.draws} draws, seed ${s.seed}, base year ${s.base_year}, years ${s.years[0]}–${s.years[s.years.length - 1]}, ${s.countries ?? "?"} countries × ${s.commodities ?? "?"} commodities.`;
  const sel = $("sc-pair");
  sel.innerHTML = result.pairs.map((p, i) => `<option value="${i}">${esc(p.importer)} – ${esc(p.commodity_name ? p.commodity_name + " " : "")}${esc(p.commodity)}</option>`).join("");
  $("sc-result").hidden = false;
  if (!result.pairs.length) {
    clearPlot("fig-fan", `<p class="empty">No importer has a shortfall in this scenario.</p>`);
    clearPlot("fig-fills");
    clearPlot("fig-flows");
    return;
  }
  drawPair();
}

/** Shortfall per strategic sector in the pair's peak year (share of use x shortfall). */
function sectorTable(p) {
  const rows = p.sectors || [];
  if (!rows.length) return `<p class="empty">No end-use shares for ${esc(p.commodity)} (critmin sectors).</p>`;
  return (
    `<table class="data" id="sectors-table"><caption>Shortfall by strategic sector, ${p.peak_year} (t; share of the commodity's use, critmin sectors)</caption>` +
    `<thead><tr><th>sector</th><th class="num">share</th><th class="num">P50 t</th><th class="num">P95 t</th></tr></thead><tbody>` +
    rows.map((r) => `<tr data-sector="${esc(r.sector)}"><td>${esc(r.sector)}</td><td class="num">${fmt(100 * r.share)}%</td><td class="num">${fmt(r.p50_t)}</td><td class="num">${fmt(r.p95_t)}</td></tr>`).join("") +
    "</tbody></table>"
  );
}

function drawPair() {
  const p = result.pairs[Number($("sc-pair").value || 0)];
  const years = result.scenario.years;
  const unitPct = $("sc-unit").value === "pct";
  const f = p.fan;
  const lo = unitPct ? f.p5_pct : f.p5_t;
  const mid = unitPct ? f.p50_pct : f.p50_t;
  const hi = unitPct ? f.p95_pct : f.p95_t;
  const unit = unitPct ? "% of consumption" : "t";
  const traces = [
    { x: years, y: hi, type: "scatter", mode: "lines", line: { width: 0 }, name: "P95", showlegend: false, hovertemplate: `P95 %{y:,.3g} ${unit}<extra></extra>` },
    { x: years, y: lo, type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(215,48,31,0.25)", name: "P5–P95", hovertemplate: `P5 %{y:,.3g} ${unit}<extra></extra>` },
    { x: years, y: mid, type: "scatter", mode: "lines+markers", line: { color: "#b30000", width: 2 }, name: "median (P50)", hovertemplate: `P50 %{y:,.3g} ${unit}<extra></extra>` },
  ];
  plot(
    "fig-fan",
    traces,
    layout({ title: { text: `Shortfall of ${p.importer} in ${p.commodity} (${unit})` }, xaxis: { dtick: 1 }, yaxis: { rangemode: "tozero", title: { text: unit } }, height: 340, legend: { orientation: "h", y: -0.2 } }),
  );
  const colours = { recycling: "#41ab5d", "demand response": "#fdae6b", substitution: "#9e9ac8", stockpile: "#6baed6", shortfall: "#b30000" };
  const bars = p.who_fills.map((w) => ({
    type: "bar",
    name: w.kind === "partner" ? `${w.source} (redirected)` : w.source,
    x: years,
    y: w.tonnes,
    marker: { color: colours[w.source] || undefined },
    hovertemplate: `${esc(w.source)}: %{y:,.3g} t<extra></extra>`,
  }));
  plot(
    "fig-fills",
    bars,
    layout({ barmode: "stack", title: { text: `Who fills ${p.importer}'s lost ${p.commodity} supply (mean t)` }, xaxis: { dtick: 1 }, height: 340, legend: { orientation: "h", y: -0.2 } }),
  );
  const partners = p.who_fills.filter((w) => w.kind === "partner");
  $("tbl-fills").innerHTML =
    `<table class="data" id="fills-table"><thead><tr><th>source</th><th class="num">mean t over the horizon</th></tr></thead><tbody>` +
    p.who_fills.map((w) => `<tr data-source="${esc(w.source)}" data-total="${w.total_t ?? ""}"><td>${esc(w.source)}${w.kind === "partner" ? " (redirected)" : ""}</td><td class="num">${fmt(w.total_t)}</td></tr>`).join("") +
    "</tbody></table>" +
    (partners.length ? "" : `<p class="empty">No spare capacity redirected to ${esc(p.importer)}.</p>`) +
    sectorTable(p);
  const fl = p.flows || [];
  plot(
    "fig-flows",
    [
      { type: "bar", name: "base-year flow", x: fl.map((r) => r.exporter), y: fl.map((r) => r.base_t), marker: { color: "#bdbdbd" }, hovertemplate: "%{x}: %{y:,.3g} t base<extra></extra>" },
      { type: "bar", name: "after the shock (mean)", x: fl.map((r) => r.exporter), y: fl.map((r) => r.shocked_t), marker: { color: "#2b8cbe" }, hovertemplate: "%{x}: %{y:,.3g} t after<extra></extra>" },
      { type: "bar", name: "of which redirected", x: fl.map((r) => r.exporter), y: fl.map((r) => r.redirected_mean_t), marker: { color: "#41ab5d" }, hovertemplate: "%{x}: %{y:,.3g} t redirected<extra></extra>" },
    ],
    layout({ barmode: "group", title: { text: `${p.importer}'s suppliers of ${p.commodity}, ${p.peak_year} (t)` }, height: 320, legend: { orientation: "h", y: -0.25 } }),
  );
  $("cap-scenario").innerHTML = sourceNote(result.sources, `Shortfall quantiles over ${result.scenario.draws} draws (critmin.scenarios.runner); t = tonnes of the traded good (BACI gross weight).`);
  document.body.dataset.scenarioPair = `${p.importer}|${p.commodity}`;
}

/** Load presets (or show the "not available yet" state) and wire the form. */
export async function initScenarios() {
  $("sc-run").addEventListener("click", run);
  $("sc-preset").addEventListener("change", fillSpec);
  $("sc-pair").addEventListener("change", drawPair);
  $("sc-unit").addEventListener("change", drawPair);
  try {
    presets = await getJSON("/scenarios/presets");
    $("sc-preset").innerHTML = presets.map((p) => `<option value="${esc(p.name)}">${esc(p.title || p.name)}</option>`).join("");
    fillSpec();
    setAvailable(true);
    document.body.dataset.scenarioState = "ready";
  } catch (e) {
    setAvailable(false, e);
    document.body.dataset.scenarioState = e.status === 501 ? "unavailable" : "error";
  }
}
