// Recovery: run a recovery model with your parameters (critmin ships none) on IEA inflows,
// watch its progress, and see secondary supply per element and its share of demand; or open
// a run saved in the workspace.

import { ApiError, clearPlot, esc, fmt, getJSON, layout, pct, plot, pollJob, sendJSON, showProblem, sourceNote } from "./api.js";

const $ = (id) => document.getElementById(id);

function draw(res) {
  $("rc-result").hidden = false; // visible before plotting, so plotly sizes to the page
  const traces = res.series.map((s) => ({
    type: "scatter",
    mode: "lines",
    name: s.element,
    x: s.years,
    y: s.recovered_t,
    hovertemplate: `${esc(s.element)} %{x}: %{y:,.3g} t recovered<extra></extra>`,
  }));
  plot("fig-recovered", traces, layout({ title: { text: "Secondary supply from end-of-life products (t/yr)" }, yaxis: { type: "log", title: { text: "t/yr (log)" } }, height: 360, legend: { orientation: "h", y: -0.2 } }));
  const by = new Map();
  for (const r of res.share_of_demand) {
    if (!by.has(r.element)) by.set(r.element, []);
    by.get(r.element).push(r);
  }
  if (by.size) {
    plot(
      "fig-share",
      [...by].map(([el, rs]) => ({
        type: "scatter",
        mode: "lines",
        name: el,
        x: rs.map((r) => r.year),
        y: rs.map((r) => 100 * (r.share || 0)),
        customdata: rs.map((r) => [fmt(r.secondary_supply), fmt(r.demand), r.basis || ""]),
        hovertemplate: `${esc(el)} %{x}: %{y:.1f}% of demand<br>%{customdata[0]} t of %{customdata[1]} t (%{customdata[2]})<extra></extra>`,
      })),
      layout({ title: { text: "Share of demand met by recycling (%)" }, yaxis: { rangemode: "tozero" }, height: 360, legend: { orientation: "h", y: -0.2 } }),
    );
  } else {
    clearPlot("fig-share", `<p class="empty">This run has no demand to compare with.</p>`);
  }
  $("tbl-recovery").innerHTML =
    `<table class="data" id="recovery-table"><thead><tr><th>element</th><th class="num">end of life, last year (t)</th><th class="num">recovered, last year (t)</th><th class="num">share of demand, last year</th><th class="num">recovered, cumulative (t)</th><th>demand basis</th></tr></thead><tbody>` +
    res.summary
      .map((r) => `<tr data-element="${esc(r.element)}" data-recovered="${r.recovered_last ?? ""}"><td>${esc(r.element)}</td><td class="num">${fmt(r.eol_last)}</td><td class="num">${fmt(r.recovered_last)}</td><td class="num">${pct(r.share_last)}</td><td class="num">${fmt(r.recovered_cum)}</td><td>${esc(r.basis || "")}</td></tr>`)
      .join("") +
    "</tbody></table>";
  const cfg = res.config || {};
  const params = (res.parameter_sources || []).join("; ");
  $("cap-recovery").innerHTML = sourceNote(
    res.sources,
    `Scenario ${cfg.scenario || ""}, region ${cfg.region || ""}, years ${(cfg.years || []).join("–")}. Parameters: ${params || "as sent with the run"}. Mass balance violations: ${res.violations}.`,
  );
}

async function run() {
  $("rc-error").hidden = true;
  const btn = $("rc-run");
  const body = {
    parameters_csv: $("rc-params").value,
    scenario: $("rc-scenario").value,
    elements: $("rc-elements").value.split(",").map((s) => s.trim()).filter(Boolean),
  };
  if (!body.elements.length) delete body.elements;
  btn.disabled = true;
  document.body.dataset.recoveryState = "running";
  try {
    const job = await sendJSON("/recovery/jobs", body);
    const done = await pollJob(job.status_url, (j) => {
      $("rc-progress").value = j.progress;
      $("rc-status").textContent = `${j.status}: ${j.message} (${Math.round(100 * j.progress)}%)`;
    });
    if (done.status !== "done") throw new ApiError(done.error?.status || 500, done.error?.detail || done.status, done.error);
    draw(done.result);
    document.body.dataset.recoveryState = "done";
  } catch (e) {
    showProblem($("rc-error"), e, "recovery run");
    document.body.dataset.recoveryState = "failed";
  } finally {
    btn.disabled = false;
  }
}

async function loadSaved() {
  const box = $("rc-saved");
  try {
    const t = await getJSON("/recovery/runs");
    box.innerHTML = t.rows.length
      ? `<table class="data"><thead><tr><th>name</th><th>scenario</th><th>region</th><th>years</th><th></th></tr></thead><tbody>` +
        t.rows.map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(r.scenario)}</td><td>${esc(r.region)}</td><td>${esc(r.years)}</td><td><button data-run="${esc(r.name)}">show</button></td></tr>`).join("") +
        "</tbody></table>"
      : `<p class="empty">No saved runs in the workspace (run one below, or save one with <code>critmin recovery run … --save NAME</code>).</p>`;
    box.querySelectorAll("button[data-run]").forEach((b) =>
      b.addEventListener("click", async () => {
        try {
          draw(await getJSON(`/recovery/runs/${encodeURIComponent(b.dataset.run)}`));
        } catch (e) {
          showProblem($("rc-error"), e, "saved run");
        }
      }),
    );
  } catch (e) {
    showProblem(box, e, "saved recovery runs");
  }
}

/** Wire the recovery tab. */
export async function initRecovery() {
  $("rc-run").addEventListener("click", run);
  $("rc-file").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (f) $("rc-params").value = await f.text();
  });
  await loadSaved();
  document.body.dataset.recoveryState = "ready";
}
