"""Scenario specifications: shocks, responses, horizon, draws and seed.

A scenario is written as a YAML or JSON file (or a dict) and validated by the pydantic v2
models here.  Every validation failure is collected and re-raised as one
:class:`~critmin.errors.ScenarioError` whose message names, for each failure, the field
path (``shocks[0].cut``), the bad value and the fix.  The list of failures is also
available as ``err.errors`` (dicts with ``path``, ``value``, ``problem`` and ``fix``).

Example (YAML)::

    name: china-ree-ban
    base_year: 2023
    horizon: {start: 2025, end: 2029}
    shocks:
      - country: CHN
        commodities: ["280530", "284690"]
        cut: {triangular: [0.3, 0.6, 0.9]}
        destinations: {all_except: [RUS]}
        start_year: 2025
        duration: 2            # [years]
    responses:
      spare_capacity:
        by_country: {AUS: {uniform: [0.0, 0.2]}}
        ramp_up_years: 2
      stockpile_days: {by_country: {JPN: 60}}
    draws: 10000
    seed: 42

Every response defaults to *no response* (zero).  critmin ships no "typical" elasticity,
ramp-up or stockpile figure: they are user-supplied, and a parameter whose effect depends
on another one (spare capacity needs its ramp-up time) makes that one required.

Distributions
-------------
A scalar parameter is a number (shorthand for ``{fixed: x}``) or exactly one of

* ``{fixed: x}``
* ``{uniform: [a, b]}`` -- uniform on [a, b]
* ``{triangular: [lo, mode, hi]}``
* ``{beta: [a, b]}`` -- beta on [0, 1]; add ``range: [lo, hi]`` to rescale it.
"""

from __future__ import annotations

import json
import logging
import math
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from critmin.errors import ScenarioError, nearest

__all__ = [
    "DIST_KINDS",
    "CommodityParam",
    "CountryParam",
    "Destinations",
    "Dist",
    "Horizon",
    "Responses",
    "ScenarioSpec",
    "Shock",
    "SpareCapacity",
    "StockpileDays",
    "load_spec",
]

logger = logging.getLogger(__name__)

#: The distribution kinds a scalar parameter may take.
DIST_KINDS: tuple[str, ...] = ("fixed", "uniform", "triangular", "beta")

_DIST_FIX = (
    "write a number or exactly one of {fixed: x}, {uniform: [a, b]}, "
    "{triangular: [lo, mode, hi]}, {beta: [a, b]} (optionally with range: [lo, hi])"
)


def _fail(problem: str, fix: str, value: Any = None, path: str = "") -> PydanticCustomError:
    """Build the one error type the spec validators raise (message, fix, bad value, sub-path)."""
    return PydanticCustomError(
        "critmin", "{problem}", {"problem": problem, "fix": fix, "value": value, "path": path}
    )


def _finite(values: Any) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


class Dist(BaseModel):
    """A scalar parameter: a fixed value or a probability distribution.

    Exactly one of the fields is set.  A plain number validates as ``{fixed: x}``.

    Attributes
    ----------
    fixed : float, optional
        A fixed value.
    uniform : tuple of 2 floats, optional
        Uniform on [a, b].
    triangular : tuple of 3 floats, optional
        Triangular with lower limit, mode and upper limit.
    beta : tuple of 2 floats, optional
        Beta with shape parameters a, b > 0, on [0, 1] or on `range`.
    range : tuple of 2 floats, optional
        Rescales a beta distribution to [lo, hi]; only with `beta`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    fixed: float | None = None
    uniform: tuple[float, float] | None = None
    triangular: tuple[float, float, float] | None = None
    beta: tuple[float, float] | None = None
    range: tuple[float, float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, Dist):
            return value
        if isinstance(value, bool) or value is None:
            raise _fail("not a number or a distribution", _DIST_FIX, value)
        if isinstance(value, int | float):
            return {"fixed": value}
        if isinstance(value, str):
            try:
                return {"fixed": float(value)}
            except ValueError:
                raise _fail("not a number or a distribution", _DIST_FIX, value) from None
        if not isinstance(value, Mapping):
            raise _fail("not a number or a distribution", _DIST_FIX, value)
        kinds = [k for k in value if k != "range"]
        unknown = [k for k in kinds if k not in DIST_KINDS]
        if unknown:
            near = nearest(str(unknown[0]), DIST_KINDS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise _fail(f"unknown distribution {unknown[0]!r}{hint}", _DIST_FIX, dict(value))
        if len(kinds) != 1:
            raise _fail(
                f"give exactly one distribution, got {len(kinds)} ({', '.join(kinds) or 'none'})",
                _DIST_FIX,
                dict(value),
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> Dist:
        kind = self.kind
        params = self.params
        if not _finite(params) or (self.range is not None and not _finite(self.range)):
            raise _fail("parameters must be finite numbers", _DIST_FIX, self.describe())
        if self.range is not None and kind != "beta":
            raise _fail("range applies only to a beta distribution", "remove range", self.range)
        if kind == "uniform" and params[0] > params[1]:
            raise _fail(
                "uniform bounds are reversed",
                "write {uniform: [low, high]} with low <= high",
                list(params),
            )
        if kind == "triangular" and not params[0] <= params[1] <= params[2]:
            raise _fail(
                "triangular parameters are out of order",
                "write {triangular: [lo, mode, hi]} with lo <= mode <= hi",
                list(params),
            )
        if kind == "beta" and min(params) <= 0:
            raise _fail(
                "beta shape parameters must be > 0",
                "write {beta: [a, b]} with a, b > 0",
                list(params),
            )
        if self.range is not None and self.range[0] >= self.range[1]:
            raise _fail(
                "range is empty or reversed", "write range: [lo, hi] with lo < hi", list(self.range)
            )
        return self

    @property
    def kind(self) -> str:
        """The distribution kind: one of :data:`DIST_KINDS`."""
        for k in DIST_KINDS:
            if getattr(self, k) is not None:
                return k
        return "fixed"  # unreachable after validation

    @property
    def params(self) -> tuple[float, ...]:
        """The distribution's parameters as a tuple."""
        p = getattr(self, self.kind)
        return (p,) if self.kind == "fixed" else tuple(p)

    @property
    def support(self) -> tuple[float, float]:
        """The smallest interval holding every value the parameter can take."""
        kind, p = self.kind, self.params
        if kind == "fixed":
            return (p[0], p[0])
        if kind == "uniform":
            return (p[0], p[1])
        if kind == "triangular":
            return (p[0], p[2])
        return self.range if self.range is not None else (0.0, 1.0)

    @property
    def is_zero(self) -> bool:
        """True if the parameter is identically zero."""
        return self.support == (0.0, 0.0)

    def describe(self) -> str:
        """Return a compact text form, e.g. ``uniform[0.1, 0.3]`` or ``0.5``."""
        if self.kind == "fixed":
            return f"{self.params[0]:g}"
        body = ", ".join(f"{v:g}" for v in self.params)
        rng = f" on [{self.range[0]:g}, {self.range[1]:g}]" if self.range else ""
        return f"{self.kind}[{body}]{rng}"

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw `n` values.

        Parameters
        ----------
        rng : numpy.random.Generator
            The generator (one per parameter; see :mod:`critmin.scenarios.engine`).
        n : int
            Number of draws.

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``, float64.
        """
        kind, p = self.kind, self.params
        if kind == "fixed":
            return np.full(n, float(p[0]))
        if kind == "uniform":
            if p[0] == p[1]:
                return np.full(n, float(p[0]))
            return rng.uniform(p[0], p[1], n)
        if kind == "triangular":
            if p[0] == p[2]:
                return np.full(n, float(p[0]))
            return rng.triangular(p[0], p[1], p[2], n)
        lo, hi = self.range if self.range is not None else (0.0, 1.0)
        return lo + (hi - lo) * rng.beta(p[0], p[1], n)


def _bounded(lo: float, hi: float, what: str, example: str) -> AfterValidator:
    """Make an after-validator requiring a :class:`Dist`'s support to lie in [lo, hi]."""

    def check(d: Dist) -> Dist:
        s_lo, s_hi = d.support
        if s_lo < lo or s_hi > hi:
            upper = "inf" if math.isinf(hi) else f"{hi:g}"
            what_ = "outside" if d.kind == "fixed" else f"{d.kind} reaches outside"
            raise _fail(
                f"{what_} [{lo:g}, {upper}]",
                f"give {what}, e.g. {example}",
                d.describe() if d.kind != "fixed" else d.params[0],
            )
        return d

    return AfterValidator(check)


#: A cut of exports: fraction in [0, 1].
CutFraction = Annotated[
    Dist, _bounded(0.0, 1.0, "the cut as a fraction of exports in [0, 1]", "0.5 for a 50% cut")
]
#: A fraction in [0, 1] (substitution, demand response, recycling availability).
UnitFraction = Annotated[Dist, _bounded(0.0, 1.0, "a fraction in [0, 1]", "0.1")]
#: A non-negative fraction of base-year production (spare capacity).
SpareFraction = Annotated[
    Dist,
    _bounded(0.0, math.inf, "a non-negative fraction of base-year production", "0.1 for 10%"),
]
#: Days of consumption (stockpiles), >= 0.
Days = Annotated[Dist, _bounded(0.0, math.inf, "a number of days >= 0", "60")]
#: Years (ramp-up time), >= 0.
Years = Annotated[Dist, _bounded(0.0, math.inf, "a number of years >= 0", "0 for immediate")]


def _iso3(value: Any, path: str = "") -> str:
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
        raise _fail(
            "not an ISO3 country code", "use the three-letter ISO3 code, e.g. 'CHN'", value, path
        )
    return value.strip().upper()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Destinations(_Strict):
    """Which importers a shock cuts.

    Written in a spec as ``all`` (the default), a list of ISO3 codes or group ids (only
    those), or ``{all_except: [ISO3 or group ids]}``.  Group ids are resolved when the spec
    is bound to a network, by the caller's ``resolve_group`` function.

    Attributes
    ----------
    mode : {'all', 'only', 'all_except'}
        The selection mode.
    ids : list of str
        ISO3 codes or group ids (empty for ``all``).
    """

    mode: Literal["all", "only", "all_except"] = "all"
    ids: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        fix = "write 'all', a list of ISO3 codes or group ids, or {all_except: [ids]}"
        if isinstance(value, Destinations):
            return value
        if value is None or value == "all":
            return {"mode": "all", "ids": []}
        if isinstance(value, str):
            return {"mode": "only", "ids": [value]}
        if isinstance(value, list | tuple):
            if not value:
                raise _fail("the list of destinations is empty", fix, value)
            return {"mode": "only", "ids": list(value)}
        if isinstance(value, Mapping):
            if set(value) == {"all_except"}:
                ids = value["all_except"]
                ids = [ids] if isinstance(ids, str) else ids
                if not isinstance(ids, list | tuple) or not ids:
                    raise _fail("all_except needs a non-empty list", fix, value)
                return {"mode": "all_except", "ids": list(ids)}
            if set(value) <= {"mode", "ids"}:
                return value
            raise _fail(f"unknown destination keys {sorted(value)}", fix, dict(value))
        raise _fail("cannot read destinations", fix, value)

    @field_validator("ids")
    @classmethod
    def _ids(cls, ids: list[str]) -> list[str]:
        out = []
        for i, v in enumerate(ids):
            if not isinstance(v, str) or not v.strip():
                raise _fail(
                    "a destination must be an ISO3 code or group id", "give a string", v, f"[{i}]"
                )
            out.append(v.strip())
        return out


class Shock(_Strict):
    """One disruption: a cut of a country's exports of some commodities.

    Attributes
    ----------
    country : str
        ISO3 code of the exporter whose exports are cut.
    commodities : 'all' or list of str
        Commodity ids of the network (e.g. HS6 codes); ``'all'`` (default) selects every
        commodity of the network, narrowed by `stage` when given.
    stage : str, optional
        Restricts the shock to network commodities of this stage (e.g. ``'refinery'``).
    cut : Dist
        Fraction of the exporter's base-year exports (to the selected destinations) that
        is withheld while the shock is active [fraction, 0-1].  Required.
    destinations : Destinations
        ``'all'`` (default), a list of ISO3 codes / group ids, or ``{all_except: [...]}``.
    start_year : int
        First calendar year of the shock; it starts on 1 January.
    duration : float
        Length of the shock [years], > 0; fractions cut part of a year (0.5 = six months).
    label : str
        Free text.
    """

    country: str
    commodities: Literal["all"] | list[str] = "all"
    stage: str | None = None
    cut: CutFraction
    destinations: Destinations = Field(default_factory=Destinations)
    start_year: int
    duration: float
    label: str = ""

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str:
        return _iso3(value)

    @field_validator("commodities", mode="before")
    @classmethod
    def _commodities(cls, value: Any) -> Any:
        fix = "write 'all' or a list of commodity ids of the network, e.g. ['280530']"
        if value == "all":
            return value
        if isinstance(value, str | int):
            value = [value]
        if not isinstance(value, list | tuple) or not value:
            raise _fail("commodities must be 'all' or a non-empty list", fix, value)
        return [str(v).strip() for v in value]

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        fix = "give the length of the disruption in years, > 0, e.g. 1 or 0.5 for six months"
        try:
            out = float(value)
        except (TypeError, ValueError):
            raise _fail("duration is not a number", fix, value) from None
        if isinstance(value, bool) or not math.isfinite(out) or out <= 0:
            raise _fail("duration must be > 0 [years]", fix, value)
        return out

    @property
    def end(self) -> float:
        """The time the shock ends [decimal year], ``start_year + duration``."""
        return self.start_year + self.duration


class _ParamBase(_Strict):
    """Shared shorthand: a plain number or distribution means ``{default: ...}``."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value
        if isinstance(value, Mapping) and not (set(value) & set(DIST_KINDS)):
            return dict(value)
        return {"default": value}


class CountryParam(_ParamBase):
    """A parameter with a default for every country and per-country overrides.

    A plain number or distribution is shorthand for ``{default: ...}``.  The default is
    drawn once per draw and shared by all countries; each ``by_country`` entry has its own
    independent draws.

    Attributes
    ----------
    default : Dist
        Value for countries not listed; 0 when not given.
    by_country : dict of str to Dist
        Overrides keyed by ISO3 code.
    """

    default: Dist = Field(default_factory=lambda: Dist(fixed=0.0))
    by_country: dict[str, Dist] = Field(default_factory=dict)

    @field_validator("by_country", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {_iso3(k, f"[{k!r}]"): v for k, v in value.items()}
        return value

    def is_zero(self) -> bool:
        """Tell whether the parameter is zero for every country."""
        return self.default.is_zero and all(d.is_zero for d in self.by_country.values())


class CommodityParam(_ParamBase):
    """A parameter with a default for every commodity and per-commodity overrides.

    A plain number or distribution is shorthand for ``{default: ...}``.  The default is
    drawn once per draw and shared by all commodities; each ``by_commodity`` entry has its
    own independent draws.

    Attributes
    ----------
    default : Dist
        Value for commodities not listed; 0 when not given.
    by_commodity : dict of str to Dist
        Overrides keyed by commodity id.
    """

    default: UnitFraction = Field(default_factory=lambda: Dist(fixed=0.0))
    by_commodity: dict[str, UnitFraction] = Field(default_factory=dict)

    @field_validator("by_commodity", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k).strip(): v for k, v in value.items()}
        return value

    def is_zero(self) -> bool:
        """Tell whether the parameter is zero for every commodity."""
        return self.default.is_zero and all(d.is_zero for d in self.by_commodity.values())


class StockpileDays(CountryParam):
    """Strategic stocks per importer [days of base-year apparent consumption], >= 0.

    Attributes
    ----------
    default : Dist
        Days held by every importer not listed; 0 when not given.
    by_country : dict of str to Dist
        Days held by the listed importers, keyed by ISO3.
    """

    default: Days = Field(default_factory=lambda: Dist(fixed=0.0))
    by_country: dict[str, Days] = Field(default_factory=dict)


class SpareCapacity(CountryParam):
    """Spare capacity of producers not under a shock, redirected to importers with a gap.

    Attributes
    ----------
    default : Dist
        Extra output a producer can supply at full ramp-up, as a fraction of its base-year
        production [fraction]; 0 (no spare capacity) when not given.
    by_country : dict of str to Dist
        Per-producer overrides keyed by ISO3.
    ramp_up_years : Dist, optional
        Years from the start of the scenario until the extra output is fully available;
        output rises linearly from zero [years].  Required when any spare capacity is
        non-zero; ``0`` means immediately available.
    """

    default: SpareFraction = Field(default_factory=lambda: Dist(fixed=0.0))
    by_country: dict[str, SpareFraction] = Field(default_factory=dict)
    ramp_up_years: Years | None = None

    @model_validator(mode="after")
    def _ramp_required(self) -> SpareCapacity:
        if not self.is_zero() and self.ramp_up_years is None:
            raise _fail(
                "ramp_up_years is required when spare capacity is non-zero",
                "give the years until the extra output is fully available, e.g. "
                "ramp_up_years: 0 for immediately (critmin has no default for it)",
                None,
                ".ramp_up_years",
            )
        return self


class Responses(_Strict):
    """What importers and other producers can do about a shortfall.

    Every response defaults to zero (no response); see ``docs/scenarios.md``.

    Attributes
    ----------
    spare_capacity : SpareCapacity
        Spare capacity of unaffected producers and its ramp-up.
    stockpile_days : StockpileDays
        Strategic stock held by an importer per commodity, in days of its base-year
        apparent consumption [days]; default 0.
    demand_elasticity : CommodityParam
        Short-run demand response: the fraction by which demand falls per unit fractional
        supply gap remaining after partner supply and recycling [fraction, 0-1]; default 0.
    substitution : CommodityParam
        Fraction of the gap remaining after demand response that substitutes fill
        [fraction, 0-1]; default 0.
    recycling_availability : Dist
        Fraction of the caller-supplied recycling supply array actually available
        [fraction, 0-1]; default 1.  Without such an array there is no recycling supply.
    """

    spare_capacity: SpareCapacity = Field(default_factory=SpareCapacity)
    stockpile_days: StockpileDays = Field(default_factory=StockpileDays)
    demand_elasticity: CommodityParam = Field(default_factory=CommodityParam)
    substitution: CommodityParam = Field(default_factory=CommodityParam)
    recycling_availability: UnitFraction = Field(default_factory=lambda: Dist(fixed=1.0))


class Horizon(_Strict):
    """The simulated calendar years, ``start`` to ``end`` inclusive, one step per year.

    Attributes
    ----------
    start : int
        First simulated year.
    end : int
        Last simulated year, >= start.
    """

    start: int
    end: int

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.end < self.start:
            raise _fail(
                "horizon ends before it starts",
                "write {start: first_year, end: last_year} with end >= start",
                {"start": self.start, "end": self.end},
            )
        return self

    @property
    def years(self) -> list[int]:
        """The simulated years."""
        return list(range(self.start, self.end + 1))


class ScenarioSpec(_Strict):
    """A complete scenario: shocks, responses, horizon, number of draws and seed.

    Construct it through :func:`load_spec` (or directly); an invalid spec raises one
    :class:`~critmin.errors.ScenarioError` listing every failure with its field path.

    Attributes
    ----------
    name : str
        Short id of the scenario.
    description : str
        Free text.
    base_year : int
        The year of the trade and production data the shocks apply to; <= horizon.start.
    horizon : Horizon
        Simulated years.
    shocks : list of Shock
        At least one shock.
    responses : Responses
        All zero by default.
    draws : int
        Number of Monte Carlo draws, >= 1; default 1000.
    seed : int, optional
        Seed of the random numbers.  When missing, fresh entropy is drawn, stored in the
        validated spec (``spec.seed``) and logged, so the run can be repeated from it.
    """

    name: str = "scenario"
    description: str = ""
    base_year: int
    horizon: Horizon
    shocks: list[Shock] = Field(min_length=1)
    responses: Responses = Field(default_factory=Responses)
    draws: int = Field(default=1000, ge=1)
    seed: int | None = Field(default=None, ge=0)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _scenario_error(exc) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> ScenarioSpec:
        """Validate `obj`; raise one :class:`~critmin.errors.ScenarioError` on failure."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            # pydantic routes validation through the custom __init__, which already
            # raised a ScenarioError; unwrap it instead of wrapping it twice.
            errs = exc.errors(include_url=False)
            inner = (errs[0].get("ctx") or {}).get("error") if len(errs) == 1 else None
            if isinstance(inner, ScenarioError):
                raise inner from None
            raise _scenario_error(exc) from None

    @model_validator(mode="after")
    def _cross_checks(self) -> ScenarioSpec:
        h = self.horizon
        if self.base_year > h.start:
            raise _fail(
                f"base year {self.base_year} is after horizon.start {h.start}",
                "use trade data of a year on or before the first simulated year",
                self.base_year,
                "base_year",
            )
        for i, s in enumerate(self.shocks):
            if s.start_year > h.end:
                raise _fail(
                    f"shock starts after the horizon ends ({h.end})",
                    "move start_year into the horizon or extend horizon.end",
                    s.start_year,
                    f"shocks[{i}].start_year",
                )
            if s.end <= h.start:
                raise _fail(
                    f"shock ends ({s.end:g}) before the horizon starts ({h.start})",
                    "move start_year/duration into the horizon or move horizon.start",
                    s.duration,
                    f"shocks[{i}].duration",
                )
        if self.seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
            object.__setattr__(self, "seed", seed)
            logger.info(
                "scenario %r: no seed given; drew seed=%d (store it to repeat the run)",
                self.name,
                seed,
            )
        return self

    @property
    def years(self) -> list[int]:
        """The simulated years (``horizon.start`` .. ``horizon.end``)."""
        return self.horizon.years

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as plain JSON-compatible data (round-trips via :func:`load_spec`)."""
        return self.model_dump(mode="json", exclude_none=True)


# ----------------------------------------------------------------------------- errors

_GENERIC_FIX = {
    "missing": "add the field",
    "extra_forbidden": "remove it or fix its spelling",
    "int_parsing": "give a whole number",
    "int_type": "give a whole number",
    "int_from_float": "give a whole number",
    "float_parsing": "give a number",
    "float_type": "give a number",
    "string_type": "give a text value",
    "list_type": "give a list",
    "dict_type": "give a mapping",
    "model_type": "give a mapping of fields",
    "model_attributes_type": "give a mapping of fields",
    "tuple_type": "give a list",
    "too_short": "give at least one entry",
    "greater_than_equal": "give a larger value",
    "literal_error": "use one of the allowed values",
}

_MISSING_FIX = {
    "base_year": "add base_year: the year of the trade data, e.g. 2023",
    "horizon": "add horizon: {start: 2025, end: 2030}",
    "shocks": "add shocks: a list with at least one shock",
    "country": "add country: the ISO3 code of the exporter, e.g. CHN",
    "cut": "add cut: a fraction in [0, 1] or a distribution, e.g. {uniform: [0.3, 0.7]}",
    "start_year": "add start_year: the first year of the shock, e.g. 2025",
    "duration": "add duration: the length of the shock in years, e.g. 2",
    "start": "add start: the first simulated year",
    "end": "add end: the last simulated year",
}


def _loc_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union")) or part in (
            "literal['all']",
            "list[str]",
            "Destinations",
            "str",
            "float",
            "int",
        ):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "spec"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Find the pydantic model class reached by following `loc` from the spec."""
    model: Any = ScenarioSpec
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            continue
        model = _unwrap_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap_model(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in typing.get_args(ann):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _scenario_error(exc: ValidationError) -> ScenarioError:
    """Turn a pydantic ValidationError into one ScenarioError naming path, value and fix."""
    items: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        ctx = err.get("ctx") or {}
        etype = err["type"]
        if etype == "critmin":
            sub = ctx.get("path", "")
            base = _loc_path(loc)
            if sub and not sub.startswith(("[", ".")):
                path = sub  # absolute path from a spec-level check
            else:
                path = (base if base != "spec" or not sub else "") + sub
                path = path.lstrip(".") or "spec"
            problem, fix, value = ctx["problem"], ctx["fix"], ctx.get("value")
        else:
            path = _loc_path(loc)
            value = err.get("input")
            problem = err["msg"]
            field = str(loc[-1]) if loc else ""
            if etype == "missing":
                value = None
                fix = _MISSING_FIX.get(field, f"add the field {field!r}")
            elif etype == "extra_forbidden":
                model = _model_at(loc[:-1])
                known = list(model.model_fields) if model is not None else []
                near = nearest(field, known, n=1)
                problem = f"unknown field {field!r}"
                fix = (f"did you mean {near[0]!r}? " if near else "") + (
                    f"known fields here: {', '.join(known)}" if known else "remove it"
                )
            else:
                fix = _GENERIC_FIX.get(etype, "see docs/scenarios.md for the expected form")
                if etype == "literal_error" and "expected" in ctx:
                    fix = f"use {ctx['expected']}"
                elif etype == "greater_than_equal" and "ge" in ctx:
                    fix = f"give a value >= {ctx['ge']}"
        key = (path, problem)
        if key in seen:
            continue
        seen.add(key)
        items.append({"path": path, "value": value, "problem": problem, "fix": fix})
    lines = []
    for it in items:
        got = "" if it["value"] is None else f" (got {it['value']!r})"
        lines.append(f"  {it['path']}: {it['problem']}{got}. Fix: {it['fix']}.")
    n = len(items)
    msg = f"invalid scenario spec: {n} problem{'s' if n != 1 else ''}\n" + "\n".join(lines)
    error = ScenarioError(msg)
    error.errors = items  # type: ignore[attr-defined]
    return error


# ----------------------------------------------------------------------------- loading


def load_spec(source: str | Path | Mapping[str, Any] | ScenarioSpec) -> ScenarioSpec:
    """Read and validate a scenario spec.

    Parameters
    ----------
    source : str, Path, dict or ScenarioSpec
        A ``.yaml``/``.yml``/``.json`` file, a mapping with the spec's fields, or an
        already validated spec (returned unchanged).

    Returns
    -------
    ScenarioSpec
        The validated spec; ``seed`` is filled in if it was missing.

    Raises
    ------
    ScenarioError
        The file cannot be read or parsed, or the spec is invalid; the message names every
        bad field, its value and the fix.

    Examples
    --------
    >>> spec = load_spec({"base_year": 2023, "horizon": {"start": 2025, "end": 2026},
    ...                   "shocks": [{"country": "CHN", "cut": 0.5, "start_year": 2025,
    ...                               "duration": 1}], "seed": 1})
    >>> spec.shocks[0].cut.describe()
    '0.5'
    """
    if isinstance(source, ScenarioSpec):
        return source
    if isinstance(source, Mapping):
        return ScenarioSpec.model_validate(dict(source))
    if not isinstance(source, str | Path):
        raise ScenarioError(
            f"cannot read a scenario spec from {type(source).__name__}; "
            "fix: give a .yaml/.json path or a dict"
        )
    path = Path(source)
    if not path.is_file():
        raise ScenarioError(f"scenario file {str(path)!r} not found; fix: check the path")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg}); "
                "fix: correct the syntax there"
            ) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ScenarioError(
                f"{path}: {where}invalid YAML ({problem}); fix: correct the syntax there"
            ) from None
    if not isinstance(data, Mapping):
        raise ScenarioError(
            f"{path}: the top level must be a mapping of fields, got {type(data).__name__}; "
            "fix: start the file with base_year:, horizon:, shocks:"
        )
    return ScenarioSpec.model_validate(dict(data))
