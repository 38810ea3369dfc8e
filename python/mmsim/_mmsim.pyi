"""Type stubs of the native module ``mmsim._mmsim`` (use the wrappers in ``mmsim`` instead)."""

from typing import List, Optional, Tuple

__version__: str

class MmsimError(Exception):
    """Base class of every error mmsim raises."""

class ScenarioError(MmsimError):
    """The scenario file or an override is invalid; the message names the file, line, column and key."""

class OutputError(MmsimError):
    """An output file could not be written or read."""

class SweepError(MmsimError):
    """A sweep request that does not fit (shards of different sweeps, missing runs, bad options)."""

def run(
    path: str,
    set: List[str],
    seed: Optional[int],
    out: str,
    format: str = "parquet",
    no_trades: bool = False,
    charts: bool = False,
) -> str:
    """Runs the scenario at ``path`` (GIL released), writing its files into ``out``; returns ``out``."""

def check(path: str, set: List[str]) -> None:
    """Validates the scenario at ``path`` and every sweep point; raises :class:`ScenarioError`."""

def sweep(
    path: str,
    set: List[str],
    out: str,
    jobs: Optional[int] = None,
    shard: Optional[str] = None,
    format: str = "csv",
) -> str:
    """Runs the sweep (or shard ``"K/N"``) of the scenario at ``path`` into ``out``; returns ``out``."""

def merge(dirs: List[str], out: str, format: str = "csv") -> str:
    """Merges shard output directories into ``out``; returns ``out``."""

def sweep_size(path: str, set: List[str], shard: str = "1/1") -> Tuple[int, int]:
    """Runs in ``shard`` and in the whole sweep."""
