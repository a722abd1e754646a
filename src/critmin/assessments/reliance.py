"""Import reliance: U.S. NIR recomputed from USGS salient statistics; BACI import dependence.

U.S. (:func:`us_reliance`)
    The net import reliance (NIR) of every commodity is recomputed with
    :func:`critmin.metrics.reliance.net_import_reliance` from the U.S. salient-statistics rows
    of the USGS Mineral Commodity Summaries 2026 data release (dataset ``usgs_mcs2026``, data
    years 2021–2025): production, imports, exports, year-end stocks, government stockpile
    shipments and, for a few commodities, a stated consumption.  Which series enter each term
    differs per commodity; the choice is the module table :data:`US_NIR_RULES`, one
    :class:`NIRRule` per published NIR series, written from the definition USGS prints in
    each NIR row's note ("Defined as imports – exports ± adjustments for industry stock
    changes", ...).  **The published NIR rows are never read for the computation**; they are
    joined afterwards only to check it (``published_nir_pct``, ``published_flag``,
    ``agree``), with :func:`critmin.metrics.reliance.compare_published`.

    Stock changes need the year-end stocks of the year before the edition's first year
    (2020); these come from the MCS 2025 salient files (``NIRRule.stocks_prev``) where the
    units agree, otherwise the first year's stock change is taken as 0 and ``reason`` says so.
    Government stockpile shipments that are "NA" count as 0 (USGS: "Beginning in 2023,
    Government stock changes no longer included").

Any country (:func:`import_dependence`)
    Per HS6 code and year from CEPII BACI: imports, exports, net imports [t], the partners'
    concentration, and the import dependence ``net imports / (production + net imports)``
    where World Mining Data has a comparable production figure (same stage, gross weight),
    else the trade-only indicator ``imports / (imports + exports)``, labelled as such.

Method notes and validation numbers: ``docs/methods/reliance.md``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from critmin import catalog
from critmin.errors import MethodError, NoData
from critmin.metrics.concentration import concentration_table
from critmin.metrics.reliance import (
    NIR_TOLERANCE_PCT,
    NOT_AVAILABLE,
    WITHHELD,
    compare_published,
    net_import_reliance,
    published_flag,
    trade_import_share,
)
from critmin.store import get_store

__all__ = [
    "BASES",
    "CHECKS",
    "ENERGY_CATEGORY",
    "GOLD",
    "GROSS_WEIGHT_PRODUCTION",
    "NIRRule",
    "US_NIR_EDITION",
    "US_NIR_RULES",
    "import_dependence",
    "import_partners",
    "us_reliance",
]

logger = logging.getLogger(__name__)

#: The USGS edition whose salient statistics :func:`us_reliance` recomputes.
US_NIR_EDITION = "usgs_mcs2026"
#: The edition that supplies the year-end stocks of the year before (``NIRRule.stocks_prev``).
_PREV_EDITION = "usgs_mcs2025"

#: A series reference: its label as published, or ``(label, k)`` for the k-th (0-based, in
#: file order) of several sub-tables that print the same label (mica: scrap and flake, sheet).
SeriesRef = str | tuple[str, int]


@dataclass(frozen=True)
class NIRRule:
    """Which U.S. salient series make up each term of the NIR balance of one commodity.

    Parameters
    ----------
    production, imports, exports : tuple of SeriesRef
        Series summed into P, I and E.  An empty ``production`` means no domestic production
        enters the basis (taken as 0: USGS reports none, or none of the form the NIR is
        about); empty ``exports`` means USGS's definition has no exports term.
    stocks : tuple of SeriesRef
        Year-end stocks summed; ``ΔS = S[t−1] − S[t]`` is added to supply.
    releases : tuple of SeriesRef
        Government stockpile shipments, added to supply (negative = acquisitions); "NA" = 0.
    consumption : str, optional
        Denominator series where USGS states the NIR "as a percentage of reported (estimated)
        consumption" or where trade is not on the consumption basis; the reliance is then
        ``(C − P) / C``.  A published apparent consumption may serve (rare earths: the
        exports of compounds are published only together with ores, so ``C − P`` closes the
        balance where ``I − E`` cannot).
    apparent : str, optional
        USGS's published apparent consumption series to divide ``I − E + ΔS`` by, where the
        salient table does not list all of the supply that USGS's apparent consumption counts
        (platinum-group metals: secondary production; fused aluminum oxide: production is
        U.S. and Canada combined).  Production is then not used.
    nir : str
        Text that identifies the published NIR series this rule reproduces (``""`` = the
        commodity's only one).
    source : str, optional
        ``commodity_source`` to restrict to (sub-tables such as diamond stones vs. bort).
    product : str
        Short product label for the output (``""`` = the commodity as a whole).
    stocks_prev : tuple of (str, str)
        ``(commodity_id, series)`` in the MCS 2025 salient files giving the 2020 year-end
        stocks that correspond to ``stocks`` (summed).
    skip : str
        If set, no computation: the reason (USGS's own note says the NIR is not meaningful).
    statement : bool
        With `skip`: USGS states the reliance in words ("The United States was 100% net import
        reliant for its cesium needs") in the series name or note of a row of the commodity;
        that figure is shown (basis ``usgs_statement``).
    note : str
        Why this basis (printed in ``reason`` where the result differs).
    """

    production: tuple[SeriesRef, ...] = ()
    imports: tuple[SeriesRef, ...] = ()
    exports: tuple[SeriesRef, ...] = ()
    stocks: tuple[SeriesRef, ...] = ()
    releases: tuple[SeriesRef, ...] = ()
    consumption: str | None = None
    apparent: str | None = None
    nir: str | tuple[str, int] = ""
    source: str | None = None
    product: str = ""
    stocks_prev: tuple[tuple[str, str], ...] = ()
    skip: str = ""
    statement: bool = False
    note: str = ""


_IFC = "Imports for consumption"
_R = NIRRule

#: One rule per published U.S. NIR series (MCS 2026 labels), from USGS's definition in the
#: note of each NIR row ("Defined as ...").  Checked against the published figures by
#: ``tests/assessments/test_reliance_assessment.py``; see ``docs/methods/reliance.md``.
US_NIR_RULES: dict[str, tuple[NIRRule, ...]] = {
    "abrasives_manufactured": (
        _R(
            ("Production: Fused aluminum oxide, crude",),
            (f"{_IFC}: Fused aluminum oxide",),
            ("Exports: Fused aluminum oxide",),
            apparent="Consumption, apparent: Fused aluminum oxide",
            nir="Fused aluminum oxide",
            product="fused aluminum oxide",
            note="production is U.S. and Canada combined (USGS note): USGS's apparent "
            "consumption is the denominator",
        ),
        _R(
            ("Production: Metallic abrasives",),
            (f"{_IFC}: Metallic abrasives",),
            ("Exports: Metallic abrasives",),
            nir="Metallic abrasives",
            product="metallic abrasives",
        ),
        _R(
            ("Production: Silicon carbide",),
            (f"{_IFC}: Silicon carbide",),
            ("Exports: Silicon carbide",),
            nir="Silicon carbide",
            product="silicon carbide",
        ),
    ),
    "alumina": (
        _R(
            ("Production, refinery",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, industry, yearend",),
            stocks_prev=(("bauxite_and_alumina", "Alumina_Stocks"),),
        ),
    ),
    "aluminium": (
        _R(
            ("Production: Primary", "Production: Secondary (from old scrap)"),
            (f"{_IFC}: Crude and semi-fabricated products",),
            ("Exports: Crude and semi-fabricated products",),
            stocks=(
                "Stocks, yearend: Aluminum industry",
                "Stocks, yearend: London Metal Exchange (LME), U.S. warehouses",
            ),
            stocks_prev=(("aluminium", "Stocks_industry"), ("aluminium", "Stocks_LME")),
            note="primary + old scrap; traded scrap excluded (USGS definition)",
        ),
    ),
    "antimony": (
        _R(
            ("Production, Smelter: Primary", "Production, Smelter: Secondary"),
            (f"{_IFC}: Oxide", f"{_IFC}: Unwrought, powder"),
            ("Exports: Oxide", "Exports: Unwrought, powder"),
            note="oxide and unwrought metal only (USGS definition)",
        ),
    ),
    "argon": (_R(("Sold or Used: Argon",), (f"{_IFC}: Argon",), ("Exports: Argon",)),),
    "arsenic": (
        _R(
            (),
            (f"{_IFC}: Total",),
            (),
            note="defined as imports; no U.S. production",
        ),
    ),
    "asbestos": (
        _R(
            (),
            (_IFC,),
            ("Exports",),
            consumption="Consumption, estimated",
            note="USGS: all consumption from imports and unreported stockpiles",
        ),
    ),
    "barite": (
        _R(("Production: Sold or used, mine",), ("Imports: For consumption",), ("Exports",)),
    ),
    "bauxite": (
        _R(
            ("Production, mine",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, industry, yearend",),
            stocks_prev=(("bauxite_and_alumina", "Bauxite_Stocks"),),
        ),
    ),
    "beryllium": (
        _R(
            ("Production, mine shipments",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, ore, industry, yearend",),
            releases=("Shipments from Government stockpile",),
            stocks_prev=(("beryllium", "Stocks_Ore"),),
        ),
    ),
    "bismuth": (
        _R(
            ("Production: Refinery", "Production: Secondary (scrap)"),
            (f"{_IFC}, metal, alloys, and scrap: Total",),
            ("Exports, metal, alloys, and scrap: Total",),
            stocks=("Stocks, yearend, consumer, bismuth metal",),
            stocks_prev=(("bismuth", "Stocks_Yearend"),),
        ),
    ),
    "boron": (
        _R(
            ("Production",),
            (
                f"{_IFC}: Boric acid",
                f"{_IFC}: Colemanite (calcium borates)",
                f"{_IFC}: Refined borax",
                f"{_IFC}: Ulexite (sodium borates)",
            ),
            ("Exports: Boric acid", "Exports: Refined borax"),
        ),
    ),
    "bromine": (
        _R(
            ("Production",),
            (f"{_IFC}, elemental bromine and compounds",),
            ("Exports, elemental bromine and compounds",),
        ),
    ),
    "cadmium": (
        _R(
            ("Production: Primary, refined",),
            (f"{_IFC}: Unwrought cadmium and powders",),
            ("Exports: Unwrought cadmium and powders",),
            note="secondary production is withheld and left out, so the computed NIR is an "
            "upper bound",
        ),
    ),
    "cement": (
        _R(
            ("Production: Portland, blended, and masonry cement",),
            (f"{_IFC}: Clinker", f"{_IFC}: Hydraulic cement"),
            ("Exports, hydraulic cement and clinker",),
            note="defined as imports (cement and clinker) − exports, no stock term",
        ),
    ),
    "cesium": (_R(skip="USGS publishes no salient statistics for cesium", statement=True),),
    "chromium": (
        _R(
            ("Production: Mine", "Production: Secondary"),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, consumer, yearend",),
            releases=("Shipments from Government stockpile",),
            stocks_prev=(("chromium", "Stocks"),),
        ),
    ),
    "clays": (
        _R(
            ("Production (sold or used): Total",),
            (f"{_IFC}: Total",),
            ("Exports: Total",),
        ),
    ),
    "cobalt": (
        _R(
            ("Production: Secondary",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, yearend: Industry", "Stocks, yearend: LME, U.S. warehouse"),
            stocks_prev=(("cobalt", "Stocks_Industry"), ("cobalt", "Stocks_LME")),
            note="refined-cobalt basis: secondary production; mine output leaves as concentrate",
        ),
    ),
    "copper": (
        _R(
            (
                "Production, Refinery: Primary (from ore)",
                "Copper recovered from old (post-consumer) scrap",
            ),
            (f"{_IFC}: Refined",),
            ("Exports: Refined",),
            stocks=(
                "Stocks, refined, held by U.S. producers, consumers, and metal exchanges, yearend",
            ),
            stocks_prev=(("copper", "Stocks"),),
            note="refined basis: primary refined + copper from old scrap",
        ),
    ),
    "diamond_industrial": (
        _R(
            ("Production: Manufactured diamond", "Production: Secondary"),
            (_IFC,),
            ("Exports",),
            source="Diamond (Bort, grit, and dust and powder; natural and synthetic)",
            product="bort, grit, dust and powder",
        ),
        _R(
            ("Production: Manufactured diamond", "Production: Secondary"),
            (_IFC,),
            ("Exports",),
            source="Diamond (Stones, natural and synthetic)",
            product="stones",
        ),
    ),
    "diatomite": (_R(("Production",), (_IFC,), ("Exports",)),),
    "feldspar": (
        _R(
            ("Production, feldspar, marketable",),
            (f"{_IFC}: Feldspar",),
            ("Exports: Feldspar",),
        ),
    ),
    "fluorspar": (
        _R(
            (),
            (f"{_IFC}: Total fluorspar imports",),
            ("Exports, fluorspar, all grades",),
            note="no fluorspar mine production reported (NA); fluorosilicic acid is a "
            "by-product, not fluorspar",
        ),
    ),
    "gallium": (
        _R(
            ("Production, primary",),
            (f"{_IFC}: Metal",),
            (),
            consumption="Consumption, reported",
            note="percentage of reported consumption; exports not available",
        ),
    ),
    "garnet_industrial": (_R(("Production: Crude",), (_IFC,), ("Exports",)),),
    "gemstones": (
        _R(
            ("Production: Natural", "Production: Laboratory-created (synthetic)"),
            (_IFC,),
            ("Exports, excluding reexports",),
            note="value basis (million dollars)",
        ),
    ),
    "germanium": (
        _R(
            ("Production, refinery: Primary",),
            (f"{_IFC}: Germanium dioxide", f"{_IFC}: Germanium metal"),
            ("Exports: Germanium dioxide", "Exports: Germanium metal"),
            releases=("Shipments from Government stockpile",),
            note="secondary production and tetrachloride trade are not available and left out",
        ),
    ),
    "gold": (
        _R(
            ("Production: Mine", "Refinery: Secondary (new and old scrap)"),
            (_IFC,),
            ("Exports",),
            note="USGS: large unreported investor stock purchases preclude a meaningful NIR",
        ),
    ),
    "graphite": (_R(("Production, mine",), (_IFC,), ("Exports",)),),
    "gypsum": (
        _R(
            ("Production: Crude", "Production: Synthetic"),
            ("Imports, crude, including anhydrite",),
            ("Exports, crude, not ground or calcined",),
        ),
    ),
    "hafnium": (_R(skip="USGS reports no hafnium production or consumption (NIR not available)"),),
    "heavy_rare_earths": (
        _R(
            (),
            ("Imports, compounds and metals",),
            (),
            note="USGS: quantitative export data were not available",
        ),
    ),
    "helium": (
        _R(
            ("Sold or Used: Grade-A and gaseous helium",),
            (f"{_IFC}: Helium",),
            ("Exports: Helium",),
        ),
    ),
    "indium": (
        _R(
            ("Production, refinery",),
            (_IFC,),
            (),
            consumption="Consumption, estimated",
            note="percentage of estimated consumption; exports not available",
        ),
    ),
    "iodine": (_R(("Production",), (_IFC,), ("Exports",)),),
    "iron_and_steel": (
        _R(
            ("Shipments, steel mill products",),
            ("Imports, steel mill products: Finished",),
            ("Exports, steel mill products: Total",),
            stocks=("Stocks, service centers, yearend",),
            note="steel mill products: domestic shipments + finished imports − total exports",
        ),
    ),
    "iron_and_steel_scrap": (
        _R(
            ("Production: Home scrap", "Production: Net receipts"),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, consumer, yearend",),
            stocks_prev=(("iron_and_steel_scrap", "Stocks"),),
        ),
    ),
    "iron_and_steel_slag": (_R(("Production (sales)",), (_IFC,), ("Exports",)),),
    "iron_ore": (
        _R(
            ("Production: Iron ore",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, mine, dock, and consuming plant, yearend",),
            stocks_prev=(("iron_ore", "Stocks"),),
        ),
    ),
    "iron_oxide_pigments": (
        _R(
            ("Sold or used, finished natural and synthetic IOPs",),
            (_IFC,),
            ("Exports, pigment grade",),
        ),
    ),
    "krypton": (
        _R(
            ("Sold or Used: Krypton, million liters",),
            (f"{_IFC}: Krypton, million liters",),
            (),
        ),
    ),
    "kyanite_and_related_minerals": (
        _R(
            ("Production: Kyanite, mine",),
            ("Imports for consumption (all kyanite minerals)",),
            ("Exports (kyanite)",),
        ),
    ),
    "lead": (
        _R(
            ("Production: Primary refinery", "Production: Secondary refinery, old scrap"),
            (f"{_IFC}: Refined metal, unwrought",),
            ("Exports: Refined metal, unwrought (gross weight)",),
            note="refined basis; refined exports are in gross weight",
        ),
    ),
    "lime": (_R(("Production",), (_IFC,), ("Exports",)),),
    "lithium": (_R(("Production",), (_IFC,), ("Exports",)),),
    "magnesium": (
        _R(
            ("Production: Primary", "Production: Secondary (new and old scrap)"),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, producer, yearend",),
        ),
    ),
    "magnesium_compounds": (_R(("Production",), (_IFC,), ("Exports",)),),
    "manganese": (
        _R(
            ("Production, mine",),
            (),
            (),
            consumption="Consumption, apparent, manganese content",
            note="trade is reported in gross weight of ore and alloys, consumption in "
            "manganese content: the stated consumption is the denominator",
        ),
    ),
    "mercury": (
        _R(skip="USGS: net import reliance not available (production and consumption NA)"),
    ),
    "mica": (
        _R(
            ("Production: Sold or used",),
            ("Imports",),
            ("Exports",),
            nir=("Net import reliance as a percentage of apparent consumption", 0),
            product="scrap and flake",
        ),
        _R(
            (),
            (("Imports", 1),),
            (("Exports", 1),),
            nir=("Net import reliance as a percentage of apparent consumption", 1),
            product="sheet",
            note="sheet production is not reported (NA) and taken as 0",
        ),
    ),
    "molybdenum": (
        _R(
            ("Production, mine",),
            (
                "Imports for consumption total: Ore and concentrates",
                "Imports for consumption total: Primary products",
            ),
            ("Exports: Ore and concentrates", "Exports: Primary products"),
            stocks=("Stocks, consumer materials",),
            stocks_prev=(("molybdenum", "Stocks"),),
        ),
    ),
    "neon": (_R(("Sold or Used: Neon, million liters",), (f"{_IFC}: Neon, million liters",), ()),),
    "nepheline_syenite": (
        _R(
            (),
            (f"{_IFC}: Nepheline syenite",),
            (),
            note="no U.S. production or exports in the salient table",
        ),
    ),
    "nickel": (
        _R(
            ("Consumption: Reported, secondary, purchased scrap",),
            ("Imports: Primary",),
            ("Exports: Primary",),
            stocks=("Stocks, yearend: Consumer", "Stocks, yearend: LME U.S. warehouses"),
            stocks_prev=(("nickel", "Stocks_Consumer"), ("nickel", "Stocks_LME")),
            note="total basis: nickel in purchased scrap counts as domestic secondary supply "
            "(the salient table gives it only as a consumption line); net imports are of "
            "primary nickel (USGS: excluding scrap the NIR would be nearly 100%)",
        ),
    ),
    "niobium": (
        _R(
            ("Production, mine",),
            (_IFC,),
            ("Exports",),
            releases=("Shipments from Government stockpile",),
        ),
    ),
    "nitrogen_ammonia": (
        _R(
            ("Production",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, producer, yearend",),
            stocks_prev=(("nitrogen_ammonia", "Stocks_Producer"),),
        ),
    ),
    "palladium": (
        _R(
            ("Mine production: Palladium",),
            (f"{_IFC}: Palladium",),
            ("Exports: Palladium",),
            apparent="Consumption, apparent: Palladium",
            note="secondary (recycled) palladium is not in the salient table: USGS's apparent "
            "consumption (primary + secondary production + imports - exports) is the "
            "denominator",
        ),
    ),
    "peat": (
        _R(
            ("Production",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, producer, yearend",),
            stocks_prev=(("peat", "Stocks_Producer"),),
        ),
    ),
    "perlite": (_R(("Sold or used, processed crude perlite",), (_IFC,), ("Exports",)),),
    "phosphate_rock": (
        _R(
            ("Production, marketable",),
            (_IFC,),
            (),
            stocks=("Stocks, producer, yearend",),
            stocks_prev=(("phosphate_rock", "Stocks"),),
            note="defined as imports ± stock changes (no exports term)",
        ),
    ),
    "platinum": (
        _R(
            ("Mine production: Platinum",),
            (f"{_IFC}: Platinum",),
            ("Exports: Platinum",),
            apparent="Consumption, apparent: Platinum",
            note="secondary (recycled) platinum is not in the salient table: USGS's apparent "
            "consumption (primary + secondary production + imports - exports) is the "
            "denominator",
        ),
    ),
    "potash": (_R(("Sales by producers, marketable",), (_IFC,), ("Exports",)),),
    "pumice_and_pumicite": (_R(("Production, mine",), (_IFC,), ("Exports",)),),
    "quartz_crystal": (
        _R(
            ("Sold or used",),
            ("Imports, piezoelectric",),
            ("Exports, piezoelectric",),
            source="Industrial cultured quartz crystal",
            product="cultured quartz crystal",
        ),
        _R(
            ("Sold or used",),
            ("Imports",),
            ("Exports",),
            source="Ground high-purity quartz",
            product="ground high-purity quartz",
        ),
    ),
    "rare_earths": (
        _R(
            ("Production: Compounds and metals",),
            (
                "Imports: Compounds",
                "Imports: Metals: Ferrocerium, alloys",
                "Imports: Metals: Rare-earth metals and alloys",
            ),
            (
                "Exports: Metals: Ferrocerium, alloys",
                "Exports: Metals: Rare-earth metals and alloys",
            ),
            consumption="Consumption, apparent, compounds and metals",
            nir="Compounds and metals",
            product="compounds and metals",
            note="exports of compounds are published only together with ores, so USGS's "
            "apparent consumption C gives the reliance (C - P) / C",
        ),
        _R(
            ("Production: Mineral concentrates",),
            (),
            ("Exports: Ores and compounds",),
            nir="Mineral concentrates",
            product="mineral concentrates",
            note="no separate import series for concentrates",
        ),
    ),
    "rubidium": (_R(skip="USGS publishes no salient statistics for rubidium", statement=True),),
    "rhenium": (
        _R(
            ("Production",),
            (f"{_IFC}: Ammonium perrhenate", f"{_IFC}: Rhenium, unwrought and powders"),
            ("Exports",),
        ),
    ),
    "salt": (_R(("Sold or used by producers",), (_IFC,), ("Exports",)),),
    "sand_and_gravel_construction": (_R(("Sold or used by producers",), (_IFC,), ("Exports",)),),
    "sand_and_gravel_industrial": (_R(("Sold or used",), (_IFC,), ("Exports",)),),
    "scandium": (
        _R(
            (),
            ("Imports, scandium oxide",),
            (),
            note="USGS: quantitative export data were not available; no U.S. production",
        ),
    ),
    "selenium": (
        _R(
            ("Production, crude and anode slimes",),
            (f"{_IFC}: Selenium",),
            ("Exports",),
            stocks=("Stocks, producer, yearend",),
            note="imports exclude selenium dioxide (USGS definition)",
        ),
    ),
    "silicon": tuple(
        _R(
            ("Production, ferrosilicon and silicon metal",),
            imp,
            exp,
            stocks=("Stocks, producer, ferrosilicon and silicon metal, yearend",),
            nir=nir,
            product=nir.lower(),
        )
        for nir, imp, exp in (
            (
                "Ferrosilicon, all grades",
                (f"{_IFC}: Ferrosilicon, all grades",),
                ("Exports: Ferrosilicon, all grades",),
            ),
            ("Silicon metal", (f"{_IFC}: Silicon metal",), ("Exports: Silicon metal",)),
            (
                "Total",
                (f"{_IFC}: Ferrosilicon, all grades", f"{_IFC}: Silicon metal"),
                ("Exports: Ferrosilicon, all grades", "Exports: Silicon metal"),
            ),
        )
    ),
    "silver": (
        _R(
            ("Production: Mine", "Production: Refinery: Secondary (new and old scrap)"),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, yearend: Industry", "Stocks, yearend: Treasury"),
            stocks_prev=(("silver", "Stocks_Industry"), ("silver", "Stocks_Treasury")),
            note="government (Treasury) and industry stocks; COMEX stocks are not counted",
        ),
    ),
    "soda_ash": (
        _R(
            ("Production",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, producer, yearend",),
            stocks_prev=(("soda_ash", "Stocks_Producer"),),
        ),
    ),
    "stone_crushed": (
        _R(("Sold or used by producers", "Recycled material"), (_IFC,), ("Exports",)),
    ),
    "stone_dimension": (
        _R(
            ("Sold or used by producers: Value, million dollars",),
            ("Imports for consumption, value, million dollars",),
            ("Exports, value, million dollars",),
            source="Stone (Dimension)",
            product="all dimension stone",
            note="value basis (million dollars)",
        ),
        _R(
            ("Granite only: Value, sold or used by producers, million dollars",),
            ("Granite only: Imports, value, million dollars",),
            ("Granite only: Exports, value, million dollars",),
            source="Granite Only",
            product="granite",
            note="value basis (million dollars)",
        ),
    ),
    "strontium": (
        _R(
            ("Production",),
            (f"{_IFC}: Celestite", f"{_IFC}: Strontium compounds"),
            ("Exports, strontium compounds",),
        ),
    ),
    "sulfur": (
        _R(
            ("Production: Total",),
            (f"{_IFC}: Recovered elemental", f"{_IFC}: Sulfuric acid"),
            ("Exports: Recovered elemental", "Exports: Sulfuric acid"),
            stocks=("Stocks, producer, yearend",),
            stocks_prev=(("sulfur", "Stocks_producer"),),
        ),
    ),
    "talc_and_pyrophyllite": (_R(("Sold by producers",), (_IFC,), ("Exports",)),),
    "tantalum": (
        _R(
            ("Production: Mine",),
            (_IFC,),
            ("Exports",),
            releases=("Shipments from Government stockpile",),
            note="secondary production is not available and left out",
        ),
    ),
    "tellurium": (
        _R(
            ("Production, copper telluride",),
            (_IFC,),
            ("Exports",),
            stocks=("Stocks, producer, yearend",),
        ),
    ),
    "thallium": (
        _R(
            skip="USGS: consumption and exports were from imports or from a drawdown in "
            "unreported inventories (NIR not available)"
        ),
    ),
    "thorium": (
        _R(
            skip="USGS: a meaningful net import reliance could not be calculated "
            "(classification of traded material uncertain)"
        ),
    ),
    "tin": (
        _R(
            ("Production, secondary: Old scrap",),
            (f"{_IFC}: Refined",),
            ("Exports: Refined",),
            stocks=("Stocks, consumer and dealer, yearend",),
            releases=("Shipments from Government stockpile, gross weight",),
            stocks_prev=(("tin", "Stocks_Yearend"),),
            note="refined basis: old-scrap secondary + refined trade; stockpile shipments "
            "are in gross weight",
        ),
    ),
    "titanium_dioxide_pigment": (_R(("Production",), (_IFC,), ("Exports",)),),
    "titanium_metal": (_R(("Production",), (_IFC,), ("Exports",)),),
    "titanium_mineral_concentrates": (_R(("Production",), (_IFC,), ("Exports, all forms",)),),
    "tungsten": (
        _R(
            ("Production: Mine", "Production: Secondary"),
            (f"{_IFC}: Ores and concentrates", f"{_IFC}: Other forms"),
            ("Exports: Ores and concentrates", "Exports: Other forms"),
            stocks=("Stocks, industry, concentrate and other forms, yearend",),
            releases=(
                "Shipments from Government stockpile: Concentrate",
                "Shipments from Government stockpile: Other forms",
            ),
        ),
    ),
    "vanadium": (
        _R(
            (
                "Production from ash, residues, and spent catalysts",
                "Production from primary ore and concentrate",
            ),
            tuple(
                f"{_IFC}: {p}"
                for p in (
                    "Aluminum-vanadium master alloy",
                    "Ash and residues",
                    "Ferrovanadium",
                    "Oxides and hydroxides, other",
                    "Vanadium chemicals",
                    "Vanadium metal",
                    "Vanadium ores and concentrates",
                    "Vanadium pentoxide",
                )
            ),
            tuple(
                f"Exports: {p}"
                for p in (
                    "Aluminum-vanadium master alloy",
                    "Ash and residues",
                    "Ferrovanadium",
                    "Oxides and hydroxides, other",
                    "Vanadium metal",
                    "Vanadium ores and concentrates",
                    "Vanadium pentoxide",
                )
            ),
            stocks=("Stocks, yearend",),
            stocks_prev=(("vanadium", "Stocks"),),
        ),
    ),
    "vermiculite": (_R(("Production",), (_IFC,), ("Exports",)),),
    "wollastonite": (
        _R(skip="USGS publishes only a statement (net exporter) and withholds production"),
    ),
    "xenon": (
        _R(("Sold or Used: Xenon, million liters",), (f"{_IFC}: Xenon, million liters",), ()),
    ),
    "yttrium": (
        _R(
            (),
            (f"{_IFC}, yttrium, alloys, compounds, and metal",),
            ("Exports, compounds",),
            note="USGS: domestic concentrate was stockpiled or exported; compounds and "
            "metals were imported",
        ),
    ),
    "zeolites": (_R(("Sales, mill",), (_IFC,), ("Exports",)),),
    "zinc": (
        _R(
            ("Production: Mine, zinc in concentrates",),
            (f"{_IFC}: Ores and concentrates",),
            ("Exports: Ores and concentrates",),
            nir="Ores and concentrates",
            product="ores and concentrates",
        ),
        _R(
            ("Production: Refined zinc",),
            (f"{_IFC}: Refined zinc",),
            ("Exports: Refined zinc",),
            stocks=("Stocks, reported producer and consumer, refined zinc, yearend",),
            releases=("Shipments from Government stockpile",),
            stocks_prev=(("zinc", "Stocks_Refined"),),
            nir="Refined zinc",
            product="refined zinc",
        ),
    ),
    "zirconium": (
        _R(
            ("Production, zirconium ores and concentrates [zirconium oxide (ZrO2) content]",),
            ("Imports: Zirconium ores and concentrates (ZrO2 content)",),
            ("Exports: Zirconium ores and concentrates (ZrO2 content)",),
        ),
    ),
}

#: Measures of the U.S. salient section other than production; the section ends with the
#: last of them (world production tables follow it in the MCS 2026 file).
_SALIENT_MEASURES = (
    "imports",
    "exports",
    "consumption",
    "net_import_reliance",
    "stocks",
    "stock_change",
    "shipments",
    "price",
    "employment",
    "other",
)

#: Relative difference between the computed and the published apparent consumption above
#: which ``reason`` names the consumption basis as the cause of a mismatch.
_AC_DIFF = 0.05


def _salient(dataset: str) -> pd.DataFrame:
    """U.S. salient-statistics rows of one USGS edition, with a sub-table index ``part``."""
    store = get_store()
    measures = ", ".join(f"'{m}'" for m in _SALIENT_MEASURES)
    df = store.query(
        f"""
        WITH d AS (SELECT * FROM observations WHERE dataset = ? AND country_iso3 = 'USA'),
        last AS (SELECT commodity_id, max(source_row) AS last_row FROM d
                 WHERE measure IN ({measures}) GROUP BY commodity_id)
        SELECT d.* FROM d JOIN last USING (commodity_id) WHERE d.source_row <= last.last_row
        """,
        [dataset],
    )
    df = df.sort_values("source_row", kind="stable")
    df["part"] = df.groupby(
        ["commodity_id", "commodity_source", "series", "year"], dropna=False
    ).cumcount()
    df["flag"] = df["flag"].fillna("")
    return df


def _ref(ref: SeriesRef) -> tuple[str, int]:
    return (ref, 0) if isinstance(ref, str) else (ref[0], int(ref[1]))


def _sum_series(
    rows: pd.DataFrame, refs: tuple[SeriesRef, ...], years: list[int], term: str
) -> tuple[pd.Series, pd.Series, list[str]]:
    """Sum the referenced series per year; NaN if any is missing.  Returns (values, notes, units)."""
    vals = pd.Series(0.0, index=years)
    notes = pd.Series("", index=years, dtype=object)
    units: list[str] = []
    for ref in refs:
        label, part = _ref(ref)
        r = rows[(rows["series"] == label) & (rows["part"] == part)].set_index("year")
        if r.index.has_duplicates:
            raise MethodError(f"series {label!r} repeats years; give its sub-table index")
        units.extend(r["unit"].dropna().unique().tolist())
        # USGS code 's' ("less than 1/2 unit") prints as <0.5: the figure rounds to zero
        half_unit = r["flag"].str.contains("upper_bound") & r["note"].fillna("").str.contains(
            "'s'", regex=False
        )
        v = r["value"].where(~half_unit, 0.0).reindex(years)
        f = r["flag"].where(~half_unit, "").reindex(years).fillna("missing")
        vals = vals + v
        for y in years:
            fy = f.at[y]
            for code, words in (
                ("withheld", "withheld"),
                ("not_available", "not available"),
                ("missing", "not in the table"),
                ("lower_bound", "a lower bound"),
                ("upper_bound", "an upper bound"),
            ):
                if code in fy.split(";") and (
                    code in ("lower_bound", "upper_bound") or np.isnan(v.at[y])
                ):
                    notes.at[y] += f"{term} '{label}' {words}; "
    return vals, notes, units


def _withheld(rows: pd.DataFrame, refs: tuple[SeriesRef, ...], years: list[int]) -> pd.Series:
    """Whether USGS withheld ("W") any of the referenced series, per year."""
    out = pd.Series(False, index=years)
    for ref in refs:
        label, part = _ref(ref)
        r = rows[(rows["series"] == label) & (rows["part"] == part)].drop_duplicates("year")
        w = r.set_index("year")["flag"].str.contains("withheld").reindex(years)
        out = out | w.fillna(False).astype(bool)
    return out


def _stock_change(
    rows: pd.DataFrame, prev: pd.DataFrame, rule: NIRRule, years: list[int]
) -> tuple[pd.Series, pd.Series, list[str]]:
    """ΔS = S[t−1] − S[t] per year, the first year's S[t−1] from the previous edition."""
    if not rule.stocks:
        return pd.Series(0.0, index=years), pd.Series("", index=years, dtype=object), []
    first = min(years)
    levels, notes, units = _sum_series(rows, rule.stocks, years, "stocks")
    before = np.nan
    if rule.stocks_prev:
        p = prev[
            prev[["commodity_id", "series"]].apply(tuple, axis=1).isin(set(rule.stocks_prev))
            & (prev["year"] == first - 1)
        ]
        same_unit = set(p["unit"]) <= set(units) if units else False
        if len(p) == len(rule.stocks_prev) and same_unit:
            before = float(p["value"].sum(min_count=len(p)))
    lv = pd.concat([pd.Series({first - 1: before}), levels])
    ds = (lv.shift(1) - lv).reindex(years)
    if np.isnan(before) and not np.isnan(levels.at[first]):
        ds.at[first] = 0.0
        notes.at[first] += (
            f"stock change for {first} not known (no {first - 1} stocks): taken as 0; "
        )
    return ds, notes, units


def _releases(rows: pd.DataFrame, rule: NIRRule, years: list[int]) -> pd.Series:
    if not rule.releases:
        return pd.Series(0.0, index=years)
    total = pd.Series(0.0, index=years)
    for ref in rule.releases:
        label, part = _ref(ref)
        r = rows[(rows["series"] == label) & (rows["part"] == part)].set_index("year")
        total = total + r["value"].reindex(years).fillna(0.0)
    return total


def _published(rows: pd.DataFrame, rule: NIRRule) -> pd.DataFrame:
    nir = rows[rows["measure"] == "net_import_reliance"]
    if isinstance(rule.nir, tuple):
        label, part = rule.nir
        nir = nir[(nir["series"] == label) & (nir["part"] == part)]
    elif rule.nir:
        nir = nir[nir["series"].str.contains(rule.nir, regex=False)]
    return nir.drop_duplicates("year").set_index("year")


def _rule_rows(
    cid: str, rule: NIRRule, rows: pd.DataFrame, prev: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    if rule.source is not None:
        rows = rows[rows["commodity_source"] == rule.source]
    pub = _published(rows, rule)
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["commodity_id"] = cid
    out["product"] = rule.product
    out["published_nir_pct"] = pub["value"].reindex(years)
    out["published_flag"] = [
        published_flag(pub.at[y, "value"], pub.at[y, "flag"]) if y in pub.index else "NA"
        for y in years
    ]
    cons = rows[rows["measure"] == "consumption"]
    apparent = cons[cons["series"].str.contains("apparent", case=False)]
    if rule.apparent is not None:
        apparent = apparent[apparent["series"] == rule.apparent]
    elif isinstance(rule.nir, str) and rule.nir:
        # one apparent-consumption line per product (abrasives): the rule's own
        own = apparent[apparent["series"].str.contains(rule.nir, regex=False)]
        apparent = own if len(own) else apparent
    # several apparent-consumption lines (nickel: primary, total): the total one first
    apparent = apparent.assign(
        _total=~apparent["series"].str.contains("total", case=False)
    ).sort_values(["_total", "source_row"])
    out["published_consumption"] = (
        apparent.drop_duplicates("year").set_index("year")["value"].reindex(years)
        if rule.consumption is None
        else np.nan
    )
    out["_withheld"] = False
    if rule.skip:
        for col in ("production", "imports", "exports", "stock_change"):
            out[col] = np.nan
        out["consumption"] = np.nan
        out["unit"] = ""
        out["_notes"] = ""
        out["_skip"] = rule.skip
        out["_rule_note"] = ""
        out["_basis"] = "not_computed"
        out["_formula"] = ""
        if rule.statement:
            st = _statement(rows)
            out["published_nir_pct"] = st["value"].reindex(years)
            out["published_flag"] = np.where(out["published_nir_pct"].notna(), "", "NA")
            out.loc[out["published_nir_pct"].notna(), "_basis"] = "usgs_statement"
            out["_skip"] = [
                f"{rule.skip}; USGS states: '{st.at[y, 'text']}'"
                if y in st.index
                else f"{rule.skip}; USGS states a figure for "
                f"{', '.join(str(v) for v in st.index) or 'no year'} only"
                for y in years
            ]
        return out.reset_index()
    p, pn, pu = _sum_series(rows, rule.production, years, "production")
    i, inn, iu = _sum_series(rows, rule.imports, years, "imports")
    e, en, eu = _sum_series(rows, rule.exports, years, "exports")
    ds, sn, _ = _stock_change(rows, prev, rule, years)
    out["production"] = p
    out["imports"] = i
    out["exports"] = e
    out["stock_change"] = ds + _releases(rows, rule, years)
    denominator = rule.consumption or rule.apparent
    if denominator is not None:
        c, cn, cu = _sum_series(rows, (denominator,), years, "consumption")
        out["consumption"] = c
    else:
        c, cn, cu = None, pd.Series("", index=years), []
        out["consumption"] = np.nan
    units = sorted(set(pu + iu + eu + cu))
    out["unit"] = ";".join(units)
    out["_notes"] = pn + inn + en + sn + cn
    out["_skip"] = ""
    out["_rule_note"] = rule.note
    out["_formula"] = (
        "net/AC" if rule.apparent else "(C-P)/C" if rule.consumption else "net/(P+net)"
    )
    if rule.apparent is not None:
        out["_basis"] = "usgs_apparent_consumption"
    elif rule.consumption is not None:
        out["_basis"] = (
            "usgs_apparent_consumption"
            if "apparent" in rule.consumption.lower()
            else "stated_consumption"
        )
    else:
        out["_basis"] = "balance"
    used = (*rule.production, *rule.imports, *rule.exports, *rule.stocks)
    if rule.apparent is not None:  # production is not used with a stated AC
        used = (*rule.imports, *rule.exports, *rule.stocks)
    out["_withheld"] = _withheld(rows, (*used, *((denominator,) if denominator else ())), years)
    return out.reset_index()


_STATEMENT = re.compile(
    r"[^.]*?(\d+(?:\.\d+)?)\s*% net import reliant(?: for its [\w -]+? needs)?", re.IGNORECASE
)


def _statement(rows: pd.DataFrame) -> pd.DataFrame:
    """USGS's reliance in words ("was 100% net import reliant") by year: value [%] and text."""
    found = {}
    for r in rows.sort_values("source_row").itertuples():
        for text in (r.series, r.note):
            m = _STATEMENT.search(text if isinstance(text, str) else "")
            if m and int(r.year) not in found:
                where = f" ({r.series})" if text is r.note else ""
                found[int(r.year)] = (float(m.group(1)), m.group(0).strip() + where)
    return pd.DataFrame.from_dict(found, orient="index", columns=["value", "text"])


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _reason(row: pd.Series) -> str:
    """Why a computed figure is missing or differs from the published one."""
    if row["_skip"]:
        return f"not computed: {row['_skip']}"
    notes = row["_notes"].strip().rstrip(";")
    if row["basis"] == "withheld":
        what = "; ".join(n for n in notes.split("; ") if "withheld" in n)
        shown = row["nir_flag"] or f"{row['nir_pct']:g}"
        shown += "%" if shown[-1:].isdigit() else ""
        return f"withheld ({what}): USGS's figure {shown} shown, not computed"
    parts: list[str] = []
    if row["computed_flag"] == "E":
        parts.append("net exporter")
    elif row["computed_flag"]:
        parts.append("cannot compute: " + (notes or row["calc_reason"]))
        notes = ""
    if row["agree"] is not pd.NA and not bool(row["agree"]):
        pac, ac = row["published_consumption"], row["apparent_consumption"]
        if row["computed_flag"] == "" and pac > 0 and abs(ac / pac - 1) > _AC_DIFF:
            parts.append(
                f"apparent consumption {_num(ac)} vs USGS {_num(pac)} "
                f"({100 * (ac / pac - 1):+.0f}%): basis differs"
            )
        elif row["computed_flag"] == "" and row["published_flag"] == "E":
            parts.append("net imports >= 0 but USGS reports a net exporter")
        elif row["computed_flag"] == "" and row["published_flag"]:
            parts.append(
                f"computed {row['computed_nir_pct']:.3g}% is not {row['published_flag']}% "
                "as published"
            )
        elif row["computed_flag"] == "":
            parts.append(f"differs by {row['diff_pct']:+.1f} points")
        if row["_rule_note"]:
            parts.append(row["_rule_note"])
    if notes and row["computed_flag"] in ("", "E"):
        parts.append(notes)
    return "; ".join(p for p in parts if p)


#: Values of the ``check`` column of :func:`us_reliance`.
CHECKS = (
    "agrees",
    "not compared (no published figure)",
    "not computed (USGS: no meaningful NIR)",
    "withheld (USGS figure shown)",
    "apparent consumption differs from USGS's",
    "differs",
    "cannot compute (missing input)",
    "USGS statement shown (no salient statistics)",
)

#: Values of the ``basis`` column of :func:`us_reliance`: what the shown ``nir_pct`` rests on.
BASES = {
    "balance": "computed, AC = P + I - E + dS from the salient table",
    "usgs_apparent_consumption": "computed on USGS's published apparent consumption",
    "stated_consumption": "computed, (C - P) / C on a stated consumption",
    "withheld": "U.S. data withheld: USGS's published figure or marker, not computed",
    "usgs_statement": "USGS's statement in words (no salient statistics)",
    "not_computed": "USGS: no meaningful NIR",
}


def _check(df: pd.DataFrame, skipped: pd.Series) -> np.ndarray:
    """One category per row: why a computed figure agrees with the published one or not."""
    agree = df["agree"].astype("boolean")
    ratio = df["apparent_consumption"] / df["published_consumption"].where(
        df["published_consumption"] > 0
    )
    basis = (df["computed_flag"] == "") & ((ratio - 1).abs() > _AC_DIFF)
    conds = [
        agree.fillna(False).to_numpy(dtype=bool),
        (df["basis"] == "usgs_statement").to_numpy(dtype=bool),
        skipped.to_numpy(dtype=bool),
        (df["basis"] == "withheld").to_numpy(dtype=bool),
        agree.isna().to_numpy(dtype=bool),
        df["computed_flag"].isin(["W", "NA"]).to_numpy(dtype=bool),
        basis.to_numpy(dtype=bool),
    ]
    picks = [CHECKS[0], CHECKS[7], CHECKS[2], CHECKS[3], CHECKS[1], CHECKS[6], CHECKS[4]]
    return np.select(conds, picks, CHECKS[5])


def us_reliance(year: int | None = None, commodity: str | list[str] | None = None) -> pd.DataFrame:
    """U.S. net import reliance recomputed from USGS salient statistics, with the published check.

    Parameters
    ----------
    year : int, optional
        Data year (the MCS 2026 release covers 2021–2025); default all years.
    commodity : str or list of str, optional
        Commodity names, aliases or elements; default every commodity in
        :data:`US_NIR_RULES`.

    Returns
    -------
    pandas.DataFrame
        One row per commodity × product × year, columns ``commodity_id``, ``product`` (the
        sub-product of a commodity with several published NIR series, else ``""``), ``year``,
        ``production``, ``imports``, ``exports``, ``stock_change`` (``ΔS``, positive = drawn
        from stocks) [``unit``], ``consumption`` (stated consumption where the rule uses one),
        ``apparent_consumption`` [unit], ``computed_nir_pct`` [%], ``computed_flag`` (``""``,
        ``E``, ``W``, ``NA``), ``published_nir_pct`` [%], ``published_flag`` (``">50"``,
        ``"<25"``, ``"E"``, ``"NA"``, ``""``), ``diff_pct`` [percentage points], ``agree``
        (nullable bool; tolerance :data:`critmin.metrics.reliance.NIR_TOLERANCE_PCT`),
        ``reason`` (why a figure is missing or differs), ``check`` (one of :data:`CHECKS`),
        ``unit``, ``published_consumption`` (USGS's apparent consumption, for the
        diagnosis only) and ``dataset``.

    Raises
    ------
    NoData
        If `year` is not covered (the message lists the years that are).
    UnknownCommodity
        If a commodity name does not resolve.

    Notes
    -----
    Formula and conventions: :func:`critmin.metrics.reliance.net_import_reliance`; the
    per-commodity choice of series: :data:`US_NIR_RULES`.  The published NIR rows are used
    only for the ``published_*``, ``diff_pct`` and ``agree`` columns.

    Examples
    --------
    >>> df = us_reliance(2024)  # doctest: +SKIP
    >>> df.loc[df.commodity_id == "cobalt", ["computed_nir_pct", "published_nir_pct"]]  # doctest: +SKIP
    """
    sal = _salient(US_NIR_EDITION)
    years = sorted(int(y) for y in sal["year"].unique())
    if year is not None:
        if int(year) not in years:
            raise NoData(
                f"no U.S. salient statistics for {year} in {US_NIR_EDITION}; years with data: "
                f"{years}"
            )
        want_years = [int(year)]
    else:
        want_years = years
    cids = list(US_NIR_RULES)
    if commodity is not None:
        names = [commodity] if isinstance(commodity, str) else list(commodity)
        asked = [catalog.resolve_commodity(n) for n in names]
        missing = [c for c in asked if c not in US_NIR_RULES]
        if missing:
            raise NoData(
                f"no U.S. net import reliance rule for {missing}; commodities with one: "
                f"{sorted(US_NIR_RULES)}"
            )
        cids = asked
    prev = get_store().query(
        "SELECT commodity_id, series, year, value, unit FROM observations "
        "WHERE dataset = ? AND country_iso3 = 'USA' AND measure = 'stocks'",
        [_PREV_EDITION],
    )
    by_cid = dict(tuple(sal.groupby("commodity_id")))
    # a rule's commodity filed by the dataset under a joint chapter id (feldspar rows under
    # feldspar_and_nepheline_syenite): USGS's own commodity name in the row identifies them
    by_source = sal.assign(_n=sal["commodity_source"].str.lower().str.replace(" ", "_"))
    for cid in set(cids) - set(by_cid):
        rows = by_source[by_source["_n"] == cid].drop(columns="_n")
        if len(rows):
            by_cid[cid] = rows
    said = [c for c in cids if any(r.statement for r in US_NIR_RULES[c])]
    if said:  # statements sit in any row of the chapter (rubidium: the import-sources note)
        st = get_store().query(
            f"SELECT * FROM observations WHERE dataset = ? AND commodity_id IN "
            f"({', '.join('?' * len(said))})",
            [US_NIR_EDITION, *said],
        )
        st = st.assign(part=0, flag=st["flag"].fillna(""))
        by_cid.update(dict(tuple(st.groupby("commodity_id"))))
    parts = [
        _rule_rows(cid, rule, by_cid.get(cid, sal.iloc[0:0]), prev, years)
        for cid in cids
        for rule in US_NIR_RULES[cid]
    ]
    df = pd.concat(parts, ignore_index=True)
    balance = df["_formula"] == "net/(P+net)"

    res = pd.DataFrame(
        index=df.index, columns=["apparent_consumption", "nir_pct", "flag", "reason"]
    )
    if balance.any():
        b = df[balance]
        r = net_import_reliance(b["production"], b["imports"], b["exports"], b["stock_change"])
        res.loc[balance, r.columns.drop("net_imports")] = r.drop(columns="net_imports").values
    stated_ac = df["_formula"] == "net/AC"
    if stated_ac.any():
        a = df[stated_ac]
        r = net_import_reliance(
            a["production"],
            a["imports"],
            a["exports"],
            a["stock_change"],
            apparent_consumption=a["consumption"],
        )
        res.loc[stated_ac, r.columns.drop("net_imports")] = r.drop(columns="net_imports").values
    cons_rule = df["_formula"] == "(C-P)/C"
    if cons_rule.any():
        c = df[cons_rule]
        # on a stated-consumption basis the reliance is (C - P) / C: trade figures do not
        # enter it, so a trade figure USGS does not publish (gallium exports) does not block it
        r = net_import_reliance(
            c["production"],
            c["imports"].fillna(0.0),
            c["exports"].fillna(0.0),
            c["stock_change"].fillna(0.0),
            consumption=c["consumption"],
        )
        res.loc[cons_rule, r.columns.drop("net_imports")] = r.drop(columns="net_imports").values
    skipped = df["_skip"] != ""
    res.loc[skipped, ["flag", "reason"]] = ["NA", "not computed"]
    df["apparent_consumption"] = res["apparent_consumption"].astype(float)
    df["computed_nir_pct"] = res["nir_pct"].astype(float)
    df["computed_flag"] = res["flag"].fillna("NA").astype(str)
    # a withheld input: no figure is computed (USGS withholds it to avoid disclosing company
    # data); USGS's own figure or marker is shown instead
    withheld = df["_withheld"].astype(bool) & ~skipped
    df.loc[withheld, "computed_flag"] = WITHHELD
    df.loc[withheld, "computed_nir_pct"] = np.nan
    df["calc_reason"] = res["reason"].fillna("").astype(str)
    df["diff_pct"] = df["computed_nir_pct"] - df["published_nir_pct"].where(
        df["published_flag"] == ""
    )
    df["agree"] = compare_published(
        df["computed_nir_pct"],
        df["computed_flag"],
        df["published_nir_pct"],
        df["published_flag"],
        tolerance=NIR_TOLERANCE_PCT,
    ).array  # nullable boolean
    df.loc[skipped | withheld, "agree"] = pd.NA
    df["basis"] = df["_basis"].where(~withheld, "withheld")
    shown = df["basis"].isin(["withheld", "usgs_statement"])
    df["nir_pct"] = df["computed_nir_pct"].where(~shown, df["published_nir_pct"])
    df["nir_flag"] = df["computed_flag"].where(~shown, df["published_flag"])
    df.loc[df["basis"].eq("withheld") & df["nir_flag"].eq(NOT_AVAILABLE), "nir_flag"] = WITHHELD
    df["reason"] = df.apply(_reason, axis=1)
    df["check"] = _check(df, skipped)
    df["dataset"] = US_NIR_EDITION
    df = df[df["year"].isin(want_years)]
    cols = [
        "commodity_id",
        "product",
        "year",
        "production",
        "imports",
        "exports",
        "stock_change",
        "consumption",
        "apparent_consumption",
        "nir_pct",
        "nir_flag",
        "basis",
        "computed_nir_pct",
        "computed_flag",
        "published_nir_pct",
        "published_flag",
        "diff_pct",
        "agree",
        "reason",
        "check",
        "unit",
        "published_consumption",
        "dataset",
    ]
    return df[cols].sort_values(["commodity_id", "product", "year"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# any country: BACI trade (+ World Mining Data production where comparable)

#: Commodities whose World Mining Data production is a gross weight of the same material the
#: HS6 code trades (industrial minerals and fuels).  For metals WMD reports metal (or oxide)
#: content while BACI quantities are the gross weight of ores, concentrates or compounds, so
#: production is left NaN and the trade-only indicator is used.
GROSS_WEIGHT_PRODUCTION = frozenset(
    {
        "asbestos",
        "barite",
        "bauxite",
        "bentonite",
        "boron",
        "coking_coal",
        "feldspar",
        "fluorspar",
        "graphite",
        "gypsum",
        "kaolin",
        "lignite",
        "magnesite",
        "petroleum",
        "steam_coal",
    }
)


#: World Mining Data category of the HS codes :func:`import_dependence` can leave out as
#: energy (``wmd_hs_map.category``: coal, lignite, natural gas, petroleum, uranium).
ENERGY_CATEGORY = "Mineral Fuels"
#: Commodities left out with the energy codes on request (``fuels_and_gold=False``): gold is
#: traded mostly as a store of value, not an industrial input.
GOLD = frozenset({"gold"})


def _hs_labels() -> pd.DataFrame:
    """HS6 -> BACI HS92 description and World Mining Data category, for the trade codes."""
    from critmin.scenarios.data import hs_stages

    st = hs_stages().drop_duplicates("hs6").set_index("hs6")["description"]
    hsmap = get_store().table("wmd_hs_map")
    hsmap = hsmap[hsmap["hs6"].fillna("") != ""].drop_duplicates("hs6").set_index("hs6")
    desc = st.combine_first(hsmap["description"])
    out = pd.DataFrame({"description": desc})
    out["category"] = hsmap["category"].reindex(out.index)
    return out


def import_partners(
    country: str,
    year: int,
    hs6: str | list[str] | None = None,
    commodity: str | list[str] | None = None,
) -> pd.DataFrame:
    """Every supplier of a country's imports per HS6 code in one year (CEPII BACI), untruncated.

    Parameters
    ----------
    country : str
        Importing country (name or code).
    year : int
        BACI year.
    hs6 : str or list of str, optional
        HS 6-digit codes.
    commodity : str or list of str, optional
        Commodity names, aliases or elements (the trade table's ``commodity_id``).

    Returns
    -------
    pandas.DataFrame
        One row per HS6 × exporter with a positive value: ``hs6``, ``commodity_id``,
        ``exporter_iso3``, ``value_kusd`` [thousand USD], ``quantity_t`` [t, NaN where BACI
        has no quantity], ``share`` [-] (of the code's import value; shares of a code sum to
        1), ``rank`` (1 = largest).  Sorted by code and rank.

    Raises
    ------
    UnknownCountry, UnknownCommodity
        If a name does not resolve.
    NoData
        If the country imported nothing of the codes asked that year.
    """
    iso = catalog.resolve_country(country)
    where, params = ["importer_iso3 = ?", "year = ?"], [iso, int(year)]
    if hs6 is not None:
        codes = [hs6] if isinstance(hs6, str) else list(hs6)
        where.append(f"hs6 IN ({', '.join('?' * len(codes))})")
        params += codes
    if commodity is not None:
        names = [commodity] if isinstance(commodity, str) else list(commodity)
        cids = [catalog.resolve_commodity(n) for n in names]
        where.append(f"commodity_id IN ({', '.join('?' * len(cids))})")
        params += cids
    t = get_store().query(
        "SELECT hs6, any_value(commodity_id) AS commodity_id, exporter_iso3, "
        "sum(value_kusd) AS value_kusd, sum(quantity_t) AS quantity_t FROM trade "
        f"WHERE {' AND '.join(where)} GROUP BY hs6, exporter_iso3 HAVING sum(value_kusd) > 0",
        params,
    )
    if t.empty:
        raise NoData(
            f"no BACI imports of {iso} in {year} for "
            f"{'HS6 ' + str(hs6) if hs6 is not None else ''}"
            f"{' commodity ' + str(commodity) if commodity is not None else ''}".rstrip()
            + "; see import_dependence() for the codes and years with trade"
        )
    t["share"] = t["value_kusd"] / t.groupby("hs6")["value_kusd"].transform("sum")
    t = t.sort_values(["hs6", "value_kusd", "exporter_iso3"], ascending=[True, False, True])
    t["rank"] = t.groupby("hs6").cumcount() + 1
    return t.reset_index(drop=True)


def import_dependence(
    country: str = "IND",
    year: int | list[int] | None = None,
    hs6: str | list[str] | None = None,
    commodity: str | list[str] | None = None,
    fuels_and_gold: bool = True,
) -> pd.DataFrame:
    """Import dependence of a country per HS6 code and year, from CEPII BACI trade.

    Parameters
    ----------
    country : str, default "IND"
        Country name or code.
    year : int or list of int, optional
        Default all BACI years (1995–2024).
    hs6 : str or list of str, optional
        HS 6-digit codes; default every code in the trade table.
    commodity : str or list of str, optional
        Commodity names, aliases or elements: only the codes the trade table files under
        them (``commodity_id``).
    fuels_and_gold : bool, default True
        False leaves out the energy codes (World Mining Data category
        :data:`ENERGY_CATEGORY`: coal, lignite, natural gas, petroleum, uranium) and gold
        (:data:`GOLD`), which otherwise lead any ranking by import value.  A commodity asked
        for by name is kept.

    Returns
    -------
    pandas.DataFrame
        One row per HS6 × year, columns ``hs6``, ``commodity_id``, ``stage`` (of the HS code,
        World Mining Data's HS map), ``year``, ``imports_t``, ``exports_t``,
        ``net_imports_t`` [t, gross weight; sums of the flows that report a quantity],
        ``production_t`` [t] (World Mining Data, only where comparable: the commodity's main
        HS code, the same stage, and a gross-weight commodity in
        :data:`GROSS_WEIGHT_PRODUCTION`; else NaN),
        ``import_dependence`` [-] (``net / (production + net)`` where production is known,
        else ``imports / (imports + exports)``), ``indicator`` (``"net_import_reliance"`` or
        ``"trade_only"``), ``flag`` (``"E"`` for a net exporter), ``n_partners`` (exporters
        with a positive value), ``top_partner``, ``top_partner_share`` [-],
        ``import_hhi`` [-] (HHI of import-source value shares), ``value_kusd`` (imports
        [thousand USD]), ``exports_kusd``, ``description`` (BACI's HS92 product
        description, ``product_codes_HS92_V202401b`` as carried by
        :func:`critmin.scenarios.data.hs_stages`; World Mining Data's where that has none)
        and ``category`` (World Mining Data's category of the code, e.g. ``Mineral Fuels``).

    Raises
    ------
    UnknownCountry
        If `country` does not resolve.
    NoData
        If the country has no trade in the years or codes asked (the message lists what exists).

    Notes
    -----
    Import-source shares and the HHI are by value (quantities are missing for some flows);
    the HHI is :func:`critmin.metrics.concentration.concentration_table`'s.  The reliance
    formula is :func:`critmin.metrics.reliance.net_import_reliance` (with ``ΔS = 0``: BACI has
    no stocks); the trade-only indicator is
    :func:`critmin.metrics.reliance.trade_import_share`.
    """
    iso = catalog.resolve_country(country)
    store = get_store()
    years = None if year is None else ([int(year)] if np.isscalar(year) else [int(y) for y in year])
    codes = None if hs6 is None else ([hs6] if isinstance(hs6, str) else list(hs6))
    where, params = ["(importer_iso3 = ? OR exporter_iso3 = ?)"], [iso, iso]
    if years is not None:
        where.append(f"year IN ({', '.join('?' * len(years))})")
        params += years
    if codes is not None:
        where.append(f"hs6 IN ({', '.join('?' * len(codes))})")
        params += codes
    cids: list[str] = []
    if commodity is not None:
        names = [commodity] if isinstance(commodity, str) else list(commodity)
        cids = [catalog.resolve_commodity(n) for n in names]
        where.append(f"commodity_id IN ({', '.join('?' * len(cids))})")
        params += cids
    t = store.query(
        "SELECT year, exporter_iso3, importer_iso3, hs6, commodity_id, value_kusd, quantity_t "
        f"FROM trade WHERE {' AND '.join(where)}",
        params,
    )
    if t.empty:
        have = store.query(
            "SELECT DISTINCT year FROM trade WHERE importer_iso3 = ? OR exporter_iso3 = ? "
            "ORDER BY year",
            [iso, iso],
        )["year"].tolist()
        what = f"years {years}" if years else "any year"
        if codes:
            what += f", HS6 {codes}"
        if cids:
            what += f", commodity {cids}"
        raise NoData(
            f"no BACI trade of {iso} for {what}; years with trade: "
            f"{[int(y) for y in have] or 'none'}"
        )
    imp = t[t["importer_iso3"] == iso]
    exp = t[t["exporter_iso3"] == iso]
    key = ["hs6", "year"]
    g_imp = imp.groupby(key)
    agg = pd.DataFrame(
        {
            "imports_t": g_imp["quantity_t"].sum(min_count=1),
            "value_kusd": g_imp["value_kusd"].sum(),
        }
    )
    g_exp = exp.groupby(key)
    agg = agg.join(
        pd.DataFrame(
            {
                "exports_t": g_exp["quantity_t"].sum(min_count=1),
                "exports_kusd": g_exp["value_kusd"].sum(),
            }
        ),
        how="outer",
    )
    agg[["imports_t", "exports_t"]] = agg[["imports_t", "exports_t"]].fillna(
        {"imports_t": 0.0, "exports_t": 0.0}
    )
    agg[["value_kusd", "exports_kusd"]] = agg[["value_kusd", "exports_kusd"]].fillna(0.0)
    agg["net_imports_t"] = agg["imports_t"] - agg["exports_t"]
    # import sources
    if not imp.empty:
        src = imp.groupby([*key, "exporter_iso3"], as_index=False)["value_kusd"].sum()
        conc = concentration_table(
            src, by=key, value="value_kusd", entity="exporter_iso3", exclude=()
        )
        agg = agg.join(
            conc[["n_producers", "top1_entity", "top1", "hhi_fraction"]].rename(
                columns={
                    "n_producers": "n_partners",
                    "top1_entity": "top_partner",
                    "top1": "top_partner_share",
                    "hhi_fraction": "import_hhi",
                }
            )
        )
    else:
        agg[["n_partners", "top_partner", "top_partner_share", "import_hhi"]] = [
            0,
            None,
            np.nan,
            np.nan,
        ]
    agg["n_partners"] = agg["n_partners"].fillna(0).astype(int)
    agg = agg.reset_index()
    # commodity and stage of each code
    cmap = t.drop_duplicates("hs6").set_index("hs6")["commodity_id"]
    agg["commodity_id"] = agg["hs6"].map(cmap)
    hsmap = store.table("wmd_hs_map")
    hsmap = hsmap[hsmap["hs6"].fillna("") != ""]
    first = (
        hsmap.assign(_main=hsmap["hs6_role"] != "main")
        .sort_values("_main")
        .drop_duplicates("hs6")
        .set_index("hs6")
    )
    agg["stage"] = agg["hs6"].map(first["stage"])
    agg["hs6_role"] = agg["hs6"].map(first["hs6_role"])
    # comparable production (World Mining Data)
    prod = store.query(
        "SELECT commodity_id, stage, year, value, unit FROM observations "
        "WHERE dataset = 'wmd' AND measure = 'production' AND country_iso3 = ?",
        [iso],
    )
    prod = prod[(prod["unit"] == "t") & prod["commodity_id"].isin(GROSS_WEIGHT_PRODUCTION)]
    prod = prod.groupby(["commodity_id", "stage", "year"])["value"].sum(min_count=1)
    idx = pd.MultiIndex.from_arrays([agg["commodity_id"], agg["stage"], agg["year"]])
    # production is set against the commodity's main HS code only: a complementary code
    # (e.g. 270111 anthracite for steam coal) trades a part of what production measures
    agg["production_t"] = prod.reindex(idx).to_numpy()
    agg.loc[agg["hs6_role"] != "main", "production_t"] = np.nan
    has_p = agg["production_t"].notna()
    r = net_import_reliance(
        agg["production_t"].where(has_p, 0.0), agg["imports_t"], agg["exports_t"]
    )
    trade_only = trade_import_share(agg["imports_t"], agg["exports_t"])
    agg["import_dependence"] = np.where(has_p, r["nir_pct"] / 100.0, trade_only)
    agg["indicator"] = np.where(has_p, "net_import_reliance", "trade_only")
    agg["flag"] = np.where(has_p, r["flag"], "")
    agg["country_iso3"] = iso
    labels = _hs_labels()
    agg["description"] = agg["hs6"].map(labels["description"]).fillna("")
    agg["category"] = agg["hs6"].map(labels["category"])
    if not fuels_and_gold:
        out_ = (agg["category"] == ENERGY_CATEGORY) | agg["commodity_id"].isin(GOLD)
        agg = agg[~out_ | agg["commodity_id"].isin(cids)]
    cols = [
        "country_iso3",
        "hs6",
        "commodity_id",
        "stage",
        "year",
        "imports_t",
        "exports_t",
        "net_imports_t",
        "production_t",
        "import_dependence",
        "indicator",
        "flag",
        "n_partners",
        "top_partner",
        "top_partner_share",
        "import_hhi",
        "value_kusd",
        "exports_kusd",
        "description",
        "category",
    ]
    return (
        agg[cols]
        .sort_values(["year", "value_kusd"], ascending=[True, False])
        .reset_index(drop=True)
    )
