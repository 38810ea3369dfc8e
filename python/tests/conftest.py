"""Shared fixtures: the repository's scenarios and a small sweep scenario."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "scenarios" / "example_minimal.toml"


@pytest.fixture
def minimal() -> Path:
    return MINIMAL


@pytest.fixture
def small_sweep(tmp_path: Path) -> Path:
    """example_minimal cut to 20 minutes with a 3-point × 3-replicate sweep (9 runs)."""
    text = MINIMAL.read_text().replace('duration = "1h"', 'duration = "20m"')
    text += (
        "\n[sweep]\nreplicates = 3\n"
        'metrics = ["close", "mm_pnl", "retail_pnl", "conservation_ok"]\n'
        "[sweep.grid]\n"
        '"agents.mm.passive_mm.spread_bps" = [20, 50, 120]\n'
    )
    path = tmp_path / "small_sweep.toml"
    path.write_text(text)
    return path


@pytest.fixture
def mmsim_bin() -> Path:
    """The mmsim command line (MMSIM_BIN, else target/debug/mmsim as scripts/test-python.sh builds it)."""
    path = Path(os.environ.get("MMSIM_BIN", ROOT / "target" / "debug" / "mmsim"))
    if not path.exists():
        pytest.fail(f"the mmsim binary is not at {path}: build it with `cargo build --bin mmsim` or set MMSIM_BIN")
    return path
