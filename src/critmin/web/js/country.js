// Countries and blocs: the ranked risk table and risk matrix of a country or group
// (critmin.assessments.risk), and where a country imports a mineral from (BACI) or what
// share of world supply a bloc holds.

import { clearPlot, esc, fmt, getJSON, layout, pct, plot, showProblem, sourceNote } from "./api.js";

const $ = (id) => document.getElementById(id);
export const SUBJECTS = [
  ["IND", "India"],
  ["USA", "United States"],
  ["TRUST", "TRUST (India + United States)"],
  ["QUAD", "Quad"],
  ["MSP", "Minerals Security Partnership"],
  ["US_FTA", "U.S. free-trade partners"],
];
const GROUPS = new Set(["TRUST", "QUAD", "MSP", "US_FTA"]);

let ranking = null;

function lists(r) {
  return [r.on_us_2025 ? "US" : "", r.on_eu_2023 ? "EU" : "", r.on_india_2023 ? "IN" : ""].filter(Boolean).join(" ");
}

async function loadRanking() {
  const subject = $("ct-subject").value;
  const year = $("ct-year").value || undefined;
  const box = $("tbl-risk");
  box.innerHTML = `<p class="empty">computing…</p>`;
  try {
    ranking = await getJSON("/risk/ranking", { subject, year });
    const rows = ranking.rows;
    box.innerHTML =
      `<p class="meta">${esc(ranking.meta.name || subject)} · ${ranking.meta.year} · ${rows.length} minerals · ` +
      `score = mean of min-max rescaled ${esc((ranking.meta.indicators || []).join(", "))}</p>` +
      `<div class="scroll"><table class="data" id="risk-table"><thead><tr><th>#</th><th>mineral</th><th class="num">score</th><th>driver</th><th class="num">HHI</th><th class="num">import reliance</th><th class="num">GeoPolRisk</th><th>lists</th><th class="num">controls</th><th>concentration source</th></tr></thead><tbody>` +
      rows
        .map(
          (r) =>
            `<tr data-commodity="${esc(r.commodity_id)}" data-rank="${r.rank}" data-score="${r.score ?? ""}"><td>${r.rank}</td><td>${esc(r.mineral)}</td><td class="num">${r.score === null ? "–" : r.score.toFixed(2)}</td><td>${esc(r.driver || "")}</td><td class="num">${r.hhi === null ? "–" : r.hhi.toFixed(2)}</td><td class="num">${pct(r.import_reliance, 0)}</td><td class="num">${r.geopolrisk === null ? "–" : r.geopolrisk.toFixed(3)}</td><td>${lists(r)}</td><td class="num">${r.export_controls || ""}</td><td>${esc(r.concentration_source || "")}</td></tr>`,
        )
        .join("") +
      "</tbody></table></div>";
    $("cap-risk").innerHTML = sourceNote(ranking.sources, "Ranking by critmin.assessments.risk; lists: US 2025, EU 2023, India 2023; controls: USGS MCS 2026 T4.");
    const cm = $("ct-commodity");
    const keep = cm.value;
    cm.innerHTML = rows.map((r) => `<option value="${esc(r.commodity_id)}">${esc(r.mineral)}</option>`).join("");
    if (keep && rows.some((r) => r.commodity_id === keep)) cm.value = keep;
  } catch (e) {
    ranking = null;
    showProblem(box, e, "risk ranking");
    $("cap-risk").innerHTML = "";
  }
}

async function loadMatrix() {
  const subject = $("ct-subject").value;
  const year = $("ct-year").value || undefined;
  const box = $("fig-matrix");
  try {
    const m = await getJSON("/risk/matrix", { subject, year });
    const lay = { ...m.figure.layout, height: 560, autosize: true };
    delete lay.width;
    plot(box, m.figure.data, lay);
    $("cap-matrix").innerHTML = sourceNote(m.sources, "Figure by critmin.report.charts.risk_matrix; hover a bubble for each indicator's dataset and year.");
  } catch (e) {
    clearPlot(box);
    showProblem(box, e, "risk matrix");
    $("cap-matrix").innerHTML = "";
  }
}

async function loadTrade() {
  const subject = $("ct-subject").value;
  const commodity = $("ct-commodity").value || "lithium";
  const box = $("fig-partners");
  try {
    if (GROUPS.has(subject)) {
      const d = await getJSON(`/commodities/${encodeURIComponent(commodity)}/bloc-share`, { group: subject, source: "usgs" });
      const rows = d.rows;
      plot(
        box,
        [
          {
            type: "bar",
            x: rows.map((r) => `${r.year} ${r.stage}`),
            y: rows.map((r) => 100 * (r.bloc_share || 0)),
            customdata: rows.map((r) => [r.members_producing || "none", r.dataset, fmt(r.bloc_total), r.unit || ""]),
            hovertemplate: "%{x}: %{y:.1f}% of world<br>producing members: %{customdata[0]}<br>%{customdata[2]} %{customdata[3]}<br><i>%{customdata[1]}</i><extra></extra>",
            marker: { color: "#2b8cbe" },
          },
        ],
        layout({ title: { text: `${d.group}: share of world ${commodity} supply` }, yaxis: { title: { text: "% of world" }, rangemode: "tozero" }, height: 320 }),
      );
      $("cap-partners").innerHTML = sourceNote(d.sources, `Members: ${d.members.join(", ")} (critmin.assessments.concentration.bloc_supply).`);
      box.dataset.kind = "bloc";
    } else {
      const d = await getJSON("/trade/partners", { commodity, country: subject, flow: "imports" });
      const rows = d.rows.slice(0, 12);
      plot(
        box,
        [
          {
            type: "bar",
            orientation: "h",
            y: rows.map((r) => r.partner || r.partner_iso3).reverse(),
            x: rows.map((r) => r.value_kusd).reverse(),
            customdata: rows.map((r) => [pct(r.share_value), fmt(r.quantity_t), r.hs6.join(", ")]).reverse(),
            hovertemplate: "%{y}: %{x:,.0f} kUSD (%{customdata[0]})<br>%{customdata[1]} t · HS %{customdata[2]}<extra></extra>",
            marker: { color: "#41ab5d" },
          },
        ],
        layout({ title: { text: `${subject} imports of ${commodity} by partner, ${d.year} (1000 USD)` }, height: 360, margin: { l: 20, r: 20, t: 40, b: 40 }, yaxis: { automargin: true } }),
      );
      $("cap-partners").innerHTML = sourceNote(d.sources, `HS6 codes of ${commodity}; total ${fmt(d.total_value_kusd)} kUSD.`);
      box.dataset.kind = "partners";
    }
  } catch (e) {
    clearPlot(box);
    showProblem(box, e, "trade");
    $("cap-partners").innerHTML = "";
  }
}

async function loadSubject() {
  document.body.dataset.countryReady = "";
  await Promise.all([loadRanking(), loadMatrix()]);
  await loadTrade();
  document.body.dataset.countryReady = $("ct-subject").value;
}

/** Wire the controls of the countries and blocs tab. */
export async function initCountry() {
  $("ct-subject").innerHTML = SUBJECTS.map(([v, l]) => `<option value="${v}">${esc(l)}</option>`).join("");
  try {
    const years = await getJSON("/risk/years");
    $("ct-year").innerHTML = years
      .slice()
      .reverse()
      .map((y) => `<option value="${y}">${y}</option>`)
      .join("");
  } catch {
    $("ct-year").innerHTML = "";
  }
  $("ct-commodity").innerHTML = `<option value="lithium">Lithium</option>`;
  $("ct-subject").addEventListener("change", loadSubject);
  $("ct-year").addEventListener("change", loadSubject);
  $("ct-commodity").addEventListener("change", loadTrade);
  await loadSubject();
}
