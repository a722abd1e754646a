"""Recovery and recycling: dynamic stock models and secondary supply.

* :mod:`~critmin.circular.lifetimes` — lifetime distributions on flodym's lifetime models,
  with the age convention stated (default ``inflow_at="end"`` = ODYM).
* :mod:`~critmin.circular.stock` — inflow-driven and stock-driven dynamic stock models.
* :mod:`~critmin.circular.products` — product systems, the shipped parameter table and
  loaders for user parameters.
* :mod:`~critmin.circular.recovery` — end-of-life flows, collection, recovery and
  secondary supply per element × region × year, with mass-balance checks.
"""

from critmin.circular import lifetimes
from critmin.circular.lifetimes import Lifetime
from critmin.circular.products import (
    ELEMENTS,
    PRODUCTS,
    MissingParameterError,
    ParameterError,
    ProductSystem,
    load_parameters,
    parameter_template,
)
from critmin.circular.recovery import (
    MassBalanceError,
    MassBalanceWarning,
    RecoveryResult,
    check_mass_balance,
    run_recovery,
    sensitivity,
    share_of_demand,
)
from critmin.circular.stock import DSMResult, inflow_driven, stock_driven

__all__ = [
    "ELEMENTS",
    "PRODUCTS",
    "DSMResult",
    "Lifetime",
    "MassBalanceError",
    "MassBalanceWarning",
    "MissingParameterError",
    "ParameterError",
    "ProductSystem",
    "RecoveryResult",
    "check_mass_balance",
    "inflow_driven",
    "lifetimes",
    "load_parameters",
    "parameter_template",
    "run_recovery",
    "sensitivity",
    "share_of_demand",
    "stock_driven",
]
