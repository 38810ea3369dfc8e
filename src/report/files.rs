//! The run's CSV and JSON files and the staging directory that makes their writing atomic.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::OutputError;
use crate::build::AgentInfo;
use crate::ledger::Ledger;
use crate::metrics::summary::{pnl, Summary};
use crate::metrics::{Recorder, Units};
use crate::types::{Cash, Price, Qty};

/// An output directory whose files are staged under temporary names (`.NAME.tmp`) and renamed into
/// place by [`OutputDir::commit`] (a file they replace is first moved aside as `.NAME.old.tmp`, then
/// deleted). Dropping it uncommitted removes the staged files.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    staged: Vec<String>,
    stale: Vec<String>,
    committed: bool,
}

impl OutputDir {
    /// Creates `dir` (and its parents) if needed.
    ///
    /// # Errors
    /// When the directory cannot be created.
    /// Files an earlier run left staged (`.NAME.tmp`, from a killed run) are removed.
    pub fn create(dir: &Path) -> Result<Self, OutputError> {
        fs::create_dir_all(dir).map_err(OutputError::io(format!("creating output directory {}", dir.display())))?;
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && name.ends_with(".tmp") && entry.path().is_file() {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(OutputDir { dir: dir.to_path_buf(), staged: Vec::new(), stale: Vec::new(), committed: false })
    }

    /// Removes `names` from the directory on [`OutputDir::commit`] unless they were written this
    /// time: files of an earlier run that this one does not write (charts with `--no-charts`).
    pub fn replaces(&mut self, names: &[&str]) {
        self.stale.extend(names.iter().map(|n| n.to_string()));
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
    pub fn stage(&mut self, name: &str) -> Result<File, OutputError> {
        let path = self.tmp_path(name);
        let file = File::create(&path).map_err(OutputError::io(format!("creating {}", path.display())))?;
        self.staged.push(name.to_string());
        Ok(file)
    }

    /// Where `name` is staged (readable once its writer is closed), if it was staged.
    pub fn staged_path(&self, name: &str) -> Option<PathBuf> {
        self.staged.iter().any(|n| n == name).then(|| self.tmp_path(name))
    }

    /// Stages `name` with `write` filling a buffered writer.
    ///
    /// # Errors
    /// Any I/O error, with the file name.
    pub fn write(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> Result<(), OutputError>,
    ) -> Result<(), OutputError> {
        let file = self.stage(name)?;
        let mut w = BufWriter::new(file);
        let wrap = |e: OutputError| OutputError::Writing { file: name.to_string(), source: Box::new(e) };
        write(&mut w).map_err(wrap)?;
        w.flush().map_err(|e| wrap(e.into()))?;
        Ok(())
    }

    /// Renames every staged file into place.
    ///
    /// # Errors
    /// When a rename fails.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        for name in &self.staged {
            let (from, to) = (self.tmp_path(name), self.dir.join(name));
            // Renaming over an existing file costs tens of milliseconds for a large one (ext4 writes
            // the new file out first, then drops the old one's pages): move the old file aside
            // under a temporary name, rename the new one in, then delete the old one.
            let aside = self.tmp_path(&format!("{name}.old"));
            let moved = to.is_file() && fs::rename(&to, &aside).is_ok();
            if let Err(e) = fs::rename(&from, &to) {
                if moved {
                    let _ = fs::rename(&aside, &to);
                }
                return Err(OutputError::io(format!("moving {} into place", to.display()))(e));
            }
            if moved {
                let _ = fs::remove_file(&aside);
            }
        }
        for name in self.stale.iter().filter(|n| !self.staged.contains(n)) {
            let _ = fs::remove_file(self.dir.join(name));
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
pub fn write_timeseries_csv(w: &mut dyn Write, recorder: &Recorder, units: Units) -> Result<(), OutputError> {
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
                let bps = Price::spread_bps(b, a);
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
            s.phase.map_or("", |p| p.name()).to_string(),
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
) -> Result<(), OutputError> {
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
    // Deposits held elsewhere (see `Account::cash_claim`) count in the PnL as the depositor's.
    let row = |start: (Cash, Qty), end: (Cash, Qty), lent: Qty, deposited: Cash| {
        [
            units.cash(start.0).to_string(),
            units.cash(end.0).to_string(),
            units.tokens(start.1).to_string(),
            units.tokens(end.1).to_string(),
            units.tokens(lent).to_string(),
            units.cash(pnl(end.0 + deposited - start.0, end.1 + lent - start.1, mark)).to_string(),
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
            let (mut start, mut end, mut lent, mut deposited) =
                ((Cash::ZERO, Qty::ZERO), (Cash::ZERO, Qty::ZERO), Qty::ZERO, Cash::ZERO);
            for &id in &a.accounts {
                let s = account_start[id.0 as usize];
                let acc = ledger.account(id);
                start = (start.0 + s.0, start.1 + s.1);
                end = (end.0 + acc.cash(), end.1 + acc.tokens());
                lent += acc.claim;
                deposited += acc.cash_claim;
            }
            fields.extend(row(start, end, lent, deposited));
        }
        csv.write_record(&fields)?;
    }
    for (id, acc) in ledger.accounts().iter().enumerate() {
        let party = &parties[recorder.account_party()[id] as usize];
        if !party.kind.is_group() {
            let mut fields =
                vec![acc.name.clone(), party.name.clone(), party.kind.to_string(), "1".into(), String::new()];
            fields.extend(row(account_start[id], (acc.cash(), acc.tokens()), acc.claim, acc.cash_claim));
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
pub fn write_summary_json(w: &mut dyn Write, summary: &Summary) -> Result<(), OutputError> {
    serde_json::to_writer_pretty(&mut *w, summary)?;
    writeln!(w)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_files_and_leaves_nothing_staged_or_aside() {
        let tmp = tempfile::tempdir().unwrap();
        for (round, text) in [(1, "first run"), (2, "second run, longer"), (3, "third")] {
            let mut dir = OutputDir::create(tmp.path()).unwrap();
            dir.write("orders.csv", |w| Ok(w.write_all(text.as_bytes())?)).unwrap();
            if round == 1 {
                dir.write("trades.csv", |w| Ok(w.write_all(b"t")?)).unwrap();
            }
            dir.replaces(&["trades.csv"]);
            dir.commit().unwrap();
            assert_eq!(fs::read_to_string(tmp.path().join("orders.csv")).unwrap(), text, "round {round}");
        }
        assert_eq!(names_in(tmp.path()), ["orders.csv"]);
    }

    #[test]
    fn a_file_left_aside_by_a_killed_run_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(".orders.csv.old.tmp"), "old").unwrap();
        fs::write(tmp.path().join("orders.csv"), "kept").unwrap();
        OutputDir::create(tmp.path()).unwrap();
        assert_eq!(names_in(tmp.path()), ["orders.csv"]);
    }
}
