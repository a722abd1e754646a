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


def test_analysis_subpackages_load_on_first_use():
    import importlib
    import subprocess
    import sys

    import critmin

    for name in critmin._LAZY_SUBPACKAGES:
        assert getattr(critmin, name) is importlib.import_module(f"critmin.{name}")
    # a plain `import critmin` does not pay for them (scipy, the planner, the engine)
    code = (
        "import sys, critmin; print(sorted(m for m in sys.modules if m.startswith('critmin.plan')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        critmin.nothing  # noqa: B018
