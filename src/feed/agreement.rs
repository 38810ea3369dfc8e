//! Top-of-book agreement: does the replayed book's touch match the feed's own best bid/ask stream?
//!
//! **What is compared.** Every *book update* (one complete applied diff message, see `book.rs`) once
//! the book is trusted: it descends from a snapshot, or, bootstrapped from diffs, has been live for the
//! warm-up (60 s by default). Its best bid and ask prices are compared with the feed's ticker that was
//! valid at that update; sizes are compared too and counted separately.
//!
//! **Which ticker is valid at an update.** Binance diffs from `@depth@100ms` bundle 100 ms of updates,
//! so the book is only observable at each message's last update id `u`; a `bookTicker` carries the
//! update id `u` after which its bid/ask became the touch, on the same sequence, and a new one is
//! pushed whenever the touch changes. So the touch after update `u` is the ticker with the largest id
//! ≤ `u`. It is known for sure once a ticker with an id ≥ `u` has been seen (ids increase), which may
//! be before or after the diff arrives: updates wait in a queue until then, and recent tickers are
//! kept until no waiting update can need them. On the sample about one update in six has a ticker
//! with exactly its id (counted as `exact_id_*`).
//! Feeds without ids (Tardis) use the exchange timestamp the same way: the last ticker with a time ≤
//! the update's, known once a ticker with a later time arrives (local time if neither has one).
//!
//! Updates with no ticker at or before them count as `no_reference`; those still waiting when the
//! stream ends as `unresolved`; neither counts in the share. Agreement = `agreed / compared`.

use std::collections::VecDeque;

use serde::Serialize;

use super::book::BookUpdate;
use super::event::{Event, Ticker};
use crate::types::{Price, Qty};

/// Book updates and tickers kept waiting at most (older ones are dropped as unresolved).
const MAX_WAITING: usize = 1 << 17;
/// Mismatches listed in the summary.
const MAX_LISTED: usize = 10;

/// Which timeline matches updates with tickers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    /// Binance update ids.
    UpdateId,
    /// Exchange timestamps.
    ExchTime,
    /// Local timestamps.
    LocalTime,
}

/// One disagreement, in ticks (`None`: that side is empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The update's local time.
    pub local_ns: u64,
    /// The update's key (update id or time).
    pub key: u64,
    /// The book's best bid and ask prices.
    pub book: (Option<i64>, Option<i64>),
    /// The ticker's best bid and ask prices.
    pub ticker: (Option<i64>, Option<i64>),
}

/// The counts behind the agreement figure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AgreementStats {
    /// The timeline used (decided by the first ticker).
    pub matched_by: Option<MatchKey>,
    /// Complete applied diff messages.
    pub book_updates: u64,
    /// Updates before the first snapshot or within the warm-up of a bootstrapped book.
    pub in_warmup: u64,
    /// Updates compared with a ticker.
    pub compared: u64,
    /// Of those, best bid and ask prices equal.
    pub agreed: u64,
    /// Of those, prices and sizes equal.
    pub agreed_with_sizes: u64,
    /// Updates compared with a ticker of exactly their key.
    pub exact_key_compared: u64,
    /// Of those, prices equal.
    pub exact_key_agreed: u64,
    /// Updates with no ticker at or before them.
    pub no_reference: u64,
    /// Updates still waiting for a later ticker when the stream ended (or dropped from a full queue).
    pub unresolved: u64,
    /// Tickers whose key went backwards (ignored).
    pub tickers_out_of_order: u64,
    /// Compared updates at which the book was crossed or locked (best bid ≥ best ask).
    pub crossed: u64,
    /// The first few disagreements.
    pub first_mismatches: Vec<Mismatch>,
}

impl AgreementStats {
    /// `agreed / compared`, or `None` when nothing was compared.
    pub fn agreement(&self) -> Option<f64> {
        (self.compared > 0).then(|| self.agreed as f64 / self.compared as f64)
    }
}

#[derive(Clone, Copy, Debug)]
struct KeyedTicker {
    key: u64,
    bid: Option<(Price, Qty)>,
    ask: Option<(Price, Qty)>,
}

/// The running comparison.
#[derive(Clone, Debug)]
pub struct TopOfBookCheck {
    warmup_ns: u64,
    tickers: VecDeque<KeyedTicker>,
    waiting: VecDeque<BookUpdate>,
    stats: AgreementStats,
}

impl TopOfBookCheck {
    /// A check that trusts a bootstrapped book `warmup_ns` after its bootstrap began.
    pub fn new(warmup_ns: u64) -> Self {
        TopOfBookCheck {
            warmup_ns,
            tickers: VecDeque::new(),
            waiting: VecDeque::new(),
            stats: AgreementStats::default(),
        }
    }

    fn key_of(kind: MatchKey, local_ns: u64, exch_ns: Option<u64>, id: Option<u64>) -> Option<u64> {
        match kind {
            MatchKey::UpdateId => id,
            MatchKey::ExchTime => exch_ns,
            MatchKey::LocalTime => Some(local_ns),
        }
    }

    /// Takes one complete book update.
    pub fn on_update(&mut self, update: BookUpdate) {
        self.stats.book_updates += 1;
        if !update.from_snapshot && update.local_ns < update.synced_since_ns.saturating_add(self.warmup_ns) {
            self.stats.in_warmup += 1;
            return;
        }
        if self.waiting.len() >= MAX_WAITING {
            self.waiting.pop_front();
            self.stats.unresolved += 1;
        }
        self.waiting.push_back(update);
        self.resolve();
    }

    /// Takes one ticker event.
    pub fn on_ticker(&mut self, event: &Event, ticker: &Ticker) {
        let kind = *self.stats.matched_by.get_or_insert(if ticker.update_id.is_some() {
            MatchKey::UpdateId
        } else if event.exch_ns.is_some() {
            MatchKey::ExchTime
        } else {
            MatchKey::LocalTime
        });
        let Some(key) = Self::key_of(kind, event.local_ns, event.exch_ns, ticker.update_id) else {
            self.stats.tickers_out_of_order += 1;
            return;
        };
        if self.tickers.back().is_some_and(|last| key < last.key) {
            self.stats.tickers_out_of_order += 1;
            return;
        }
        if self.tickers.len() >= MAX_WAITING {
            self.tickers.pop_front();
        }
        self.tickers.push_back(KeyedTicker { key, bid: ticker.bid(), ask: ticker.ask() });
        self.resolve();
    }

    /// Compares every waiting update whose ticker is now known.
    fn resolve(&mut self) {
        let (Some(kind), Some(newest)) = (self.stats.matched_by, self.tickers.back().map(|t| t.key)) else {
            return;
        };
        while let Some(update) = self.waiting.front().copied() {
            let Some(key) = Self::key_of(kind, update.local_ns, update.exch_ns, update.last_id) else {
                self.waiting.pop_front();
                self.stats.no_reference += 1;
                continue;
            };
            // Ids are unique, so a ticker at the update's own id already settles it; times are not.
            let settled = if kind == MatchKey::UpdateId { newest >= key } else { newest > key };
            if !settled {
                return;
            }
            self.waiting.pop_front();
            // Keep the front ticker as the latest one at or before `key`.
            while self.tickers.len() >= 2 && self.tickers[1].key <= key {
                self.tickers.pop_front();
            }
            match self.tickers.front().copied().filter(|t| t.key <= key) {
                Some(reference) => self.compare(&update, key, &reference),
                None => self.stats.no_reference += 1,
            }
        }
    }

    fn compare(&mut self, update: &BookUpdate, key: u64, reference: &KeyedTicker) {
        let s = &mut self.stats;
        s.compared += 1;
        let price = |side: Option<(Price, Qty)>| side.map(|(p, _)| p.0);
        let prices_agree = price(update.bid) == price(reference.bid) && price(update.ask) == price(reference.ask);
        if let (Some((bid, _)), Some((ask, _))) = (update.bid, update.ask) {
            s.crossed += u64::from(bid >= ask);
        }
        if reference.key == key {
            s.exact_key_compared += 1;
            s.exact_key_agreed += u64::from(prices_agree);
        }
        if prices_agree {
            s.agreed += 1;
            s.agreed_with_sizes += u64::from(update.bid == reference.bid && update.ask == reference.ask);
        } else if s.first_mismatches.len() < MAX_LISTED {
            s.first_mismatches.push(Mismatch {
                local_ns: update.local_ns,
                key,
                book: (price(update.bid), price(update.ask)),
                ticker: (price(reference.bid), price(reference.ask)),
            });
        }
    }

    /// Ends the stream: updates still waiting are unresolved. Returns the counts.
    pub fn finish(mut self) -> AgreementStats {
        self.stats.unresolved += self.waiting.len() as u64;
        self.stats
    }

    /// The counts so far.
    pub fn stats(&self) -> &AgreementStats {
        &self.stats
    }
}
