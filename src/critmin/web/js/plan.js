// Plan: the resilience planner (/api/v1/plan/...): the least-risk import mix and its
// risk-cost frontier, and the smallest export cut that breaks an importer.  Every figure
// is from the API, with its unit and sources; the page makes no other request.

import { clearPlot, esc, fmt, getJSON, layout, pct, plot, showProblem } from "./api.js";

const $ = (id) => document.getElementById(id);

function notes(res) {
  const n = (res.notes || []).map((t) => `<li>${esc(t)}</li>`).join("");
  return `<ul class="notes">${n}</ul><p class="meta">Sources: ${esc((res.sources || []).join("; "))}</p>`;
}

function drawPartners(res) {
  const s = res.summary;
  $("pl-result").hidden = false;
  const fr = res.tables.frontier;
  plot(
    "fig-frontier",
    [
      {
        type: "scatter",
        mode: "lines+markers",
        x: fr.map((r) => r.unit_cost_usd_per_t),
        y: fr.map((r) => r.risk),
        name: "frontier",
        hovertemplate: `%{x:,.0f} USD/t: ${esc(s.objective)} %{y:.3f}<extra></extra>`,
      },
      {
        type: "scatter",
        mode: "markers",
        x: [s.today_unit_cost_usd_per_t],
        y: [s.objective === "hhi_wgi" ? s.today_hhi_wgi : s.objective === "hhi" ? s.today_hhi : s.today_import_risk],
        name: "today",
        marker: { size: 11, symbol: "x" },
      },
    ],
    layout({ title: { text: `Risk-cost frontier: ${esc(s.importer)}, HS ${esc(s.hs6)} (${s.year})` }, xaxis: { title: { text: "mean unit cost (USD/t, BACI)" } }, yaxis: { title: { text: `${esc(s.objective)} (-)` } }, height: 360 }),
  );
  const mix = res.tables.mix.filter((r) => r.today_share > 0.001 || r.optimum_share > 0.001).slice(0, 15);
  plot(
    "fig-mix",
    [
      { type: "bar", name: "today", x: mix.map((r) => r.supplier), y: mix.map((r) => 100 * r.today_share) },
      { type: "bar", name: "optimum", x: mix.map((r) => r.supplier), y: mix.map((r) => 100 * r.optimum_share) },
    ],
    layout({ title: { text: "Import mix (% of tonnes)" }, barmode: "group", height: 360 }),
  );
  $("tbl-plan").innerHTML =
    `<table class="data" id="plan-table"><thead><tr><th>supplier</th><th class="num">g (-)</th><th class="num">capacity (t)</th><th class="num">unit value (USD/t)</th><th class="num">today</th><th class="num">optimum</th><th class="num">change (t)</th></tr></thead><tbody>` +
    res.tables.mix
      .slice(0, 20)
      .map((r) => `<tr data-supplier="${esc(r.supplier)}" data-optimum="${r.optimum_share}"><td>${esc(r.country)} (${esc(r.supplier)})</td><td class="num">${fmt(r.g)}</td><td class="num">${fmt(r.capacity_t)}</td><td class="num">${fmt(r.unit_value_usd_per_t)}</td><td class="num">${pct(r.today_share)}</td><td class="num">${pct(r.optimum_share)}</td><td class="num">${fmt(r.change_t)}</td></tr>`)
      .join("") +
    "</tbody></table>";
  $("cap-plan").innerHTML = `Demand ${fmt(s.demand_t)} t; ${esc(s.solver)}.` + notes(res);
}

function drawStress(res) {
  const s = res.summary;
  $("pl-result").hidden = false;
  clearPlot("fig-mix");
  const t = res.tables.table;
  plot(
    "fig-frontier",
    [
      { type: "bar", name: "cut at P50", x: t.map((r) => r.supplier), y: t.map((r) => (r.cut_p50 === null ? null : 100 * r.cut_p50)) },
      { type: "bar", name: "cut at P95", x: t.map((r) => r.supplier), y: t.map((r) => (r.cut_p95 === null ? null : 100 * r.cut_p95)) },
    ],
    layout({ title: { text: `Smallest export cut that takes ${esc(s.importer)} past ${pct(s.threshold, 0)} shortfall (HS ${esc(s.hs6)})` }, yaxis: { title: { text: "% of the supplier's exports" }, range: [0, 100] }, barmode: "group", height: 360 }),
  );
  $("tbl-plan").innerHTML =
    `<table class="data" id="plan-table"><thead><tr><th>supplier</th><th class="num">ships (t)</th><th class="num">of imports</th><th class="num">cut P50</th><th class="num">cut P95</th></tr></thead><tbody>` +
    t.map((r) => `<tr data-supplier="${esc(r.supplier)}"><td>${esc(r.country)}</td><td class="num">${fmt(r.delivery_t)}</td><td class="num">${pct(r.delivery_share)}</td><td class="num">${r.cut_p50 === null ? "no break" : pct(r.cut_p50)}</td><td class="num">${r.cut_p95 === null ? "no break" : pct(r.cut_p95)}</td></tr>`).join("") +
    "</tbody></table>";
  $("cap-plan").innerHTML = `Consumption ${fmt(s.consumption_t)} t (${s.year}).` + notes(res);
}

async function run() {
  $("pl-error").hidden = true;
  const mode = $("pl-mode").value;
  const params = {
    commodity: $("pl-commodity").value.trim(),
    importer: $("pl-importer").value.trim(),
    stage: $("pl-stage").value || undefined,
    bloc: $("pl-bloc").value.trim() || undefined,
  };
  document.body.dataset.planState = "running";
  try {
    if (mode === "stress") {
      drawStress(await getJSON("/plan/stress", { ...params, sector: $("pl-sector").value.trim() || undefined, threshold: $("pl-threshold").value }));
    } else {
      drawPartners(await getJSON("/plan/partners", { ...params, objective: $("pl-objective").value }));
    }
    document.body.dataset.planState = "done";
  } catch (e) {
    showProblem($("pl-error"), e, "the plan");
    document.body.dataset.planState = "failed";
  }
}

export async function initPlan() {
  $("pl-run").addEventListener("click", run);
  $("pl-mode").addEventListener("change", () => {
    const stress = $("pl-mode").value === "stress";
    for (const el of document.querySelectorAll(".pl-stress")) el.hidden = !stress;
    for (const el of document.querySelectorAll(".pl-partners")) el.hidden = stress;
  });
}
