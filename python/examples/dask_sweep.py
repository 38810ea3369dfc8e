"""A sweep's shards on a Dask cluster, merged into the files `mmsim sweep` writes on one machine.

    pip install ./python "dask[distributed]"
    python python/examples/dask_sweep.py                 # a LocalCluster of 2 workers
    python python/examples/dask_sweep.py tcp://host:8786 # an existing scheduler

On a real cluster the workers need the mmsim package installed; the scenario's text travels with
each task (send_scenario=True), and each task sends back only its shard's runs.csv and sweep.json.
"""

import sys

from dask.distributed import Client, LocalCluster

from mmsim.distributed import sweep_on_dask

SCENARIO = "scenarios/sweep_loan_size.toml"
# Cut to 6 simulated hours so the example takes seconds; drop for the real sweep.
QUICK = {"market.duration": "6h", "contracts.loan.tenor": "6h"}

if __name__ == "__main__":
    if len(sys.argv) > 1:
        client = Client(sys.argv[1])
    else:
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None))
    with client:
        runs = sweep_on_dask(client, SCENARIO, "output/sweep_loan_size_dask", shards=8, set=QUICK, send_scenario=True)
    print(runs.to_pandas().groupby("contracts.loan.tokens")["project_outcome"].describe())
    print("wrote output/sweep_loan_size_dask (runs.csv, points.csv, sweep.json, chart)")
