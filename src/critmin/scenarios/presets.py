"""Scenario presets from real export controls (USGS MCS 2026, table T4).

Each preset is a YAML file in ``presets/`` with two blocks:

``preset``
    ``id``, ``title``, ``source`` (``file`` and ``line`` of the T4 row, the country, the
    control type, ``commodities``: catalog commodity id -> year imposed, as in the row,
    and the quoted text), ``parameters`` (name -> ``default`` and ``description``),
    ``unrepresented`` (commodities of the row the BACI extract cannot carry, with the
    reason) and ``notes``.
``spec``
    A :class:`~critmin.scenarios.spec.ScenarioSpec` in which a string ``"${name}"`` stands
    for a parameter; :func:`load_preset` substitutes the parameter's value (the default
    or the caller's) before validating.

Group ids in destinations (``MSP``, ``QUAD``, ``TRUST``, ``FEOC_COUNTRIES`` ...) are
resolved through :func:`critmin.api.group_members` (:func:`resolve_group`); an unknown one
fails when the preset is loaded, with the list of groups.

Examples
--------
>>> from critmin.scenarios.presets import load_preset, preset_ids
>>> "china_ree_2025" in preset_ids()
True
>>> p = load_preset("china_ree_outside_group", group="QUAD")
>>> p.spec.shocks[0].destinations.ids
['QUAD']
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.errors import ScenarioError, UnknownGroup, nearest
from critmin.scenarios.spec import ScenarioSpec, load_spec

__all__ = [
    "PRESETS_DIR",
    "Preset",
    "is_preset",
    "list_presets",
    "load_preset",
    "parse_param",
    "preset_ids",
    "resolve_group",
]

logger = logging.getLogger(__name__)

#: Folder of the shipped presets.
PRESETS_DIR = Path(__file__).resolve().with_name("presets")


@dataclass(frozen=True)
class Preset:
    """A preset bound to parameter values.

    Attributes
    ----------
    id : str
        File stem, e.g. ``'china_ree_2025'``.
    title : str
        One line.
    path : pathlib.Path
        The YAML file.
    source : dict
        The T4 row: ``file``, ``line``, ``country``, ``country_iso3``, ``control_type``,
        ``commodities`` (commodity id -> year imposed), ``quote``.
    parameters : dict
        Parameter name -> ``{'default': ..., 'description': ...}``.
    values : dict
        The parameter values used.
    unrepresented : dict
        Commodity id -> why the BACI extract cannot carry it.
    notes : str
        Free text.
    spec : ScenarioSpec
        The validated spec.
    """

    id: str
    title: str
    path: Path
    source: dict[str, Any]
    parameters: dict[str, dict[str, Any]]
    values: dict[str, Any]
    unrepresented: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    spec: ScenarioSpec | None = None

    def describe(self) -> str:
        """One paragraph: title, source row, parameters, what is left out."""
        src = self.source
        lines = [
            self.title,
            f"source: {src.get('file')} line {src.get('line')} ({src.get('control_type')}: "
            f"{src.get('quote')})",
        ]
        for name, val in self.values.items():
            lines.append(f"parameter {name} = {val!r}")
        for cid, why in self.unrepresented.items():
            lines.append(f"not simulated on its own: {cid} ({why})")
        return "\n".join(lines)


def preset_ids() -> list[str]:
    """Ids of the shipped presets (sorted)."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def is_preset(name: str) -> bool:
    """Tell whether `name` is the id of a shipped preset."""
    return str(name) in preset_ids()


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:  # pragma: no cover - shipped files are tested
        msg = f"{path}: invalid YAML ({exc}); fix: correct the syntax there"
        raise ScenarioError(msg) from None
    if not isinstance(data, Mapping) or "preset" not in data or "spec" not in data:
        msg = f"{path}: a preset file needs the top-level blocks 'preset:' and 'spec:'"
        raise ScenarioError(msg)
    return dict(data)


def _unknown_preset(name: str) -> ScenarioError:
    ids = preset_ids()
    near = nearest(str(name), ids, n=3)
    hint = f"did you mean {', '.join(near)}? " if near else ""
    msg = (
        f"unknown preset {name!r}; {hint}presets: {', '.join(ids)}. Fix: use one of them, "
        "or give the path of a .yaml/.json scenario file"
    )
    return ScenarioError(msg)


def parse_param(text: str) -> tuple[str, Any]:
    """Parse a ``NAME=VALUE`` parameter (the CLI's ``--param``); VALUE is read as YAML.

    Examples
    --------
    >>> parse_param("cut=0.5")
    ('cut', 0.5)
    >>> parse_param("cut={uniform: [0.2, 0.8]}")
    ('cut', {'uniform': [0.2, 0.8]})
    """
    import yaml

    if "=" not in text:
        msg = f"parameter {text!r}; fix: write NAME=VALUE, e.g. cut=0.5 or group=QUAD"
        raise ScenarioError(msg)
    name, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return name.strip(), value


def _substitute(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, str) and node.startswith("${") and node.endswith("}"):
        return values[node[2:-1]]
    if isinstance(node, Mapping):
        return {k: _substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            val = _substitute(item, values)
            is_ref = isinstance(item, str) and item.startswith("${")
            if is_ref and isinstance(val, list | tuple):
                out.extend(val)  # a list-valued parameter is spliced into a list
            else:
                out.append(val)
        return out
    return node


def resolve_group(group_id: str) -> list[str]:
    """ISO3 members of a group id, through :func:`critmin.api.group_members`.

    Raises
    ------
    UnknownGroup
        The id is not a group of the dataset (the message lists the nearest ones).
    """
    from critmin import api

    return api.group_members(str(group_id))


def _check_groups(spec: ScenarioSpec) -> None:
    from critmin import api

    for i, shock in enumerate(spec.shocks):
        for j, gid in enumerate(shock.destinations.ids):
            if len(gid) == 3 and gid.isalpha() and gid.isupper():
                continue  # an ISO3 code; checked against the network when run
            try:
                api.group_members(gid)
            except UnknownGroup:
                groups = sorted(set(api.groups()["group_id"]))
                msg = (
                    f"shocks[{i}].destinations[{j}]: {gid!r} is not a group; fix: use one of "
                    f"{', '.join(groups)} or ISO3 codes"
                )
                raise ScenarioError(msg) from None


def load_preset(
    name: str | Path, params: Mapping[str, Any] | None = None, **overrides: Any
) -> Preset:
    """Load a preset and bind its parameters.

    Parameters
    ----------
    name : str or Path
        A preset id (:func:`preset_ids`) or the path of a preset file.
    params : mapping, optional
        Parameter values, e.g. ``{"cut": 0.5, "group": "QUAD"}``.
    **overrides
        The same as keyword arguments (they win over `params`).

    Returns
    -------
    Preset

    Raises
    ------
    ScenarioError
        Unknown preset (the message lists them), unknown parameter (lists the preset's
        parameters), an invalid spec after substitution, or an unknown group id.
    """
    path = Path(name)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        if not is_preset(str(name)):
            raise _unknown_preset(str(name))
        path = PRESETS_DIR / f"{name}.yaml"
    data = _read(path)
    meta = dict(data["preset"])
    declared = dict(meta.get("parameters") or {})
    given = {**dict(params or {}), **overrides}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        msg = (
            f"preset {meta.get('id', path.stem)!r} has no parameter {unknown[0]!r}; fix: use "
            f"one of {', '.join(sorted(declared)) or '(none)'}"
        )
        raise ScenarioError(msg)
    values = {k: v.get("default") for k, v in declared.items()}
    values.update(given)
    spec_data = _substitute(data["spec"], values)
    try:
        spec = load_spec(spec_data)
    except ScenarioError as err:
        msg = f"preset {path.stem!r} with parameters {values}: {err}"
        raise ScenarioError(msg) from None
    _check_groups(spec)
    return Preset(
        id=str(meta.get("id", path.stem)),
        title=str(meta.get("title", path.stem)),
        path=path,
        source=dict(meta.get("source") or {}),
        parameters=declared,
        values=values,
        unrepresented=dict(meta.get("unrepresented") or {}),
        notes=str(meta.get("notes", "")).strip(),
        spec=spec,
    )


def list_presets() -> pd.DataFrame:
    """The shipped presets, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, title, country_iso3, commodities (HS6), start_year, base_year,
        parameters, t4_line``.
    """
    rows = []
    for pid in preset_ids():
        p = load_preset(pid)
        spec = p.spec
        assert spec is not None
        codes = sorted({c for s in spec.shocks if s.commodities != "all" for c in s.commodities})
        rows.append(
            {
                "id": p.id,
                "title": p.title,
                "country_iso3": ", ".join(sorted({s.country for s in spec.shocks})),
                "commodities": " ".join(codes),
                "start_year": min(s.start_year for s in spec.shocks),
                "base_year": spec.base_year,
                "parameters": ", ".join(sorted(p.parameters)),
                "t4_line": p.source.get("line"),
            }
        )
    return pd.DataFrame(rows)
