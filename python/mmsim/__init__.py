"""mmsim from Python: run market-maker simulations and sweeps, get the results as Arrow tables.

The simulation is the mmsim Rust library (the same engine as the ``mmsim`` command line), called
through a native module with the GIL released, so threads can run simulations side by side.

>>> import mmsim
>>> r = mmsim.run("scenarios/example_minimal.toml", seed=7, set={"market.duration": "2h"})
>>> r.summary["volume"]["trades"] == r.trades.num_rows
True
>>> df = r.timeseries.to_pandas()          # or polars.from_arrow(r.timeseries)

Tables are ``pyarrow.Table``: prices, quantities and money are exact decimals
(``decimal128``), times are seconds since the start (``float64``). Errors are exceptions
carrying mmsim's located message: :class:`ScenarioError` names the file, line and key.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import _mmsim
from ._mmsim import MmsimError, OutputError, ScenarioError, SweepError

__version__: str = _mmsim.__version__
__all__ = [
    "run",
    "sweep",
    "merge",
    "check",
    "sweep_size",
    "Run",
    "MmsimError",
    "ScenarioError",
    "OutputError",
    "SweepError",
]

PathLike = Union[str, "os.PathLike[str]"]


def _value(v: Any) -> str:
    """A Python value as ``--set`` text: booleans as ``true``/``false``, the rest as written."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _overrides(set: Optional[Mapping[str, Any]]) -> list:
    return [f"{k}={_value(v)}" for k, v in (set or {}).items()]


def _read_table(directory: Path, name: str) -> Optional[pa.Table]:
    """``NAME.parquet`` or ``NAME.csv`` in ``directory`` as a table (None when neither exists)."""
    parquet = directory / f"{name}.parquet"
    if parquet.exists():
        return pq.read_table(parquet)
    csv = directory / f"{name}.csv"
    if csv.exists():
        return pacsv.read_csv(csv)
    return None


class Run:
    """The result of :func:`run`: the summary and the run's tables, read on first use.

    Attributes:
        summary: ``summary.json`` as a dict (prices, volume, groups, contracts, conservation,
            provenance).
        out: The directory holding the run's files, or None when the run kept them in a temporary
            directory (removed with this object).
    """

    def __init__(self, directory: Path, keep: Optional[tempfile.TemporaryDirectory] = None):
        self._dir = directory
        self._keep = keep  # holds a temporary directory alive as long as the result
        self._tables: dict = {}
        with open(directory / "summary.json", encoding="utf-8") as f:
            self.summary: dict = json.load(f)
        self.out: Optional[Path] = None if keep is not None else directory

    def _table(self, name: str) -> pa.Table:
        if name not in self._tables:
            table = _read_table(self._dir, name)
            if table is None:
                raise OutputError(f"{self._dir}: this run wrote no {name} table (was it run with no_trades=True?)")
            self._tables[name] = table
        return self._tables[name]

    @property
    def trades(self) -> pa.Table:
        """Every trade (``trades.parquet`` / ``trades.csv``): time, price, quantity, both parties and intents."""
        return self._table("trades")

    @property
    def orders(self) -> pa.Table:
        """Every order event (``orders.*``): new, fill, expire, cancel and reject rows."""
        return self._table("orders")

    @property
    def timeseries(self) -> pa.Table:
        """One row per sampling interval (``timeseries.*``): mid, best bid/ask, spread, depth, volume."""
        return self._table("timeseries")

    @property
    def agents(self) -> pa.Table:
        """One row per agent and named account (``agents.csv``): balances at start and end, PnL."""
        return self._table("agents")

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<mmsim.Run {s.get('scenario')!r} seed={s.get('seed')} "
            f"trades={s.get('volume', {}).get('trades')} out={str(self.out) if self.out else None!r}>"
        )


def run(
    path: PathLike,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    out: Optional[PathLike] = None,
    *,
    format: str = "parquet",
    no_trades: bool = False,
    charts: bool = False,
) -> Run:
    """Runs the scenario file at ``path`` to its end, like ``mmsim run``.

    Args:
        path: A scenario TOML file.
        seed: Overrides ``market.seed``.
        set: Overrides of any scenario key, as ``--set`` takes them:
            ``{"agents.retail.count": 50, "market.duration": "2h"}``.
        out: Where to write the run's files; by default a temporary directory removed with the
            result (the tables are then read from it on first use).
        format: ``"parquet"`` (default) or ``"csv"``: the format of the trades, orders and
            timeseries files.
        no_trades: Write no trade log (``.trades`` then raises).
        charts: Render the PNG/SVG charts into ``report.html`` (slower).

    Returns:
        A :class:`Run` with ``.summary`` and the tables.

    Raises:
        ScenarioError: The file or an override is invalid (the message says where).
        OutputError: A file could not be written.
        MmsimError: Any other failure.
    """
    keep = None
    if out is None:
        keep = tempfile.TemporaryDirectory(prefix="mmsim-run-")
        directory = Path(keep.name)
    else:
        directory = Path(out)
    _mmsim.run(os.fspath(path), _overrides(set), seed, os.fspath(directory), format, no_trades, charts)
    return Run(directory, keep)


def sweep(
    path: PathLike,
    set: Optional[Mapping[str, Any]] = None,
    out: Optional[PathLike] = None,
    *,
    jobs: Optional[int] = None,
    shard: Optional[str] = None,
    format: str = "csv",
) -> pa.Table:
    """Runs the ``[sweep]`` of the scenario at ``path``, like ``mmsim sweep``; returns the runs table.

    Args:
        path: A scenario TOML file with a ``[sweep]`` table.
        set: Overrides, as for :func:`run`.
        out: Where to write ``runs.csv``, ``points.csv``, ``sweep.json`` and the chart; by default a
            temporary directory (only the returned table is kept).
        jobs: Threads (default: every core).
        shard: ``"K/N"`` to run only the K-th of N disjoint slices of the runs (merge the shards'
            directories with :func:`merge`).
        format: ``"parquet"`` also writes ``runs.parquet`` (``runs.csv`` is always written).

    Returns:
        ``runs.csv`` as a table: ``point, point_id, replicate, seed``, the parameters, the metrics.

    Raises:
        ScenarioError: The scenario, an override or a sweep value is invalid.
        SweepError: A request that does not fit (e.g. a bad shard).
    """
    with _directory(out) as directory:
        _mmsim.sweep(os.fspath(path), _overrides(set), os.fspath(directory), jobs, shard, format)
        return _runs_table(Path(directory))


def merge(dirs: Sequence[PathLike], out: PathLike, *, format: str = "csv") -> pa.Table:
    """Merges shard output directories into ``out``, like ``mmsim sweep --merge``; returns the runs table.

    The merged files are byte for byte those of the unsharded sweep.

    Raises:
        SweepError: Directories of different sweeps, or runs missing.
    """
    _mmsim.merge([os.fspath(d) for d in dirs], os.fspath(out), format)
    return _runs_table(Path(out))


def check(path: PathLike, set: Optional[Mapping[str, Any]] = None) -> None:
    """Validates the scenario at ``path`` (and every sweep point), like ``mmsim check``.

    Raises:
        ScenarioError: What is wrong, with the file, line and key.
    """
    _mmsim.check(os.fspath(path), _overrides(set))


def sweep_size(path: PathLike, set: Optional[Mapping[str, Any]] = None, shard: str = "1/1") -> int:
    """The number of runs in ``shard`` (``"K/N"``) of the sweep at ``path``."""
    return _mmsim.sweep_size(os.fspath(path), _overrides(set), shard)[0]


def _runs_table(directory: Path) -> pa.Table:
    """``runs.csv`` with every column as written (strings), then figures as float64."""
    parquet = directory / "runs.parquet"
    if parquet.exists():
        return pq.read_table(parquet)
    return pacsv.read_csv(directory / "runs.csv")


class _directory:
    """``out`` as is, or a temporary directory removed on exit."""

    def __init__(self, out: Optional[PathLike]):
        self._out = out
        self._tmp: Optional[tempfile.TemporaryDirectory] = None

    def __enter__(self) -> str:
        if self._out is not None:
            return os.fspath(self._out)
        self._tmp = tempfile.TemporaryDirectory(prefix="mmsim-sweep-")
        return self._tmp.name

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
