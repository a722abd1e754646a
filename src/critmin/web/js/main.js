// The dashboard's entry point: tabs (#overview, #country, #scenarios, #recovery, #plan, #sources),
// each loaded the first time it is shown.

import { initCountry } from "./country.js";
import { initOverview } from "./overview.js";
import { initPlan } from "./plan.js";
import { initRecovery } from "./recovery.js";
import { initScenarios } from "./scenarios.js";
import { initSources } from "./sources.js";

const TABS = {
  overview: initOverview,
  country: initCountry,
  scenarios: initScenarios,
  recovery: initRecovery,
  plan: initPlan,
  sources: initSources,
};
const started = {};

function show(name, arg) {
  if (!TABS[name]) name = "overview";
  for (const t of Object.keys(TABS)) {
    document.getElementById(`tab-${t}`).hidden = t !== name;
    document.querySelector(`nav a[data-tab="${t}"]`).classList.toggle("active", t === name);
  }
  if (!started[name]) {
    started[name] = TABS[name](arg).catch((e) => {
      console.error(e);
      const el = document.getElementById(`tab-${name}`);
      el.insertAdjacentHTML("afterbegin", `<div class="notice error"><strong>Could not load this page</strong><p>${String(e.message || e)}</p></div>`);
    });
  } else {
    // plotly sizes figures when they are visible
    window.dispatchEvent(new Event("resize"));
  }
  return started[name];
}

function route() {
  const [name, arg] = (location.hash.replace(/^#/, "") || "overview").split("/");
  return show(name, arg ? decodeURIComponent(arg) : undefined);
}

window.addEventListener("hashchange", route);
route();
