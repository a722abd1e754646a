"""Reports: figures (plotly for HTML, matplotlib for PNG) built from critmin's tables.

* :mod:`critmin.report.charts` -- the risk matrix (concentration × import reliance, one bubble
  per mineral) as a plotly figure, written to self-contained HTML or rendered to PNG with
  matplotlib from the same data (no kaleido / browser needed).
"""

from __future__ import annotations

from critmin.report.charts import risk_matrix, risk_matrix_png, save

__all__ = ["risk_matrix", "risk_matrix_png", "save"]
