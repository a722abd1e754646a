"""Docs generated from code stay in sync with it."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_data_page_is_current():
    spec = importlib.util.spec_from_file_location("render", ROOT / "tools" / "render_data_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (ROOT / "docs" / "data.md").read_text(encoding="utf-8") == mod.render(), (
        "docs/data.md is stale: run `python tools/render_data_docs.py`"
    )


def test_public_api_is_explicit():
    import critmin

    public = {n for n in dir(critmin) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(critmin, n)).__name__ == "module"}
    assert set(critmin.__all__) - {"__version__"} == public - modules
