"""The dataset build: drop-in releases, atomic replacement, clear errors."""

import os
import shutil

import pandas as pd
import pytest

from critmin.errors import DataError, ParseError
from critmin.ingest.build import build_dataset, discover_sources
from critmin.settings import PACKAGED_DATASET_DIR, settings_context
from critmin.store import Store


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory, shared_data):
    """A writable copy of the source folder, so a test can add or break a file."""
    base = tmp_path_factory.mktemp("shared")
    root = base / "data"
    shutil.copytree(shared_data, root)
    shutil.copytree(shared_data.parent / "methods", base / "methods")
    return root


def _copy(source_copy, tmp_path):
    """A per-test copy of the source folder with methods/ beside it (as in shared/)."""
    dst = tmp_path / "shared" / "data"
    shutil.copytree(source_copy, dst, copy_function=os.link)
    shutil.copytree(source_copy.parent / "methods", dst.parent / "methods", copy_function=os.link)
    return dst


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """The rows in one order (every column, nulls last), so a comparison ignores row order."""
    key = df.astype("string").fillna("\uffff")
    return df.loc[key.sort_values(list(key.columns)).index].reset_index(drop=True)


def test_rebuild_reproduces_the_packaged_dataset(tmp_path, shared_data):
    m = build_dataset(shared_data, tmp_path / "ds")
    new, pkg = Store(tmp_path / "ds"), Store(PACKAGED_DATASET_DIR)
    for table in ("observations", "governance", "export_controls", "reconciliation"):
        a, b = _canonical(new.table(table)), _canonical(pkg.table(table))
        assert list(a.columns) == list(b.columns), table
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=table)
    assert m["tables"]["trade"] == pkg.manifest["tables"]["trade"]


def test_next_years_usgs_release_is_a_drop_in(tmp_path, source_copy):
    src = _copy(source_copy, tmp_path)
    new = src / "usgs_mcs2027"
    new.mkdir()
    shutil.copy(
        source_copy / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv",
        new / "MCS2027_Commodities_Data.csv",
    )
    m = build_dataset(src, tmp_path / "ds")
    assert "usgs_mcs2027" in m["datasets"] and "usgs_mcs2026" in m["datasets"]
    with settings_context(dataset_dir=tmp_path / "ds"):
        import critmin

        df = critmin.production("lithium", year=2025)
        assert set(df["dataset"]) == {"usgs_mcs2027"}  # the newest edition wins per year


def test_failed_build_leaves_the_previous_dataset(tmp_path, source_copy):
    src = _copy(source_copy, tmp_path)
    out = tmp_path / "ds"
    build_dataset(src, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = src / "usgs_mcs2026" / "MCS2026_Commodities_Data.csv"
    bad.unlink()
    bad.write_text("MCS chapter,Section\nLITHIUM,World\n", encoding="cp1252")
    with pytest.raises(ParseError, match=r"MCS2026_Commodities_Data\.csv.*missing column"):
        build_dataset(src, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    assert not list(out.parent.glob(".critmin-build-*"))  # no half-written folder left behind


def test_unresolvable_country_names_the_fix(tmp_path, source_copy):
    src = _copy(source_copy, tmp_path)
    f = src / "usgs_mcs2025" / "world_data" / "MCS2025_World_Data.csv"
    text = f.read_text(encoding="utf-8-sig").replace(",Chile,", ",Atlantis,", 1)
    f.unlink()  # a hard link: replace the file, do not write through to the original
    f.write_text(text, encoding="utf-8-sig")
    with pytest.raises(DataError, match=r"'Atlantis'.*\n.*country_aliases\.csv"):
        build_dataset(src, tmp_path / "ds")


def test_missing_source_folder():
    with pytest.raises(DataError, match="does not exist; pass --from DIR"):
        discover_sources("/nonexistent/critmin-src")


def test_a_failing_swap_restores_the_previous_files(tmp_path, monkeypatch, shared_data):
    from pathlib import Path

    out = tmp_path / "ds"
    build_dataset(shared_data, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_rename = Path.rename
    calls = {"n": 0}

    def flaky(self, target):
        # fail while moving the *new* files in (after the old ones were moved aside)
        if (
            str(target).startswith(str(out))
            and ".critmin-build-" in str(self)
            and ".previous" not in str(self)
        ):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", flaky)
    with pytest.raises(OSError, match="disk full"):
        build_dataset(shared_data, out)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_source_quirks_are_kept_in_the_manifest(tmp_path, shared_data, capsys):
    m = build_dataset(shared_data, tmp_path / "ds", quiet=True)
    # WGI 2024 has estimates below -3 (a real quirk of the file); the reader warns, the
    # build keeps the warning in the manifest instead of on the console
    assert any("outside [-3.0, 3.0]" in n for n in m["notes"])
    assert "outside [-3.0, 3.0]" not in capsys.readouterr().err


def _cli(capsys, *args):
    from critmin.cli import main

    code = 0
    try:
        main(list(args))
    except SystemExit as e:
        code = e.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_a_rebuild_is_not_used_until_chosen(tmp_path, monkeypatch, capsys, shared_data):
    import json

    from critmin.settings import get_settings
    from critmin.store import active_dataset_dir, reset_store

    monkeypatch.setenv("COLUMNS", "100")
    home = get_settings().home
    code, out, err = _cli(capsys, "data", "build", "--from", str(shared_data))
    assert code == 0, err
    rebuilt = home / "dataset"
    assert (rebuilt / "manifest.json").is_file()
    # built, but every query still reads the packaged dataset: nothing changed silently
    flat = " ".join(out.split())
    assert "Not in use yet" in flat and "critmin data use rebuilt" in flat
    assert active_dataset_dir() == PACKAGED_DATASET_DIR
    code, out, err = _cli(capsys, "data", "sources")
    assert code == 0 and "Dataset in use: the dataset packaged with critmin" in out
    # mark the rebuild so the two can be told apart, then choose it
    m = json.loads((rebuilt / "manifest.json").read_text())
    (rebuilt / "manifest.json").write_text(json.dumps({**m, "built_at": "2031-01-02T00:00:00"}))
    code, out, err = _cli(capsys, "data", "use", "rebuilt")
    assert code == 0, err
    assert active_dataset_dir() == rebuilt.resolve()
    code, out, err = _cli(capsys, "data", "sources")
    flat = " ".join(out.split())
    assert "a rebuild chosen with `critmin data use`" in flat and "built 2031-01-02" in flat
    code, out, err = _cli(capsys, "data", "use", "packaged")
    assert code == 0 and active_dataset_dir() == PACKAGED_DATASET_DIR
    code, out, err = _cli(capsys, "data", "use", str(tmp_path / "nope"))
    assert code == 1 and "manifest.json missing" in err and "critmin data use packaged" in err
    assert active_dataset_dir() == PACKAGED_DATASET_DIR  # a bad choice changes nothing
    reset_store()
