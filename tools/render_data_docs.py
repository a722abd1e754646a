"""Render docs/data.md from critmin.ingest.schema (kept in sync by tests/test_docs.py)."""

from pathlib import Path

from critmin.ingest._common import FLAGS, MEASURES, STAGES
from critmin.ingest.schema import POLICY_TABLES, TABLES

DOC = Path(__file__).resolve().parents[1] / "docs" / "data.md"


def render() -> str:
    """Return the page's Markdown."""
    lines = [
        "# The critmin dataset",
        "",
        "critmin ships a dataset built by its own ingest code (`src/critmin/ingest/`) from the agency",
        "files in `../shared/data` (see `critmin data sources`). It is a folder of parquet tables plus",
        "`manifest.json` (critmin version, build time, and every source file with its size and SHA-256).",
        "Rebuild it with `critmin data build --from DIR`; the build is atomic and reports how stated",
        "world totals reconcile.",
        "",
        "Every row carries `source_id` (the source file, relative to the source folder) and",
        "`source_row` (its 1-based line in that file; the header is line 1; for the IEA workbook,",
        "the sheet row).",
        "",
        "This page is generated from `critmin.ingest.schema` (`python tools/render_data_docs.py`).",
        "",
    ]
    for table, cols in TABLES.items():
        lines += [f"## `{table}`", "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{c}` | {d} |" for c, d in cols.items()] + [""]
    lines += [
        "## Policy and reference tables",
        "",
        "`" + "`, `".join(POLICY_TABLES) + "`, plus `import_source_counts`, `critical_us_2025`, "
        "`demand` (IEA demand by technology and scenario) and `wmd_hs_map`; their columns are "
        "documented by their readers in `critmin.ingest.policy`, `critmin.ingest.iea` and "
        "`critmin.ingest.wmd`.",
        "",
        "## Stages",
        "",
        ", ".join(f"`{s}`" for s in STAGES),
        "",
        "## Measures",
        "",
        ", ".join(f"`{m}`" for m in MEASURES),
        "",
        "## Flags",
        "",
        "| flag | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {v} |" for k, v in FLAGS.items()] + [""]
    lines += [
        "## Aggregates",
        "",
        "Codes that are not countries are listed in `src/critmin/catalog/aggregates.csv`: `WLD` a",
        "stated world total, `ROW` other countries / rest of world, `EUU` the European Union, and",
        "composite rows such as `USA_CAN`. A stated world total is kept as published, never replaced",
        "by the sum of countries; `critmin data check` shows the difference and its explanation.",
        "",
        "### `S19`: Taiwan in BACI",
        "",
        'BACI reports Taiwan\'s trade under partner code 490 "Other Asia, nes" (ISO3-like code `S19`),',
        "the UN Comtrade convention; BACI's own country list does not name the economy. Two files",
        "among the sources do: World Mining Data files its Taiwan rows under 490 / `S19`, and the",
        'BACI–WGI crosswalk (`concordance/correspondence_BACI_WGI.csv`) matches "Taiwan, China"',
        '(`TWN`) to BACI 490. critmin therefore prints `S19` as "Other Asia, nes (Taiwan)", but keeps',
        "the code apart from `TWN`: the trade figures stay under the code the source used, so a flow is",
        "never counted twice, and `TWN` rows (USGS, WGI) are not merged with BACI's `S19` rows.",
        "",
    ]
    lines += _usgs_section()
    return "\n".join(lines)


def _usgs_section() -> list[str]:
    """USGS editions, default stage, headline series and basis (critmin.ingest.headline)."""
    from critmin.ingest.build import USGS_COMMODITY_UNIFY
    from critmin.ingest.headline import rules_table

    lines = [
        "## USGS: editions, default stage, headline series, basis",
        "",
        "**Editions.** The dataset holds every MCS edition found (`usgs_mcs2025`, `usgs_mcs2026`).",
        "`critmin.production`, `reserves` and `capacity` answer each commodity, stage and year from",
        "the newest edition that publishes it (MCS 2026 revises the 2024 figures MCS 2025 gave as",
        "estimates), so a default query has one row per country and year. `edition=2025`",
        "(`critmin production ... --edition 2025`) returns that edition's figures as published.",
        "",
        "**Default stage.** Without a stage the commodity's headline stage is used: `mine` where",
        "USGS publishes mine production, else the first stage the newest edition publishes",
        "(silicon: `smelter`); the CLI says which on stderr.",
        "",
        "**Headline series.** One series per commodity, stage and measure, the same in every year",
        "and edition (a per-year 'largest world total' would flip silicon between silicon metal and",
        "ferrosilicon). Where USGS publishes several series the choice is a rule on the text",
        "`<series> [<basis>]` (`critmin.ingest.headline.HEADLINE_RULES`); elsewhere the one",
        "published series is the headline. `series='all'` returns every series. The rules:",
        "",
        "| commodity | stage | measure | pattern | why |",
        "|---|---|---|---|---|",
    ]
    for r in rules_table().itertuples():
        pat = r.pattern.replace("|", "\\|")
        lines.append(f"| {r.commodity_id} | {r.stage} | {r.measure} | `{pat}` | {r.reason} |")
    lines += [
        "",
        "**Commodity ids across editions.** Where MCS 2025 files rows under another name than",
        "MCS 2026, the build gives them the newest edition's id (`commodity_source` keeps the",
        "published name; `critmin.ingest.build.USGS_COMMODITY_UNIFY`):",
        "",
        "| published id | stage | series | id | why |",
        "|---|---|---|---|---|",
    ]
    for old, stage, series, new, why in USGS_COMMODITY_UNIFY:
        ser = f"`{series}`" if series else "any"
        lines.append(f"| {old} | {stage or 'any'} | {ser} | {new} | {why} |")
    lines += [
        "",
        "**Basis and units.** `basis` comes from the row's label, then from a basis the row's",
        "note states (chromium: 'Mine production and ore reserves are reported in gross weight.';",
        "strontium: 'Gross weight of celestite in tons.'), then the section title, then the",
        "chapter's '(Data in … unless otherwise specified)' note; so chromium and strontium are",
        "`gross weight`, not content (MCS 2025's strontium table, labelled 'strontium content',",
        "holds the same celestite figures and is read as gross weight). 'thousand metric dry tons'",
        "(bauxite, alumina) is unit `kt`, convertible to `t` by `critmin.units.convert`, with",
        "`dry weight` in the basis.",
        "",
    ]
    return lines


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
