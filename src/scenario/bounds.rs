//! Whole-scenario bounds, checked after every value is valid on its own: the market's total cash,
//! tokens and their value must fit the engine's integer types for the whole run (see
//! [`limits`](super::limits)), latencies must be at most a day, and the run's estimated memory and
//! events must stay within the caller's [`Limits`].
//!
//! Sums are computed in `f64`, which cannot overflow here and is exact enough for a bound.
//! A member's amount counts at its largest plausible value: the fixed amount, a uniform's `high`,
//! or a log-normal's `median × e^(9σ)` ([`LOGNORMAL_Z`]). A crowd's total counts as `count × high`
//! for a uniform, and for a log-normal as twice the expected total (`count × median × e^(σ²/2)`)
//! plus the largest plausible draw: the sum of many draws stays near its mean, and with a large σ the
//! largest draw dominates. The limits keep a margin of ×79 or more over the types, so a total above
//! this estimate still fits.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::limits::{
    num, Limits, LOGNORMAL_Z, MAX_LATENCY_NS, MAX_OPEN_TICKS, MAX_TOTAL_CASH, MAX_TOTAL_LOTS, MAX_VALUE,
};
use super::source::Seg;
use super::validate::{at, join, Ctx};
use super::{Amount, Scenario};
use crate::units::Dur;

/// The latencies a group wrote itself (`None`: inherited from `[market]`).
pub(crate) type GroupLatency = (Option<Dur>, Option<Dur>);

/// One holding or group's share of the market's cash or tokens.
struct Item {
    /// `project.cash`, `accounts.<name>.tokens`, `agents.<name>.cash`, ...
    path: Vec<Seg>,
    /// Members (1 for a holding).
    count: f64,
    /// The largest plausible amount per member, in quote units or tokens.
    per_member: f64,
    /// How the amount was written.
    amount: Amount,
}

impl Item {
    fn new(path: Vec<Seg>, count: f64, amount: Amount) -> Self {
        let per_member = match &amount {
            Amount::Fixed(d) => d.to_f64().unwrap_or(f64::INFINITY),
            Amount::LogNormal { median, sigma } => median * (LOGNORMAL_Z * sigma).exp(),
            Amount::Uniform { high, .. } => *high,
        };
        Item { path, count, per_member, amount }
    }

    /// The largest plausible total over the members (see the module doc).
    fn total(&self) -> f64 {
        match self.amount {
            Amount::LogNormal { median, sigma } if self.count > 1.0 => {
                2.0 * self.count * median * (sigma * sigma / 2.0).exp() + self.per_member
            }
            _ => self.count * self.per_member,
        }
    }
}

/// Checks the totals, latencies and resources of a valid scenario.
pub(crate) fn check(ctx: &mut Ctx<'_>, s: &Scenario, latencies: &[GroupLatency], limits: &Limits) {
    let atom = (s.market.tick * s.market.lot).to_f64().unwrap_or(f64::INFINITY);
    let lot = s.market.lot.to_f64().unwrap_or(f64::INFINITY);
    let (cash, tokens) = items(s);
    // Limits in quote units and tokens.
    let cash_limit = MAX_TOTAL_CASH.min(MAX_TOTAL_CASH * atom);
    let cash_limit_text = format!(
        "all cash together must stay at most {} cash atoms and {} quote units ({} quote units here)",
        num(MAX_TOTAL_CASH),
        num(MAX_TOTAL_CASH),
        num(cash_limit)
    );
    let token_limit = (MAX_TOTAL_LOTS * lot).min(MAX_VALUE);
    let token_limit_text = format!(
        "all tokens together must stay at most {} lots ({} tokens here)",
        num(MAX_TOTAL_LOTS),
        num(token_limit)
    );
    let cash_ok = totals(ctx, &cash, cash_limit, &cash_limit_text, "quote units");
    let tokens_ok = totals(ctx, &tokens, token_limit, &token_limit_text, "tokens");
    let open = s.market.open_price.0;
    if open > MAX_OPEN_TICKS {
        ctx.report(
            &at(&["market", "open_price"]),
            format!("{open} ticks is too large: at most {}", num(MAX_OPEN_TICKS as f64)),
        );
    }
    if cash_ok && tokens_ok && open <= MAX_OPEN_TICKS {
        value(ctx, s, &tokens, &cash, atom, lot);
    }
    latency(ctx, s, latencies);
    super::budget::check(ctx, s, limits);
}

/// The holdings and groups with their cash and token amounts (groups trading for others hold none).
fn items(s: &Scenario) -> (Vec<Item>, Vec<Item>) {
    let (mut cash, mut tokens) = (Vec::new(), Vec::new());
    let atom_f = (s.market.tick * s.market.lot).to_f64().unwrap_or(f64::INFINITY);
    let lot_f = s.market.lot.to_f64().unwrap_or(f64::INFINITY);
    let holdings = s.project.iter().map(|h| (at(&["project"]), h)).chain(
        s.accounts
            .iter()
            .enumerate()
            .map(|(index, h)| (vec![Seg::key("accounts"), Seg::Elem { index, name: Some(h.name.clone()) }], h)),
    );
    for (path, h) in holdings {
        // Whole atoms and lots that were written as quote units and tokens: exact enough back in f64.
        let mut c = Item::new(join(&path, "cash"), 1.0, Amount::Fixed(Decimal::ZERO));
        c.per_member = h.cash.0 as f64 * atom_f;
        let mut t = Item::new(join(&path, "tokens"), 1.0, Amount::Fixed(Decimal::ZERO));
        t.per_member = h.tokens.0 as f64 * lot_f;
        cash.push(c);
        tokens.push(t);
    }
    for (index, g) in s.groups.iter().enumerate() {
        let path = vec![Seg::key("agents"), Seg::Elem { index, name: Some(g.name.clone()) }];
        let count = f64::from(g.count);
        if g.trades_for.is_none() {
            cash.push(Item::new(join(&path, "cash"), count, g.cash.clone()));
            tokens.push(Item::new(join(&path, "tokens"), count, g.tokens.clone()));
        }
    }
    (cash, tokens)
}

/// Checks one kind of amount against its total `limit`; false when a problem was reported.
fn totals(ctx: &mut Ctx<'_>, items: &[Item], limit: f64, limit_text: &str, unit: &str) -> bool {
    let mut ok = true;
    for item in items {
        if item.total() <= limit {
            continue;
        }
        ok = false;
        let members = if item.count > 1.0 { format!(" × {} members", num(item.count)) } else { String::new() };
        let per_member = limit / item.count;
        let per = if item.count > 1.0 { " per member" } else { "" };
        match item.amount {
            Amount::Fixed(_) => ctx.report(
                &item.path,
                format!(
                    "{}{members} is too large: {limit_text}, so at most {} {unit}{per}",
                    num(item.per_member),
                    num(per_member.floor()),
                ),
            ),
            Amount::Uniform { high, .. } => ctx.report(
                &join(&item.path, "high"),
                format!("{high}{members} is too large: {limit_text}, so at most {} {unit}{per}", num(per_member)),
            ),
            Amount::LogNormal { median, sigma } => {
                let with = |sigma: f64| Item::new(item.path.clone(), item.count, Amount::LogNormal { median, sigma });
                if with(0.0).total() > limit {
                    let most = limit / with(0.0).total() * median;
                    ctx.report(
                        &join(&item.path, "median"),
                        format!("{median}{members} is too large: {limit_text}, so the median is at most {}", num(most)),
                    );
                } else {
                    // The largest sigma whose total fits, by bisection (the total grows with sigma).
                    let (mut lo, mut hi) = (0.0, sigma);
                    for _ in 0..100 {
                        let mid = (lo + hi) / 2.0;
                        if with(mid).total() <= limit {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    ctx.report(
                        &join(&item.path, "sigma"),
                        format!(
                            "{sigma} is too large: a member's draw could reach {} {unit} (median × e^({LOGNORMAL_Z}·sigma), \
                             exceeded once in 10^19 draws){members}, and {limit_text}; here sigma may be at most {}",
                            num(item.per_member),
                            num((lo * 1000.0).floor() / 1000.0),
                        ),
                    );
                }
            }
        }
    }
    if ok {
        let sum: f64 = items.iter().map(Item::total).sum();
        if sum > limit {
            if let Some(big) = items.iter().max_by(|a, b| a.total().total_cmp(&b.total())) {
                ctx.report(
                    &big.path,
                    format!(
                        "together the accounts and groups start with up to {} {unit} (this one {}), too much: {limit_text}",
                        num(sum),
                        num(big.total())
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}

/// Checks that all tokens at the highest price a trade can reach stay within [`MAX_VALUE`].
fn value(ctx: &mut Ctx<'_>, s: &Scenario, tokens: &[Item], cash: &[Item], atom: f64, lot: f64) {
    let lots: f64 = tokens.iter().map(Item::total).sum::<f64>() / lot;
    let atoms: f64 = cash.iter().map(Item::total).sum::<f64>() / atom;
    let top = (s.market.open_price.0 as f64).max(atoms);
    let worth = lots * top;
    if worth <= MAX_VALUE && worth * atom <= MAX_VALUE {
        return;
    }
    let Some(big) = tokens.iter().max_by(|a, b| a.total().total_cmp(&b.total())) else { return };
    ctx.report(
        &big.path,
        format!(
            "the market's {} lots of tokens could be worth {} cash atoms at the highest price a trade can reach \
             ({} ticks: the opening price or all the market's cash for one lot), more than the engine can report \
             ({} atoms and quote units at most); hold fewer tokens or less cash",
            num(lots),
            num(worth),
            num(top),
            num(MAX_VALUE)
        ),
    );
}

/// Latencies and jitters are at most [`MAX_LATENCY_NS`] (one day).
fn latency(ctx: &mut Ctx<'_>, s: &Scenario, latencies: &[GroupLatency]) {
    let max = Dur(MAX_LATENCY_NS);
    let one = |ctx: &mut Ctx<'_>, path: Vec<Seg>, d: Dur| {
        if d > max {
            ctx.report(&path, format!("{d} is too long: an order latency or jitter is at most {max}"));
        }
    };
    for (index, (l, j)) in latencies.iter().enumerate() {
        let name = s.groups.get(index).map(|g| g.name.clone());
        let path = vec![Seg::key("agents"), Seg::Elem { index, name }];
        if let Some(l) = l {
            one(ctx, join(&path, "latency"), *l);
        }
        if let Some(j) = j {
            one(ctx, join(&path, "latency_jitter"), *j);
        }
    }
}

/// Market-level latencies (checked before the groups inherit them).
pub(crate) fn market_latency(ctx: &mut Ctx<'_>, latency: Option<Dur>, jitter: Option<Dur>) -> bool {
    let max = Dur(MAX_LATENCY_NS);
    let mut ok = true;
    for (key, d) in [("latency", latency), ("latency_jitter", jitter)] {
        if let Some(d) = d.filter(|d| *d > max) {
            ctx.report(&at(&["market", key]), format!("{d} is too long: an order latency or jitter is at most {max}"));
            ok = false;
        }
    }
    ok
}
