"""mmsim.run: the summary and the tables, determinism, overrides, formats, errors, the GIL."""

import threading
from decimal import Decimal

import pyarrow as pa
import pytest

import mmsim


def test_run_returns_summary_and_arrow_tables(minimal):
    r = mmsim.run(minimal)
    assert r.summary["scenario"] == "example_minimal"
    assert r.summary["conservation"]["ok"] is True
    for table in (r.trades, r.orders, r.timeseries, r.agents):
        assert isinstance(table, pa.Table) and table.num_rows > 0
    assert r.trades.num_rows == r.summary["volume"]["trades"]
    # Exact decimals, as the CSV prints them.
    assert pa.types.is_decimal(r.trades.schema.field("price").type)
    assert isinstance(r.trades.column("price")[0].as_py(), Decimal)
    # Every trade shows as two fill rows (maker and taker) in the order log.
    fills = r.orders.filter(pa.compute.equal(r.orders.column("event"), "fill"))
    assert fills.num_rows == 2 * r.trades.num_rows
    df = r.timeseries.to_pandas()
    assert df["t"].is_monotonic_increasing and len(df) == r.timeseries.num_rows
    assert set(r.agents.column("agent").to_pylist()) >= {"mm", "project", "exchange"}
    assert r.out is None


def test_same_seed_same_tables_and_seed_and_set_apply(minimal):
    a = mmsim.run(minimal, seed=5, set={"market.duration": "20m"})
    b = mmsim.run(minimal, seed=5, set={"market.duration": "20m"})
    c = mmsim.run(minimal, seed=6, set={"market.duration": "20m"})
    assert a.trades.equals(b.trades) and a.orders.equals(b.orders)
    assert not a.trades.equals(c.trades)
    assert a.summary["seed"] == 5 and c.summary["seed"] == 6
    assert a.summary["sim_seconds"] == pytest.approx(1200)
    overrides = a.summary["provenance"]["overrides"]
    assert "market.duration=20m" in overrides and "market.seed=5" in overrides


def test_out_dir_and_csv_format_read_back_alike(minimal, tmp_path):
    p = mmsim.run(minimal, seed=3, set={"market.duration": "20m"}, out=tmp_path / "pq")
    c = mmsim.run(minimal, seed=3, set={"market.duration": "20m"}, out=tmp_path / "csv", format="csv")
    assert p.out == tmp_path / "pq"
    assert (tmp_path / "pq" / "orders.parquet").exists() and (tmp_path / "csv" / "orders.csv").exists()
    assert (tmp_path / "pq" / "scenario.toml").exists()
    for name in ("trades", "orders", "timeseries"):
        tp, tc = getattr(p, name), getattr(c, name)
        assert tp.column_names == tc.column_names and tp.num_rows == tc.num_rows
    assert p.orders.column("order_id").to_pylist() == c.orders.column("order_id").to_pylist()
    prices_p = [float(x) if x is not None else None for x in p.trades.column("price").to_pylist()]
    assert prices_p == c.trades.column("price").to_pylist()


def test_no_trades(minimal):
    r = mmsim.run(minimal, set={"market.duration": "10m"}, no_trades=True)
    with pytest.raises(mmsim.OutputError, match="no trades table"):
        r.trades
    assert r.orders.num_rows > 0


def test_errors_are_exceptions_with_the_located_message(minimal, tmp_path):
    with pytest.raises(mmsim.ScenarioError) as e:
        mmsim.run(minimal, set={"agents.mm.passive_mm.spread_bps": -5})
    assert "spread_bps" in str(e.value)
    assert isinstance(e.value, mmsim.MmsimError)
    bad = tmp_path / "bad.toml"
    bad.write_text(minimal.read_text().replace("seed = 42", "seed = 42\nsede = 1"))
    with pytest.raises(mmsim.ScenarioError) as e:
        mmsim.run(bad)
    msg = str(e.value)
    assert "bad.toml:8:1" in msg and "market.sede" in msg and "unknown key" in msg, msg
    with pytest.raises(mmsim.ScenarioError, match="nope.toml"):
        mmsim.run(tmp_path / "nope.toml")
    with pytest.raises(mmsim.ScenarioError, match="KEY=VALUE|dot-separated"):
        mmsim.run(minimal, set={"": 1})
    with pytest.raises(ValueError, match="csv or parquet"):
        mmsim.run(minimal, format="xlsx")
    with pytest.raises(mmsim.ScenarioError, match="spread_bps"):
        mmsim.check(minimal, set={"agents.mm.passive_mm.spread_bps": -5})
    mmsim.check(minimal)


def test_the_gil_is_released_while_simulating(minimal, tmp_path):
    """The run stages orders.parquet under a temporary name and renames it when done: Python code
    in this thread seeing the staged file while the run is under way proves the run let go of the
    GIL (holding it, nothing here could execute until the call returned and the name was gone)."""
    out = tmp_path / "run"
    staged = out / ".orders.parquet.tmp"
    seen = []
    errors = []

    def work():
        try:
            mmsim.run(minimal, set={"market.duration": "12h"}, out=out)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=work)
    t.start()
    while t.is_alive():
        if staged.exists():
            seen.append(True)
            break
    t.join()
    assert not errors, errors
    assert seen, "Python never ran while the simulation did"
    assert (out / "orders.parquet").exists() and not staged.exists()
