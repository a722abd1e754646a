"""Wire schemas of the REST API (pydantic), apart from critmin's domain objects.

Every table the API returns carries, per row, the ``dataset`` it comes from and its
``source_id`` (file) and ``source_row`` (line), and, per response, a ``sources`` list
naming each dataset's publisher, edition and the rows used, so a figure shown anywhere can
be traced back to the line of the agency file it came from.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BlocShareRow",
    "BlocShareTable",
    "Commodity",
    "CommodityDetail",
    "ConcentrationRow",
    "ConcentrationTable",
    "Country",
    "Coverage",
    "DatasetInfo",
    "ExportControlRow",
    "ExportControlTable",
    "GenericTable",
    "Group",
    "Health",
    "ImportRequest",
    "ImportResult",
    "ImportSourceRow",
    "ImportSourceTable",
    "JobOut",
    "Limits",
    "ObservationRow",
    "ObservationTable",
    "Problem",
    "RecoveryRequest",
    "ScenarioPreset",
    "ScenarioRequest",
    "SourceFile",
    "SourceRef",
    "TradePartnerRow",
    "TradePartnerTable",
    "TradeRow",
    "TradeTable",
    "Version",
]

#: Names of saved things (scenarios, recovery runs, imports): letters, digits, ``-``, ``_``.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Problem(_Out):
    """An error: what went wrong and how to fix it."""

    detail: str = Field(description="What is wrong and how to fix it.")
    error: str = Field(description="Error class, e.g. UnknownCommodity, ValidationError.")
    suggestions: list[str] = Field(default_factory=list, description="Nearest known names.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Every failing field (validation errors)."
    )


class SourceRef(_Out):
    """Where the figures of a response come from."""

    dataset: str = Field(description="Dataset id, e.g. usgs_mcs2026.")
    title: str
    publisher: str
    edition: str = Field(description="Edition of the publication, e.g. 'MCS 2026'.")
    licence: str = ""
    url: str = ""
    source_id: str = Field(default="", description="File inside the source release.")
    rows: str = Field(default="", description="Lines of that file used, e.g. '4248-4259'.")
    years: list[int] = Field(default_factory=list, description="Data years used.")


class Commodity(_Out):
    """A commodity of the catalog."""

    commodity_id: str
    name: str
    kind: str | None = None
    parent: str | None = None
    symbol: str | None = None
    hs6: list[str] = Field(default_factory=list)
    lists: list[str] = Field(default_factory=list, description="Critical lists it is on.")


class Coverage(_Out):
    """What the dataset holds for a commodity: one row per dataset x stage x measure."""

    dataset: str
    stage: str | None = None
    measure: str
    first_year: int
    last_year: int
    rows: int


class CommodityDetail(Commodity):
    """A commodity with its names in each source and what the dataset holds for it."""

    names: dict[str, str] = Field(default_factory=dict, description="Name in each source.")
    coverage: list[Coverage] = Field(default_factory=list)


class Country(_Out):
    """A country of the catalog."""

    iso3: str
    iso2: str | None = None
    name: str


class Group(_Out):
    """A country group (MSP, QUAD, US_FTA, TRUST, ...)."""

    group_id: str
    members: list[str] = Field(description="ISO3 members.")
    members_as_published: list[str] = Field(default_factory=list)
    source: str = ""


class ObservationRow(_Out):
    """One figure: production, reserves or capacity of a country (or a world total)."""

    commodity_id: str
    series: str | None = None
    stage: str | None = None
    measure: str
    year: int
    country_iso3: str | None = Field(default=None, description="ISO3; WLD = stated world total.")
    country: str | None = None
    country_source: str | None = Field(default=None, description="Spelling in the source.")
    value: float | None = Field(default=None, description="null where withheld or missing.")
    unit: str | None = None
    basis: str | None = None
    share: float | None = Field(default=None, description="Share of the world total [0-1].")
    world_total: float | None = None
    flag: str | None = None
    projection: bool | None = Field(
        default=None, description="True for a projection (IEA base case), not a recorded figure."
    )
    dataset: str
    source_id: str | None = None
    source_row: int | None = None


class ObservationTable(_Out):
    """Rows of one measure for one commodity, with their sources."""

    commodity_id: str
    name: str
    measure: str
    count: int
    truncated: bool = Field(description="True when rows were cut at the row limit.")
    rows: list[ObservationRow]
    sources: list[SourceRef]


class ExportControlRow(_Out):
    """An export ban, quota or licensing regime in force."""

    country_iso3: str | None = None
    country_source: str | None = None
    control_type: str | None = None
    commodity_id: str | None = None
    commodity_source: str | None = None
    qualifier: str | None = None
    year_imposed: int | None = None
    url: str | None = None
    source_id: str | None = None
    source_row: int | None = None


class ExportControlTable(_Out):
    """Export controls, with their source."""

    count: int
    rows: list[ExportControlRow]
    sources: list[SourceRef]


class ImportSourceRow(_Out):
    """A U.S. import source of a commodity (USGS MCS Fig. 3)."""

    commodity_id: str
    country_iso3: str | None = None
    country_source: str | None = None
    share_pct: float | None = None
    nir_pct: float | None = Field(default=None, description="Published net import reliance [%].")
    nir_flag: str | None = None
    period: str | None = None
    edition: str | None = None
    source_id: str | None = None
    source_row: int | None = None


class ImportSourceTable(_Out):
    """U.S. import sources, with their source."""

    count: int
    rows: list[ImportSourceRow]
    sources: list[SourceRef]


class TradeRow(_Out):
    """One bilateral flow (CEPII BACI)."""

    year: int
    exporter_iso3: str | None = None
    importer_iso3: str | None = None
    hs6: str
    commodity_id: str | None = None
    value_kusd: float | None = Field(default=None, description="Value [1000 USD].")
    quantity_t: float | None = Field(default=None, description="Quantity [t].")
    source_id: str | None = None
    source_row: int | None = None


class TradeTable(_Out):
    """A page of bilateral flows."""

    count: int = Field(description="Rows matching the filters (all pages).")
    limit: int
    offset: int
    truncated: bool
    rows: list[TradeRow]
    sources: list[SourceRef]


class TradePartnerRow(_Out):
    """Flows summed by partner."""

    partner_iso3: str | None = None
    partner: str | None = None
    value_kusd: float | None = None
    quantity_t: float | None = None
    share_value: float | None = Field(default=None, description="Share of the total value.")
    hs6: list[str] = Field(default_factory=list)


class TradePartnerTable(_Out):
    """A country's imports (or exports) of a commodity by partner for one year."""

    commodity_id: str
    country_iso3: str
    flow: Literal["imports", "exports"]
    year: int
    total_value_kusd: float
    total_quantity_t: float | None = None
    rows: list[TradePartnerRow]
    sources: list[SourceRef]


class ConcentrationRow(_Out):
    """Concentration of one stage in one year.

    (:func:`critmin.assessments.concentration.concentration`).
    """

    commodity_id: str
    stage: str | None = None
    measure: str
    year: int
    source: str
    dataset: str
    series: str | None = None
    unit: str | None = None
    basis: str | None = None
    world_total: float | None = Field(default=None, description="Stated, else the country sum.")
    world_total_stated: bool | None = None
    countries_sum: float | None = None
    share_basis: str | None = None
    n_producers: int | None = None
    n_withheld: int | None = None
    top1_country: str | None = Field(default=None, description="ISO3 of the largest producer.")
    top1_name: str | None = None
    top1_share: float | None = None
    top3_share: float | None = None
    hhi_fraction: float | None = Field(default=None, description="HHI as a fraction [0-1].")
    hhi_points: float | None = Field(default=None, description="HHI [0-10,000].")
    coverage: float | None = None
    other_share: float | None = None
    unreported_share: float | None = None
    hhi_points_upper: float | None = Field(
        default=None,
        description="HHI [0-10,000] if the unnamed rest (Other countries, Rest of world) were "
        "one producer; hhi_points is the lower bound.",
    )
    projection: bool | None = Field(
        default=None, description="True for a projection year (IEA base case)."
    )


class ConcentrationTable(_Out):
    """Concentration per stage and year."""

    commodity_id: str
    name: str
    rows: list[ConcentrationRow]
    sources: list[SourceRef]


class BlocShareRow(_Out):
    """Share of world supply from a group.

    (:func:`critmin.assessments.concentration.bloc_supply`).
    """

    commodity_id: str
    stage: str | None = None
    measure: str
    year: int
    source: str
    dataset: str
    series: str | None = None
    unit: str | None = None
    basis: str | None = None
    group: str
    n_members: int | None = None
    members_producing: str | None = Field(default=None, description="';'-joined ISO3.")
    bloc_total: float | None = None
    world_total: float | None = None
    bloc_share: float | None = None
    top_member: str | None = None
    top_member_share: float | None = None
    members_withheld: str | None = Field(
        default=None, description="';'-joined ISO3 of members whose figure is withheld (W)."
    )
    share_is_lower_bound: bool | None = Field(
        default=None, description="A member is withheld: the true share is at least bloc_share."
    )


class BlocShareTable(_Out):
    """Bloc share per stage and year."""

    commodity_id: str
    group: str
    members: list[str]
    rows: list[BlocShareRow]
    sources: list[SourceRef]


class GenericTable(_Out):
    """A table from an assessment module: column names and rows as objects."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    count: int
    truncated: bool = False
    sources: list[SourceRef] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


class DatasetInfo(_Out):
    """A dataset of the build, with its publisher and edition."""

    dataset: str
    family: str
    title: str
    publisher: str
    edition: str
    licence: str
    url: str


class SourceFile(_Out):
    """A source file the dataset was built from."""

    source_id: str
    family: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    publisher: str | None = None
    licence: str | None = None
    url: str | None = None


class Health(_Out):
    """Server health and which optional modules are present."""

    status: Literal["ok"]
    version: str
    dataset_built_at: str | None = None
    modules: dict[str, bool]
    writes_enabled: bool


class Version(_Out):
    """Versions of critmin, the API and the dataset."""

    critmin: str
    api: str
    dataset_built_at: str | None = None
    datasets: list[str]


class Limits(_Out):
    """Bounds the server enforces."""

    max_rows: int
    max_body_bytes: int
    max_draws: int
    max_list_values: int
    max_parameter_rows: int
    max_horizon_years: int
    workers: int
    max_queued: int
    job_mode: str


class ImportRequest(BaseModel):
    """A user data file to import into the workspace (the CSV format of ``critmin data import``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME_PATTERN, description="Dataset name (becomes user:<name>).")
    csv: str = Field(min_length=1, description="The CSV text (UTF-8).")


class ImportResult(_Out):
    """What an import stored."""

    name: str
    dataset: str
    rows: int


class ScenarioRequest(BaseModel):
    """A scenario job: a preset by id (with its parameters), or a full spec."""

    model_config = ConfigDict(extra="forbid")
    preset: str | None = Field(default=None, max_length=100, examples=["china_ree_2025"])
    params: dict[str, Any] | None = Field(
        default=None, description='Preset parameters, e.g. {"cut": 0.5}.'
    )
    spec: dict[str, Any] | None = Field(
        default=None, description="A scenario spec as in docs/scenarios.md (instead of a preset)."
    )
    draws: int | None = Field(default=None, ge=1, description="Overrides the spec's draws.")
    focus: list[str] = Field(
        default_factory=list, max_length=20, description="Importers (ISO3) always reported."
    )
    save_as: str | None = Field(
        default=None, pattern=NAME_PATTERN, description="Save the run (needs the API key)."
    )


class ScenarioPreset(_Out):
    """A preset scenario (a real export control, USGS MCS 2026 T4)."""

    name: str
    title: str = ""
    description: str = ""
    source: dict[str, Any] = Field(default_factory=dict, description="The T4 row.")
    parameters: dict[str, Any] = Field(default_factory=dict)
    unrepresented: dict[str, str] = Field(default_factory=dict)
    spec: dict[str, Any]


class RecoveryRequest(BaseModel):
    """A recovery run: parameters (rows or CSV text) and IEA inflows."""

    model_config = ConfigDict(extra="forbid")
    parameters: list[dict[str, Any]] | None = Field(
        default=None,
        description="Parameter rows (columns parameter, product, element, process, value, "
        "unit, ...; see docs/recovery.md).",
    )
    parameters_csv: str | None = Field(default=None, description="The same as CSV text.")
    scenario: str = Field(default="STEPS", max_length=40)
    region: str = Field(default="World", max_length=60)
    first_year: int | None = Field(default=None, ge=1900, le=2200)
    last_year: int | None = Field(default=None, ge=1900, le=2200)
    elements: list[str] | None = Field(default=None, max_length=50)
    collection: list[float] | None = Field(default=None, max_length=20)
    recovery: list[float] | None = Field(default=None, max_length=20)
    save_as: str | None = Field(
        default=None, pattern=NAME_PATTERN, description="Save the run (needs the API key)."
    )


class JobOut(_Out):
    """An asynchronous job and, once done, its result."""

    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(description="Fraction done [0-1].")
    message: str
    created: float
    started: float | None = None
    finished: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    status_url: str
