// Sources and API: every dataset and file the figures come from, the server's limits and the
// REST endpoints (read from the OpenAPI schema).

import { esc, getJSON, showProblem } from "./api.js";

const $ = (id) => document.getElementById(id);

/** Fill the sources tab. */
export async function initSources() {
  try {
    const [datasets, files, limits, version] = await Promise.all([
      getJSON("/datasets"),
      getJSON("/sources"),
      getJSON("/limits"),
      getJSON("/version"),
    ]);
    $("src-version").textContent = `critmin ${version.critmin}, API ${version.api}, dataset built ${version.dataset_built_at || "?"}`;
    $("tbl-datasets").innerHTML =
      `<table class="data" id="datasets-table"><thead><tr><th>dataset</th><th>title</th><th>edition</th><th>publisher</th><th>licence</th></tr></thead><tbody>` +
      datasets.map((d) => `<tr><td><code>${esc(d.dataset)}</code></td><td>${esc(d.title)}</td><td>${esc(d.edition)}</td><td>${esc(d.publisher)}</td><td>${esc(d.licence)}</td></tr>`).join("") +
      "</tbody></table>";
    $("tbl-files").innerHTML =
      `<details><summary>${files.length} source files with SHA-256 checksums</summary><table class="data"><thead><tr><th>file</th><th>family</th><th class="num">bytes</th><th>sha256</th></tr></thead><tbody>` +
      files.map((f) => `<tr><td><code>${esc(f.source_id)}</code></td><td>${esc(f.family)}</td><td class="num">${f.bytes ?? ""}</td><td><code>${esc((f.sha256 || "").slice(0, 16))}…</code></td></tr>`).join("") +
      "</tbody></table></details>";
    $("tbl-limits").innerHTML = `<ul>${Object.entries(limits).map(([k, v]) => `<li><code>${esc(k)}</code>: ${esc(v)}</li>`).join("")}</ul>`;
    const spec = await fetch("/api/v1/openapi.json").then((r) => r.json());
    const rows = [];
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) rows.push(`<tr><td><code>${method.toUpperCase()}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary || "")}</td></tr>`);
    }
    $("tbl-endpoints").innerHTML = `<table class="data"><thead><tr><th></th><th>path</th><th>what</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  } catch (e) {
    showProblem($("tbl-datasets"), e, "sources");
  }
}
