//! Validation: the raw file becomes a typed [`Scenario`], or every problem is reported.
//!
//! Decimal quote values become exact integers here: prices in ticks (`open_price / tick` must be
//! whole), cash in atoms of `tick × lot` quote units, tokens in lots, fees in centi-basis-points
//! (`bps × 100`, so at most 2 decimals), durations in nanoseconds. Nothing is rounded: a value off its
//! grid is an error that says which grid. Checks carry on after a problem, so one run of `mmsim check`
//! lists everything; each problem is placed at its key in the file (or at the `--set` that set it).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::bounds;
use super::error::Problem;
use super::groups::{self, Grids};
use super::limits::{self, Limits};
use super::overrides::Applied;
use super::raw::{RawMarket, RawScenario};
use super::source::{display_path, starts_with, Seg, SourceMap};
use super::{contracts, Holding, Scenario};
use crate::agents::Market;
use crate::engine::Latency;
use crate::exchange::FeeSchedule;
use crate::types::{Cash, Price, Qty, SimTime};
use crate::units::{Dec, Dur};

/// Where problems go, and what is needed to place them.
pub(crate) struct Ctx<'a> {
    file: &'a str,
    map: &'a SourceMap<'a>,
    applied: &'a [Applied],
    /// Every problem found so far.
    pub(crate) problems: Vec<Problem>,
}

impl<'a> Ctx<'a> {
    /// A context for `file`.
    pub(crate) fn new(file: &'a str, map: &'a SourceMap<'a>, applied: &'a [Applied]) -> Self {
        Ctx { file, map, applied, problems: Vec::new() }
    }

    /// Records a problem at `path`: at its place in the file, or at the override that set it.
    pub(crate) fn report(&mut self, path: &[Seg], message: impl Into<String>) {
        self.push(path, message.into(), false);
    }

    /// Records a problem with the key at the end of `path` itself (a key that does not belong
    /// there): placed at the key, with the line shown, like the parser's unknown-key errors.
    pub(crate) fn report_key(&mut self, path: &[Seg], message: impl Into<String>) {
        self.push(path, message.into(), true);
    }

    fn push(&mut self, path: &[Seg], message: String, at_key: bool) {
        let mut p = Problem::new(self.file, Some(display_path(path)), message);
        let found = self.map.find(path, at_key);
        let whole = found.as_ref().is_some_and(|(_, whole)| *whole);
        let set_by = self.applied.iter().find(|a| starts_with(path, &a.path) || (!whole && starts_with(&a.path, path)));
        match (set_by, found) {
            (Some(a), _) => p.set_by = Some(a.text.clone()),
            (None, Some((span, whole))) => {
                p.position = Some(self.map.position(span.start));
                if at_key && whole {
                    p.snippet = Some(self.map.snippet(span));
                }
            }
            (None, None) => {}
        }
        self.problems.push(p);
    }

    /// The line a path is on, for "already used at line N".
    pub(crate) fn line_of(&self, path: &[Seg]) -> Option<usize> {
        self.map.find(path, false).map(|(span, _)| self.map.position(span.start).line)
    }
}

/// A path of plain keys.
pub(crate) fn at(keys: &[&str]) -> Vec<Seg> {
    keys.iter().map(|k| Seg::key(k)).collect()
}

/// `path` with `key` appended.
pub(crate) fn join(path: &[Seg], key: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::key(key));
    p
}

/// Checks a name is `[A-Za-z0-9_-]+`.
pub(crate) fn check_name(ctx: &mut Ctx<'_>, path: &[Seg], name: &str) {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        ctx.report(path, format!("must be letters, digits, `_` or `-` only ([A-Za-z0-9_-]+), got {name:?}"));
    }
}

/// Names the outputs use for parties of their own, which no group, account or project may take.
pub(crate) const RESERVED_NAMES: [&str; 1] = ["exchange"];

/// Turns the raw file into a [`Scenario`]; `None` when any problem was reported. Once every value is
/// valid, the whole is checked against what the engine can hold and against `limits`.
pub(crate) fn validate(mut raw: RawScenario, ctx: &mut Ctx<'_>, limits: &Limits) -> Option<Scenario> {
    let raw_contracts = std::mem::take(&mut raw.contracts);
    let m = &raw.market;
    check_name(ctx, &at(&["market", "name"]), &m.name);
    let tick = positive(ctx, &at(&["market", "tick"]), m.tick);
    let lot = positive(ctx, &at(&["market", "lot"]), m.lot);
    let open_price = open_price(ctx, m, tick);
    let fees = fees(ctx, m);
    let (duration, sample_every) = durations(ctx, m);
    bounds::market_latency(ctx, m.latency, m.latency_jitter);
    let latency =
        Latency::new(m.latency.unwrap_or(Dur(10_000_000)).nanos(), m.latency_jitter.unwrap_or_default().nanos());
    let units = Grids { atom: tick.zip(lot).and_then(|(t, l)| t.checked_mul(l)), lot };
    let market = match (tick, lot, open_price, duration) {
        (Some(tick), Some(lot), Some(open_price), Some(d)) => {
            Some(Market { tick, lot, open_price, duration: SimTime(d.nanos()) })
        }
        _ => None,
    };

    let mut names: Vec<(String, Vec<Seg>)> = Vec::new();
    let project = raw.project.as_ref().map(|p| {
        let name = p.name.clone().unwrap_or_else(|| "project".to_string());
        let path = at(&["project"]);
        holding(ctx, &path, &mut names, name, p.cash, p.tokens, &units)
    });
    let mut accounts = Vec::new();
    for (index, a) in raw.accounts.iter().enumerate() {
        let path = vec![Seg::key("accounts"), Seg::Elem { index, name: Some(a.name.clone()) }];
        accounts.push(holding(ctx, &path, &mut names, a.name.clone(), a.cash, a.tokens, &units));
    }
    let account_names: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
    let mut group_info: Vec<contracts::GroupInfo> = raw
        .agents
        .iter()
        .map(|g| contracts::GroupInfo { name: g.name.clone(), trades_for: g.trades_for.clone(), crowd: false })
        .collect();
    let group_latencies: Vec<bounds::GroupLatency> = raw.agents.iter().map(|g| (g.latency, g.latency_jitter)).collect();
    let mut out_groups = Vec::new();
    for (index, g) in raw.agents.into_iter().enumerate() {
        let path = vec![Seg::key("agents"), Seg::Elem { index, name: Some(g.name.clone()) }];
        unique(ctx, &mut names, &g.name, &join(&path, "name"));
        let env = groups::Env { market: market.as_ref(), units: &units, latency, accounts: &account_names };
        out_groups.push(groups::group(ctx, &path, g, &env));
    }

    for (info, g) in group_info.iter_mut().zip(&out_groups) {
        info.crowd = g.as_ref().is_some_and(|g| g.behaviour.is_crowd());
    }
    let project_name = raw.project.as_ref().map(|p| p.name.clone().unwrap_or_else(|| "project".to_string()));
    let holding_names = project_name.iter().cloned().chain(raw.accounts.iter().map(|a| a.name.clone()));
    let balances: Vec<(String, Option<(Cash, Qty)>)> = project
        .iter()
        .chain(accounts.iter())
        .zip(holding_names)
        .map(|(h, name)| (name, h.as_ref().map(|h| (h.cash, h.tokens))))
        .collect();
    let env = contracts::Env {
        units: &units,
        tick,
        duration: market.as_ref().map(|m| m.duration),
        project: project_name.as_deref(),
        accounts: &balances,
        groups: &group_info,
    };
    let contracts = contracts::contracts(ctx, raw_contracts, &env);
    let project = match project {
        Some(p) => Some(p?),
        None => None,
    };
    let accounts = accounts.into_iter().collect::<Option<Vec<_>>>()?;
    let groups = out_groups.into_iter().collect::<Option<Vec<_>>>()?;
    if !ctx.problems.is_empty() {
        return None;
    }
    let scenario = Scenario {
        name: raw.market.name,
        description: raw.market.description,
        seed: raw.market.seed,
        market: market?,
        fees: fees?,
        sample_every: sample_every?,
        project,
        accounts,
        groups,
        contracts: contracts?,
    };
    bounds::check(ctx, &scenario, &group_latencies, limits);
    ctx.problems.is_empty().then_some(scenario)
}

fn positive(ctx: &mut Ctx<'_>, path: &[Seg], v: Dec) -> Option<Decimal> {
    if v.0 > Decimal::ZERO {
        Some(v.0)
    } else {
        ctx.report(path, format!("must be > 0, got {v}"));
        None
    }
}

fn open_price(ctx: &mut Ctx<'_>, m: &RawMarket, tick: Option<Decimal>) -> Option<Price> {
    let path = at(&["market", "open_price"]);
    let price = positive(ctx, &path, m.open_price)?;
    let tick = tick?;
    let ticks = price.checked_div(tick).filter(|q| q.fract().is_zero() && q.checked_mul(tick) == Some(price));
    match ticks.and_then(|q| q.to_i64()) {
        Some(t) => Some(Price(t)),
        None if ticks.is_some() => {
            ctx.report(
                &path,
                format!("{} is {} ticks, more than the largest price {}", m.open_price, ticks?, i64::MAX),
            );
            None
        }
        None => {
            let near = price.checked_div(tick).map(|q| q.floor()).and_then(|q| q.checked_mul(tick));
            let hint = match near.map(|lo| (lo, lo.checked_add(tick))) {
                Some((lo, Some(hi))) if lo > Decimal::ZERO => {
                    format!("; e.g. {} or {}", lo.normalize(), hi.normalize())
                }
                _ => String::new(),
            };
            ctx.report(
                &path,
                format!(
                    "{} is not on the tick grid (tick {}): it must be a whole number of ticks{hint}",
                    m.open_price,
                    Dec(tick)
                ),
            );
            None
        }
    }
}

fn fee_cbps(ctx: &mut Ctx<'_>, key: &str, v: Dec, low: i64, high: i64) -> Option<i64> {
    let path = at(&["market", key]);
    let cbps = v.0.checked_mul(Decimal::ONE_HUNDRED).filter(|c| c.fract().is_zero()).and_then(|c| c.to_i64());
    if v.0 < Decimal::from(low) || v.0 > Decimal::from(high) {
        ctx.report(&path, format!("must be between {low} and {high} basis points, got {v}"));
        return None;
    }
    if cbps.is_none() {
        ctx.report(&path, format!("{v} has more than 2 decimals; fees are basis points in steps of 0.01"));
    }
    cbps
}

fn fees(ctx: &mut Ctx<'_>, m: &RawMarket) -> Option<FeeSchedule> {
    let maker = fee_cbps(ctx, "maker_fee_bps", m.maker_fee_bps.unwrap_or_default(), -100, 100);
    let taker = fee_cbps(ctx, "taker_fee_bps", m.taker_fee_bps.unwrap_or_default(), 0, 100);
    let (maker_cbps, taker_cbps) = (maker?, taker?);
    if maker_cbps < 0 && -maker_cbps > taker_cbps {
        ctx.report(
            &at(&["market", "maker_fee_bps"]),
            format!(
                "a maker rebate of {} bps is more than the taker fee of {} bps; a negative maker fee must be \
                 no larger in size than taker_fee_bps",
                Dec(Decimal::new(-maker_cbps, 2)),
                Dec(Decimal::new(taker_cbps, 2)),
            ),
        );
        return None;
    }
    Some(FeeSchedule { maker_cbps, taker_cbps })
}

fn durations(ctx: &mut Ctx<'_>, m: &RawMarket) -> (Option<Dur>, Option<Dur>) {
    let duration = if m.duration.nanos() == 0 {
        ctx.report(&at(&["market", "duration"]), "must be > 0, e.g. \"1d\"");
        None
    } else if m.duration > limits::MAX_DURATION {
        ctx.report(
            &at(&["market", "duration"]),
            format!("{} is too long: at most {} (ten years of simulated time)", m.duration, limits::MAX_DURATION),
        );
        None
    } else {
        Some(m.duration)
    };
    let every = m.sample_every.unwrap_or(Dur(60_000_000_000));
    let default = if m.sample_every.is_none() { " (the default is 1m)" } else { "" };
    let path = at(&["market", "sample_every"]);
    let sample_every = if every.nanos() == 0 {
        ctx.report(&path, "must be > 0, e.g. \"1m\"");
        None
    } else if duration.is_some_and(|d| every > d) {
        ctx.report(&path, format!("must be ≤ duration ({}), got {every}{default}", m.duration));
        None
    } else {
        Some(every)
    };
    (duration, sample_every)
}

/// Records `name` as taken, reporting it when it already is (or is reserved).
fn unique(ctx: &mut Ctx<'_>, names: &mut Vec<(String, Vec<Seg>)>, name: &str, path: &[Seg]) {
    if RESERVED_NAMES.contains(&name) {
        ctx.report(
            path,
            format!("{name:?} is reserved: the outputs use it for the exchange's fee account; pick another name"),
        );
        return;
    }
    if let Some((_, first)) = names.iter().find(|(n, _)| n == name) {
        let first = first.clone();
        let line = ctx.line_of(&first).map(|l| format!(" (line {l})")).unwrap_or_default();
        let owner = display_path(&first[..first.len().saturating_sub(1)]);
        ctx.report(
            path,
            format!("{name:?} is already the name of {owner}{line}; group, account and project names must be unique"),
        );
    } else {
        names.push((name.to_string(), path.to_vec()));
    }
}

fn holding(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    names: &mut Vec<(String, Vec<Seg>)>,
    name: String,
    cash: Option<Dec>,
    tokens: Option<Dec>,
    units: &Grids,
) -> Option<Holding> {
    check_name(ctx, &join(path, "name"), &name);
    unique(ctx, names, &name, &join(path, "name"));
    let cash = units.cash(ctx, &join(path, "cash"), cash.unwrap_or_default().0);
    let tokens = units.tokens(ctx, &join(path, "tokens"), tokens.unwrap_or_default().0);
    Some(Holding { name, cash: cash?, tokens: tokens? })
}

impl Grids {
    /// Quote units as whole cash atoms (≥ 0); `None` (and a problem) otherwise, or when the market's
    /// tick or lot is invalid.
    pub(crate) fn cash(&self, ctx: &mut Ctx<'_>, path: &[Seg], v: Decimal) -> Option<Cash> {
        if v < Decimal::ZERO {
            ctx.report(path, format!("must be ≥ 0, got {}", Dec(v)));
            return None;
        }
        let atom = self.atom?;
        let limit = limits::MAX_TOTAL_CASH.min(limits::MAX_TOTAL_CASH * atom.to_f64().unwrap_or(f64::INFINITY));
        if v.checked_div(atom).is_none_or(|q| q.to_f64().is_none_or(|q| q > limits::MAX_TOTAL_CASH)) {
            let msg = format!(
                "{} is too large: all cash together must stay at most {} cash atoms and {} quote units ({} quote \
                 units here, atom = tick × lot = {})",
                Dec(v),
                limits::num(limits::MAX_TOTAL_CASH),
                limits::num(limits::MAX_TOTAL_CASH),
                limits::num(limit),
                Dec(atom)
            );
            ctx.report(path, msg);
            return None;
        }
        match whole(v, atom).and_then(|q| q.to_i128()) {
            Some(q) => Some(Cash(q)),
            None => {
                let msg = format!(
                    "{} is not a whole number of cash atoms (atom = tick × lot = {} quote units)",
                    Dec(v),
                    Dec(atom)
                );
                ctx.report(path, msg);
                None
            }
        }
    }

    /// Tokens as whole lots (≥ 0); `None` (and a problem) otherwise, or when the lot is invalid.
    pub(crate) fn tokens(&self, ctx: &mut Ctx<'_>, path: &[Seg], v: Decimal) -> Option<Qty> {
        if v < Decimal::ZERO {
            ctx.report(path, format!("must be ≥ 0, got {}", Dec(v)));
            return None;
        }
        let lot = self.lot?;
        if v.checked_div(lot).is_none_or(|q| q.to_f64().is_none_or(|q| q > limits::MAX_TOTAL_LOTS)) {
            let msg = format!(
                "{} is too large: all tokens together must stay at most {} lots (lot {} tokens)",
                Dec(v),
                limits::num(limits::MAX_TOTAL_LOTS),
                Dec(lot)
            );
            ctx.report(path, msg);
            return None;
        }
        match whole(v, lot).and_then(|q| q.to_i64()) {
            Some(q) => Some(Qty(q)),
            None => {
                ctx.report(path, format!("{} is not a whole number of lots (lot {} tokens)", Dec(v), Dec(lot)));
                None
            }
        }
    }
}

/// `v / unit` when it is exactly a whole number.
fn whole(v: Decimal, unit: Decimal) -> Option<Decimal> {
    v.checked_div(unit).filter(|q| q.fract().is_zero() && q.checked_mul(unit) == Some(v))
}
