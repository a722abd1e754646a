// Talking to the critmin REST API (/api/v1), and the small helpers every page uses.

export const API = "/api/v1";

/** An API error: HTTP status, the server's message and its suggestions. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body || {};
  }
}

/** GET a JSON resource; `params` values that are arrays become repeated parameters. */
export async function getJSON(path, params = {}) {
  const url = new URL(API + path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  }
  const r = await fetch(url);
  return handle(r);
}

const KEY_STORE = "critmin-api-key";

/** The server's API key: from `?key=` once (then dropped from the address bar), kept for the tab. */
export function apiKey() {
  const url = new URL(window.location.href);
  const given = url.searchParams.get("key");
  if (given) {
    sessionStorage.setItem(KEY_STORE, given);
    url.searchParams.delete("key");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(KEY_STORE) || "";
}
apiKey();

/** POST (or another method) a JSON body, with the API key (compute jobs and writes need it). */
export async function sendJSON(path, body, method = "POST", headers = {}) {
  const key = apiKey();
  const r = await fetch(API + path, {
    method,
    headers: { "Content-Type": "application/json", ...(key ? { "X-API-Key": key } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return handle(r);
}

async function handle(r) {
  let body = null;
  const text = await r.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { detail: text };
  }
  if (!r.ok) {
    throw new ApiError(r.status, (body && body.detail) || r.statusText, body);
  }
  return body;
}

/** Poll a job until it is done, failed or cancelled; call onProgress(job) on every poll. */
export async function pollJob(statusUrl, onProgress, intervalMs = 300) {
  for (;;) {
    const r = await fetch(statusUrl);
    const job = await handle(r);
    onProgress(job);
    if (["done", "failed", "cancelled"].includes(job.status)) return job;
    await new Promise((res) => setTimeout(res, intervalMs));
  }
}

const nf3 = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });
const nf0 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A figure for people: thousands separators, about three significant digits. */
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return Math.abs(v) >= 100 ? nf0.format(v) : nf3.format(v);
}

/** A 0-1 share as a percentage. */
export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return `${(100 * v).toFixed(digits)}%`;
}

/** Escape text for HTML. */
export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** The footnote of a figure: one line per dataset and file, with edition, rows and years. */
export function sourceNote(sources, extra = "") {
  if (!sources || !sources.length) return extra ? `Source: ${esc(extra)}` : "";
  const parts = sources.map((s) => {
    const ed = s.edition ? `, ${esc(s.edition)}` : "";
    const file = s.source_id ? ` &ndash; <code>${esc(s.source_id)}</code>` : "";
    const rows = s.rows ? ` lines ${esc(s.rows)}` : "";
    const yrs = s.years && s.years.length ? `; data year${s.years.length > 1 ? "s" : ""} ${yearsText(s.years)}` : "";
    return `<span class="src" data-dataset="${esc(s.dataset)}">${esc(s.title)}${ed} (<code>${esc(s.dataset)}</code>)${file}${rows}${yrs}</span>`;
  });
  return `Source: ${parts.join("; ")}${extra ? `. ${esc(extra)}` : ""}`;
}

function yearsText(years) {
  const ys = [...new Set(years)].sort();
  return ys.length > 3 ? `${ys[0]}–${ys[ys.length - 1]}` : ys.join(", ");
}

/** Show an error or a "not available yet" notice in an element. */
export function showProblem(el, err, what = "") {
  const na = err instanceof ApiError && err.status === 501;
  el.innerHTML = `<div class="notice ${na ? "na" : "error"}" data-status="${err.status || ""}">
    <strong>${na ? "Not available yet" : "Could not load " + esc(what)}</strong>
    <p>${esc(err.message)}</p></div>`;
  el.hidden = false;
}

/** Plotly's config for every figure: no logo, geometry from this server. */
export const PLOT_CONFIG = {
  displaylogo: false,
  responsive: true,
  topojsonURL: "/static/topojson/",
  modeBarButtonsToRemove: ["lasso2d", "select2d"],
};

/** Common layout. */
export function layout(extra = {}) {
  return {
    margin: { l: 60, r: 20, t: 40, b: 50 },
    font: { family: "system-ui, sans-serif", size: 12 },
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    ...extra,
  };
}

/** Draw (or redraw) a plotly figure in an element, clearing any notice shown there. */
export function plot(el, data, lay) {
  const box = typeof el === "string" ? document.getElementById(el) : el;
  if (!box._fullLayout) box.innerHTML = "";
  return Plotly.react(box, data, lay, PLOT_CONFIG);
}

/** Empty a figure's element and show a message or a problem instead. */
export function clearPlot(el, html = "") {
  const box = typeof el === "string" ? document.getElementById(el) : el;
  if (box._fullLayout) Plotly.purge(box);
  box.innerHTML = html;
}
