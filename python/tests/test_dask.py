"""A sweep's shards on a Dask cluster of 2 worker processes give mmsim sweep's files, byte for byte."""

import subprocess

# A plain import: scripts/test-python.sh installs dask, so a missing one fails rather than skips.
import dask.distributed as distributed

from mmsim.distributed import sweep_on_dask


def test_dask_shards_merge_to_the_cli_sweep(small_sweep, tmp_path, mmsim_bin):
    cli = tmp_path / "cli"
    subprocess.run([mmsim_bin, "sweep", small_sweep, "--quiet", "--out", cli], check=True, capture_output=True)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster, distributed.Client(cluster) as client:
        workers = client.run(lambda: __import__("os").getpid())
        assert len(set(workers.values())) == 2, "two worker processes"
        runs = sweep_on_dask(client, str(small_sweep), str(tmp_path / "dask"), shards=4, send_scenario=True)
    assert runs.num_rows == 9
    for name in ("runs.csv", "points.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (cli / name).read_bytes(), name
    assert len(list((tmp_path / "dask" / "shards").iterdir())) == 4
