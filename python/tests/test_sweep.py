"""mmsim.sweep and mmsim.merge: the runs table, shards, byte-identity with the command line."""

import subprocess

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import mmsim


def test_sweep_returns_the_runs_table_like_the_cli(small_sweep, tmp_path, mmsim_bin):
    runs = mmsim.sweep(small_sweep, out=tmp_path / "py", jobs=2)
    assert runs.num_rows == 9
    assert runs.column_names[:5] == ["point", "point_id", "replicate", "seed", "agents.mm.passive_mm.spread_bps"]
    assert runs.column("conservation_ok").to_pylist() == [1] * 9
    cli = tmp_path / "cli"
    subprocess.run([mmsim_bin, "sweep", small_sweep, "--quiet", "--out", cli], check=True, capture_output=True)
    for name in ("runs.csv", "points.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (cli / name).read_bytes(), name


def test_shards_merge_to_the_whole_sweep(small_sweep, tmp_path):
    whole = mmsim.sweep(small_sweep, out=tmp_path / "whole", jobs=1)
    dirs = []
    for k in (1, 2, 3):
        d = tmp_path / f"s{k}"
        part = mmsim.sweep(small_sweep, out=d, shard=f"{k}/3", jobs=1)
        assert part.num_rows == mmsim.sweep_size(small_sweep, shard=f"{k}/3") == 3
        dirs.append(d)
    merged = mmsim.merge(dirs, tmp_path / "merged", format="parquet")
    assert (tmp_path / "merged" / "runs.csv").read_bytes() == (tmp_path / "whole" / "runs.csv").read_bytes()
    assert merged.num_rows == whole.num_rows
    # runs.parquet carries the figures of runs.csv.
    csv = pacsv.read_csv(tmp_path / "merged" / "runs.csv")
    par = pq.read_table(tmp_path / "merged" / "runs.parquet")
    for col in ("seed", "close", "mm_pnl", "retail_pnl"):
        assert par.column(col).to_pylist() == csv.column(col).to_pylist(), col
    with pytest.raises(mmsim.SweepError, match="missing"):
        mmsim.merge(dirs[:2], tmp_path / "partial")
    with pytest.raises(ValueError, match="K/N"):
        mmsim.sweep(small_sweep, shard="4/3")


def test_sweep_without_a_sweep_table_is_a_scenario_error(minimal):
    with pytest.raises(mmsim.ScenarioError, match=r"\[sweep\]"):
        mmsim.sweep(minimal)
