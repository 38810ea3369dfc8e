//! The run's CSV and JSON files and the staging directory that makes their writing atomic.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::engine::setup::AgentInfo;
use crate::ledger::Ledger;
use crate::metrics::summary::{pnl, Summary};
use crate::metrics::{Recorder, Units};
use crate::types::{Cash, Price, Qty};

/// An output directory whose files are staged under temporary names (`.NAME.tmp`) and renamed into
/// place by [`OutputDir::commit`]. Dropping it uncommitted removes the staged files.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    staged: Vec<String>,
    committed: bool,
}

impl OutputDir {
    /// Creates `dir` (and its parents) if needed.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("creating output directory {}", dir.display()))?;
        Ok(OutputDir { dir: dir.to_path_buf(), staged: Vec::new(), committed: false })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn tmp_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!(".{name}.tmp"))
    }

    /// Opens the staged file for `name` for writing.
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn stage(&mut self, name: &str) -> anyhow::Result<File> {
        let path = self.tmp_path(name);
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        self.staged.push(name.to_string());
        Ok(file)
    }

    /// Stages `name` with `write` filling a buffered writer.
    ///
    /// # Errors
    /// Any I/O error, with the file name.
    pub fn write(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let file = self.stage(name)?;
        let mut w = BufWriter::new(file);
        write(&mut w).with_context(|| format!("writing {name}"))?;
        w.flush().with_context(|| format!("writing {name}"))?;
        Ok(())
    }

    /// Renames every staged file into place.
    ///
    /// # Errors
    /// When a rename fails.
    pub fn commit(mut self) -> anyhow::Result<PathBuf> {
        for name in &self.staged {
            let (from, to) = (self.tmp_path(name), self.dir.join(name));
            fs::rename(&from, &to).with_context(|| format!("moving {} into place", to.display()))?;
        }
        self.committed = true;
        Ok(self.dir.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            for name in &self.staged {
                let _ = fs::remove_file(self.tmp_path(name));
            }
        }
    }
}

fn opt_price(units: Units, p: Option<Price>) -> String {
    p.map(|p| units.price(p).to_string()).unwrap_or_default()
}

/// Writes `timeseries.csv`: one row per sample.
///
/// Columns: `t,mid,best_bid,best_ask,spread_bps,depth_bid_2pct,depth_ask_2pct,volume_quote,volume_wash_quote,last,phase`;
/// `t` in seconds, prices and values in quote units; an empty side leaves `mid`, `best_*` and
/// `spread_bps` empty.
///
/// # Errors
/// I/O errors.
pub fn write_timeseries_csv(w: &mut dyn Write, recorder: &Recorder, units: Units) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "t",
        "mid",
        "best_bid",
        "best_ask",
        "spread_bps",
        "depth_bid_2pct",
        "depth_ask_2pct",
        "volume_quote",
        "volume_wash_quote",
        "last",
        "phase",
    ])?;
    for s in recorder.samples() {
        let (mid, spread) = match (s.best_bid, s.best_ask) {
            (Some(b), Some(a)) => {
                let mid_dec = (units.price(b) + units.price(a)) / rust_decimal::Decimal::TWO;
                let bps = (a.0 - b.0) as f64 / ((a.0 + b.0) as f64 / 2.0) * 10_000.0;
                (mid_dec.normalize().to_string(), format!("{bps:.2}"))
            }
            _ => (String::new(), String::new()),
        };
        csv.write_record([
            format!("{}", s.t.as_secs_f64()),
            mid,
            opt_price(units, s.best_bid),
            opt_price(units, s.best_ask),
            spread,
            units.cash(s.depth_bid_2pct).to_string(),
            units.cash(s.depth_ask_2pct).to_string(),
            units.cash(s.volume).to_string(),
            units.cash(s.volume_wash).to_string(),
            opt_price(units, s.last),
            s.phase.unwrap_or("").to_string(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// Writes `agents.csv`: one row per agent, then one per named account (the project among them) and
/// the exchange. Columns: `agent,group,kind,accounts,trades_account,cash_start,cash_end,tokens_start,tokens_end,tokens_lent,pnl_quote`.
/// An agent trading another party's account (e.g. an MM under a subscription) names that account in
/// `trades_account` and leaves the balances to that account's row. `tokens_lent` is what the row
/// has lent out (negative: borrowed) under loans still open; the PnL counts those tokens as the
/// lender's, as `summary.json` does.
///
/// # Errors
/// I/O errors.
#[allow(clippy::too_many_arguments)]
pub fn write_agents_csv(
    w: &mut dyn Write,
    agents: &[AgentInfo],
    account_start: &[(Cash, Qty)],
    recorder: &Recorder,
    ledger: &Ledger,
    units: Units,
    mark: Price,
) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "agent",
        "group",
        "kind",
        "accounts",
        "trades_account",
        "cash_start",
        "cash_end",
        "tokens_start",
        "tokens_end",
        "tokens_lent",
        "pnl_quote",
    ])?;
    let parties = recorder.parties();
    let claims = recorder.account_claims();
    let row = |start: (Cash, Qty), end: (Cash, Qty), lent: Qty| {
        [
            units.cash(start.0).to_string(),
            units.cash(end.0).to_string(),
            units.tokens(start.1).to_string(),
            units.tokens(end.1).to_string(),
            units.tokens(lent).to_string(),
            units.cash(pnl(end.0 - start.0, end.1 + lent - start.1, mark)).to_string(),
        ]
    };
    for a in agents {
        let party = &parties[a.party];
        let mut fields = vec![a.name.clone(), party.name.clone(), party.kind.to_string(), a.accounts.len().to_string()];
        if a.trades_for_other {
            fields.push(a.accounts.iter().map(|&id| ledger.account(id).name.clone()).collect::<Vec<_>>().join(";"));
            fields.extend(std::iter::repeat_n(String::new(), 6));
        } else {
            fields.push(String::new());
            let (mut start, mut end, mut lent) = ((Cash::ZERO, Qty::ZERO), (Cash::ZERO, Qty::ZERO), Qty::ZERO);
            for &id in &a.accounts {
                let s = account_start[id.0 as usize];
                let acc = ledger.account(id);
                start = (start.0 + s.0, start.1 + s.1);
                end = (end.0 + acc.cash(), end.1 + acc.tokens());
                lent += claims[id.0 as usize];
            }
            fields.extend(row(start, end, lent));
        }
        csv.write_record(&fields)?;
    }
    for (id, acc) in ledger.accounts().iter().enumerate() {
        let party = &parties[recorder.account_party()[id] as usize];
        if !party.kind.is_group() {
            let mut fields =
                vec![acc.name.clone(), party.name.clone(), party.kind.to_string(), "1".into(), String::new()];
            fields.extend(row(account_start[id], (acc.cash(), acc.tokens()), claims[id]));
            csv.write_record(&fields)?;
        }
    }
    csv.flush()?;
    Ok(())
}

/// Writes `summary.json` (pretty-printed, exact decimals as JSON numbers).
///
/// # Errors
/// I/O or serialization errors.
pub fn write_summary_json(w: &mut dyn Write, summary: &Summary) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *w, summary)?;
    writeln!(w)?;
    Ok(())
}
