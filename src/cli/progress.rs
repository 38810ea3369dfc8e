//! The binary's progress display: an indicatif bar with an ETA when stderr is a terminal, else a
//! plain line every few seconds (CI, batch logs), and nothing for work shorter than a second.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mmsim::progress::{Progress, ProgressSink};

/// How often a plain progress line is printed when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Progress of a run (`what = "simulated"`, units are simulated nanoseconds) or a sweep
/// (`what = "runs"`).
#[derive(Debug)]
pub struct TerminalProgress {
    what: &'static str,
    started: Instant,
    terminal: bool,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    bar: Option<ProgressBar>,
    last_line: Instant,
}

impl TerminalProgress {
    /// A sink for the library, or `None` when `quiet`.
    pub fn sink(what: &'static str, quiet: bool) -> ProgressSink {
        if quiet {
            return None;
        }
        let progress = TerminalProgress {
            what,
            started: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            state: Mutex::new(State { bar: None, last_line: Instant::now() }),
        };
        Some(Arc::new(progress))
    }

    fn bar(&self, total: u64) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let template = if self.what == "runs" {
            "{spinner} {pos}/{len} runs [{bar:30}] {percent:>3}% {msg} ETA {eta}"
        } else {
            "{spinner} simulated [{bar:30}] {percent:>3}% {msg} ETA {eta}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar
    }
}

impl Progress for TerminalProgress {
    fn update(&self, done: u64, total: u64, status: &str) {
        if self.started.elapsed() < Duration::from_secs(1) {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if self.terminal {
            let bar = state.bar.get_or_insert_with(|| self.bar(total));
            bar.set_position(done);
            bar.set_message(status.to_string());
        } else if state.last_line.elapsed() >= LINE_EVERY {
            state.last_line = Instant::now();
            let pct = if total > 0 { done as f64 / total as f64 * 100.0 } else { 0.0 };
            let elapsed = self.started.elapsed().as_secs_f64();
            let eta = if done > 0 { elapsed / done as f64 * (total - done.min(total)) as f64 } else { 0.0 };
            let count = if self.what == "runs" { format!("{done}/{total} runs, ") } else { String::new() };
            eprintln!("{}: {count}{pct:.0}%, {status}, {elapsed:.0} s elapsed, ETA {eta:.0} s", self.what);
        }
    }

    fn finish(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bar) = state.bar.take() {
            bar.finish_and_clear();
        }
    }
}
