"""Charts: the risk matrix as a plotly figure, written to self-contained HTML and to PNG."""

from __future__ import annotations

import struct

import pandas as pd
import plotly.graph_objects as go
import pytest

from critmin.errors import MethodError
from critmin.report import risk_matrix, risk_matrix_png, save

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mineral": ["Cobalt", "Lithium", "Nickel", "Copper"],
            "hhi": [0.55, 0.30, 0.40, 0.12],
            "import_reliance": [1.0, 0.6, 0.9, None],
            "geopolrisk": [0.20, 0.10, 0.05, 0.01],
            "score": [0.9, 0.4, 0.5, 0.2],
            "driver": ["China 77% of refining", "", "Indonesia 62% of mining", ""],
            "concentration_source": ["iea_cmde_2024 2023", "wmd 2024", "wmd 2024", "wmd 2024"],
            "reliance_source": ["BACI 2024"] * 4,
        }
    )


def test_risk_matrix_figure(table):
    fig = risk_matrix(table, title="test")
    assert isinstance(fig, go.Figure)
    (trace,) = fig.data
    assert list(trace.text) == ["Cobalt", "Lithium", "Nickel"]  # copper has no y value
    assert list(trace.x) == [0.55, 0.30, 0.40]
    assert list(trace.y) == [1.0, 0.6, 0.9]
    assert "iea_cmde_2024 2023" in trace.hovertext[0] and "BACI 2024" in trace.hovertext[0]
    assert "China 77% of refining" in trace.hovertext[0]
    assert trace.marker.size[0] == max(trace.marker.size)  # largest GeoPolRisk, largest bubble
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "not shown (no hhi or import_reliance): Copper" in notes
    assert fig.layout.title.text == "test"


def test_save_html_works_offline(table, tmp_path):
    path = save(risk_matrix(table), tmp_path / "m.html")
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size > 1_000_000  # plotly.js embedded
    assert "Plotly.newPlot" in text and "cdn.plot.ly" not in text.split("<body>")[0]
    assert "Cobalt" in text


@pytest.mark.parametrize(("width", "height"), [(1000, 700), (640, 480)])
def test_png_has_the_requested_size(table, tmp_path, width, height):
    path = risk_matrix_png(table, tmp_path / "m.png", width=width, height=height)
    assert path.stat().st_size > 10_000
    assert png_size(path) == (width, height)
    fig_path = save(risk_matrix(table), tmp_path / "n.png", width=width, height=height)
    assert png_size(fig_path) == (width, height)


def test_real_ranking_chart(tmp_path):
    from critmin.assessments.risk import risk

    df = risk(country="IND")
    path = risk_matrix_png(df, tmp_path / "india.png", title="India")
    assert png_size(path) == (1000, 700)
    fig = risk_matrix(df, x="wgi_hhi")
    assert len(fig.data[0].x) == int((df["wgi_hhi"].notna() & df["import_reliance"].notna()).sum())


def test_chart_errors(table, tmp_path):
    with pytest.raises(MethodError, match="needs column"):
        risk_matrix(table.drop(columns="hhi"))
    with pytest.raises(MethodError, match="nothing to plot"):
        risk_matrix(table.assign(import_reliance=None))
    with pytest.raises(MethodError, match=".html or .png"):
        save(risk_matrix(table), tmp_path / "m.pdf")
    with pytest.raises(MethodError, match="writes PNG files"):
        risk_matrix_png(table, tmp_path / "m.html")
