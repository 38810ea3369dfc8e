"""Sweeps beyond one machine: a sweep's shards fanned out over a Dask cluster, then merged.

Each task runs one shard (``mmsim sweep --shard K/N``) in a temporary directory on its worker and
returns the shard's small files (``runs.csv``, ``sweep.json``, ``scenario.toml``) as bytes, so the
workers need no shared file system; the client writes them under ``out/shards/`` and merges them
into ``out`` with :func:`mmsim.merge`. A run's seed depends only on the sweep's seed, its point
and its replicate, so the merged ``runs.csv`` is byte for byte what ``mmsim sweep`` writes on one
machine, whatever the number of shards or workers.

The scenario file must be readable at ``path`` on every worker (pass its text with
``scenario_text`` otherwise).

Why Dask rather than Ray: Dask is pure Python (``pip install "dask[distributed]"``, no native
runtime to fetch), starts a ``LocalCluster`` in a second for tests and notebooks, and reaches
Slurm/PBS/Kubernetes clusters through dask-jobqueue and dask-kubernetes with the same code.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import pyarrow as pa

from . import _mmsim, _overrides, merge

#: The files of a shard's output that the merge reads.
SHARD_FILES = ("runs.csv", "sweep.json", "scenario.toml")


def run_shard(
    path: str,
    shard: str,
    set: Optional[Mapping[str, Any]] = None,
    jobs: Optional[int] = 1,
    scenario_text: Optional[str] = None,
) -> Dict[str, bytes]:
    """Runs shard ``shard`` (``"K/N"``) of the sweep at ``path`` here; returns its files as bytes.

    With ``scenario_text`` the scenario is written to a temporary file named like ``path`` first
    (for workers that cannot read ``path``).
    """
    with tempfile.TemporaryDirectory(prefix="mmsim-shard-") as tmp:
        scenario = path
        if scenario_text is not None:
            scenario = os.path.join(tmp, os.path.basename(path))
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(scenario_text)
        out = os.path.join(tmp, "out")
        _mmsim.sweep(scenario, _overrides(set), out, jobs, shard, "csv")
        files = {}
        for name in SHARD_FILES:
            p = os.path.join(out, name)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    files[name] = f.read()
        return files


def sweep_on_dask(
    client: Any,
    path: str,
    out: str,
    shards: int,
    set: Optional[Mapping[str, Any]] = None,
    jobs_per_shard: Optional[int] = 1,
    send_scenario: bool = False,
    format: str = "csv",
) -> pa.Table:
    """Runs the sweep at ``path`` as ``shards`` Dask tasks on ``client``'s cluster and merges them.

    Args:
        client: A ``dask.distributed.Client``.
        path: The scenario file with a ``[sweep]`` table.
        out: Where the merged sweep goes (shard outputs in ``out/shards/shard-K-of-N/``).
        shards: How many tasks (at least the number of workers, more balances better).
        set: Overrides, as for :func:`mmsim.run`.
        jobs_per_shard: Threads per task (1 when each Dask worker thread takes one task).
        send_scenario: Ship the scenario's text with each task instead of reading ``path`` there.
        format: ``"parquet"`` also writes ``runs.parquet`` into ``out``.

    Returns:
        The merged runs table.
    """
    text = Path(path).read_text(encoding="utf-8") if send_scenario else None
    futures = [
        client.submit(run_shard, str(path), f"{k}/{shards}", dict(set or {}), jobs_per_shard, text, pure=False)
        for k in range(1, shards + 1)
    ]
    dirs: List[Path] = []
    for k, files in enumerate(client.gather(futures), start=1):
        d = Path(out) / "shards" / f"shard-{k}-of-{shards}"
        d.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
        dirs.append(d)
    return merge(dirs, out, format=format)
