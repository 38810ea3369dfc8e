# %% [markdown]
# # mmsim from Python: a run, its tables, a small sweep
#
# A notebook in percent format (open it in Jupyter with jupytext, in VS Code as cells, or run it
# as a script from the repository root: `python python/examples/quickstart.py`).
# Install first: `pip install ./python pandas`.

# %%
import mmsim

# One run of the smallest scenario: the tables come back as Arrow (exact decimals for money).
r = mmsim.run("scenarios/example_minimal.toml", seed=7)
print(r)
print("trades:", r.trades.num_rows, "| conservation ok:", r.summary["conservation"]["ok"])

# %% [markdown]
# ## Who traded with whom
# `.to_pandas()` turns any table into a DataFrame (polars: `polars.from_arrow(r.trades)`).

# %%
trades = r.trades.to_pandas()
trades["notional"] = trades["price"].astype(float) * trades["qty"].astype(float)
print(trades.groupby("maker_agent")["notional"].sum().sort_values(ascending=False).head())

# %%
ts = r.timeseries.to_pandas()
print(ts[["t", "mid", "spread_bps", "volume_quote"]].describe())

# %%
orders = r.orders.to_pandas()
print(orders["event"].value_counts())

# %% [markdown]
# ## Overrides and errors
# `set=` takes any key `--set` takes; a bad value raises `mmsim.ScenarioError` with its location.

# %%
wide = mmsim.run("scenarios/example_minimal.toml", seed=7, set={"agents.mm.passive_mm.spread_bps": 120})
print("PnL of the MM, narrow vs wide:", r.summary["groups"][0]["pnl_quote"], wide.summary["groups"][0]["pnl_quote"])
try:
    mmsim.run("scenarios/example_minimal.toml", set={"agents.mm.passive_mm.spread_bps": -5})
except mmsim.ScenarioError as e:
    print("refused:", e)

# %% [markdown]
# ## A sweep: one row per run
# `mmsim.sweep` runs a scenario's `[sweep]` on every core and returns `runs.csv` as a table.
# Here the shipped loan-size sweep is cut to 6 simulated hours to stay quick.

# %%
runs = mmsim.sweep(
    "scenarios/sweep_loan_size.toml",
    set={"market.duration": "6h", "contracts.loan.tenor": "6h"},
).to_pandas()
print(runs.groupby(["contracts.loan.tokens", "agents.mm.passive_mm.spread_bps"])["project_outcome"].mean())
