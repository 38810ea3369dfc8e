//! Validation of `[[contracts]]`: each entry becomes a [`ContractSpec`], or every problem is
//! reported at `contracts.<name>.<key>` (schema in [`raw::contracts`](super::raw::contracts)).
//!
//! Besides ranges and grids (tokens in whole lots, money in whole cash atoms, absolute prices on the
//! tick grid), the checks tie contracts to the rest of the file: `mm` names a group (a borrower with
//! its own accounts for a loan; for a subscription, a group with `trades_for` quoting that account
//! or a group quoting from its own accounts, so one group may hold a loan and a retainer), accounts name the
//! project or an `[[accounts]]` entry, a loan does not lend more than the lender starts with, a
//! deposit is not more than the depositor's cash, and every contract starts before the run ends.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::groups::Grids;
use super::raw::contracts::{RawContract, RawKpis, RawPrice, RawRatio, RawSubscription, RawTerms};
use super::source::{display_path, Seg};
use super::validate::{check_name, join, Ctx};
use crate::contracts::spec::{ContractSpec, ContractTerms, KpiRule, KpiTerms, OnMiss, PriceRule};
use crate::types::{Cash, Price, Qty, SimTime};
use crate::units::{Dec, Dur};

/// A group as contracts see it during validation.
pub(crate) struct GroupInfo {
    /// Group name.
    pub(crate) name: String,
    /// Its `trades_for` account.
    pub(crate) trades_for: Option<String>,
    /// True for a crowd (one agent, many member accounts).
    pub(crate) crowd: bool,
}

/// What contracts are checked against.
pub(crate) struct Env<'a> {
    /// The grids.
    pub(crate) units: &'a Grids,
    /// Quote units per tick, when valid.
    pub(crate) tick: Option<Decimal>,
    /// The run's length, when valid.
    pub(crate) duration: Option<SimTime>,
    /// The project's account name, if there is a `[project]`.
    pub(crate) project: Option<&'a str>,
    /// Named accounts (the project first) and their starting cash and tokens (when valid).
    pub(crate) accounts: &'a [(String, Option<(Cash, Qty)>)],
    /// The groups.
    pub(crate) groups: &'a [GroupInfo],
}

/// Checks every contract; `None` when any problem was reported.
pub(crate) fn contracts(ctx: &mut Ctx<'_>, raw: Vec<RawContract>, env: &Env<'_>) -> Option<Vec<ContractSpec>> {
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (index, c) in raw.into_iter().enumerate() {
        let path = vec![Seg::key("contracts"), Seg::Elem { index, name: Some(c.name.clone()) }];
        check_name(ctx, &join(&path, "name"), &c.name);
        if names.contains(&c.name) {
            ctx.report(
                &join(&path, "name"),
                format!("{:?} is already the name of another contract; contract names must be unique", c.name),
            );
        }
        names.push(c.name.clone());
        out.push(contract(ctx, &path, c, env));
    }
    out.into_iter().collect()
}

fn contract(ctx: &mut Ctx<'_>, path: &[Seg], c: RawContract, env: &Env<'_>) -> Option<ContractSpec> {
    let (raw, problems) = c.terms();
    let mut unread = Vec::new();
    for p in problems {
        let at: Vec<Seg> = path.iter().chain(&p.path).cloned().collect();
        if p.at_key {
            ctx.report_key(&at, p.message);
        } else {
            unread.push(display_path(&at));
            ctx.report(&at, p.message);
        }
    }
    let raw = raw?;
    let checked_from = ctx.problems.len();
    let start = start(ctx, path, raw.start(), env);
    let mm = c.mm.as_ref();
    let terms = match &raw {
        RawTerms::TokenLoan(t) => {
            super::contract_loan::loan(ctx, path, mm, t, env, start?).map(ContractTerms::TokenLoan)
        }
        RawTerms::Subscription(t) => subscription(ctx, path, mm, t, env, start?),
        RawTerms::Guarantee(t) => super::contract_guarantee::guarantee(ctx, path, mm, t, env, start?),
        RawTerms::ProceedsSplit(t) => super::contract_split::split(ctx, path, mm, t, env, start?),
    };
    // A value that could not be read was left out: it is reported already, not also missing.
    let checked = ctx.problems.split_off(checked_from);
    ctx.problems.extend(checked.into_iter().filter(|p| p.key.as_ref().is_none_or(|k| !unread.contains(k))));
    Some(ContractSpec { name: c.name, terms: terms? })
}

fn start(ctx: &mut Ctx<'_>, path: &[Seg], start: Option<Dur>, env: &Env<'_>) -> Option<SimTime> {
    let t = SimTime(start.unwrap_or_default().nanos());
    if env.duration.is_some_and(|d| t >= d) {
        ctx.report(
            &join(path, "start"),
            format!("{} is not before the run's end: the contract would never start", Dur(t.0)),
        );
        return None;
    }
    Some(t)
}

/// The account `name` (or the project when `None`) checked to exist; its starting balance.
pub(crate) fn account(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    key: &str,
    name: Option<&String>,
    env: &Env<'_>,
) -> Option<(String, Option<(Cash, Qty)>)> {
    let Some(name) = name.map(String::as_str).or(env.project) else {
        ctx.report(
            &join(path, key),
            format!("missing: there is no [project] table to default to, so name the {key} account"),
        );
        return None;
    };
    match env.accounts.iter().find(|(n, _)| n == name) {
        Some((n, bal)) => Some((n.clone(), *bal)),
        None => {
            let known: Vec<&str> = env.accounts.iter().map(|(n, _)| n.as_str()).collect();
            let list = if known.is_empty() {
                "there are none".to_string()
            } else {
                format!("the accounts are: {}", known.join(", "))
            };
            ctx.report(
                &join(path, key),
                format!("no account named {name:?}: it must name the project or an [[accounts]] entry, and {list}"),
            );
            None
        }
    }
}

/// The group `mm`, required.
/// A named account that must be given (no default to the project): reports `missing` with `hint`.
pub(crate) fn required_account(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    key: &str,
    name: Option<&String>,
    env: &Env<'_>,
    hint: &str,
) -> Option<String> {
    match name {
        None => {
            ctx.report(&join(path, key), format!("missing: {hint}"));
            None
        }
        Some(_) => account(ctx, path, key, name, env).map(|a| a.0),
    }
}

pub(crate) fn group<'e>(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    mm: Option<&String>,
    env: &'e Env<'_>,
) -> Option<&'e GroupInfo> {
    let Some(name) = mm else {
        ctx.report(&join(path, "mm"), "missing: name the market maker's agent group, e.g. mm = \"mm\"");
        return None;
    };
    let found = env.groups.iter().find(|g| &g.name == name);
    if found.is_none() {
        let known: Vec<&str> = env.groups.iter().map(|g| g.name.as_str()).collect();
        ctx.report(&join(path, "mm"), format!("no agent group named {name:?}; the groups are: {}", known.join(", ")));
    }
    found
}

/// A required value.
pub(crate) fn required<T: Copy>(ctx: &mut Ctx<'_>, path: &[Seg], key: &str, v: Option<T>, example: &str) -> Option<T> {
    if v.is_none() {
        ctx.report(&join(path, key), format!("missing: required, e.g. {key} = {example}"));
    }
    v
}

/// A duration > 0.
pub(crate) fn positive_dur(ctx: &mut Ctx<'_>, path: &[Seg], key: &str, v: Dur) -> Option<Dur> {
    if v.nanos() == 0 {
        ctx.report(&join(path, key), "must be longer than 0");
        return None;
    }
    Some(v)
}

/// A ratio within `[lo, hi]` (exclusive ends when `open`), as f64.
pub(crate) fn ratio(ctx: &mut Ctx<'_>, path: &[Seg], v: RawRatio, lo: Decimal, hi: Decimal, open: bool) -> Option<f64> {
    let ok = if open { v.0 > lo && v.0 < hi } else { v.0 >= lo && v.0 <= hi };
    let (l, r) = if open { ("(", ")") } else { ("[", "]") };
    if !ok {
        ctx.report(
            path,
            format!("{} is outside {l}{}, {}{r} (as fractions; \"80%\" = 0.8)", Dec(v.0), Dec(lo), Dec(hi)),
        );
        return None;
    }
    v.0.to_f64()
}

/// A price rule: an absolute price on the tick grid (> 0), or a premium above −100%.
pub(crate) fn price_rule(ctx: &mut Ctx<'_>, path: &[Seg], v: RawPrice, env: &Env<'_>) -> Option<PriceRule> {
    match v {
        RawPrice::Relative(f) if f > -Decimal::ONE => Some(PriceRule::Premium(f)),
        RawPrice::Relative(f) => {
            ctx.report(
                path,
                format!("{}% would make the price ≤ 0; a discount must be above -100%", Dec(f * Decimal::ONE_HUNDRED)),
            );
            None
        }
        RawPrice::Absolute(p) => {
            let tick = env.tick?;
            let ticks = p.checked_div(tick).filter(|q| q.fract().is_zero() && *q > Decimal::ZERO);
            match ticks.and_then(|q| q.to_i64()) {
                Some(t) => Some(PriceRule::Absolute(Price(t))),
                None => {
                    ctx.report(
                        path,
                        format!("{} must be > 0 and a whole number of ticks (tick {})", Dec(p), Dec(tick)),
                    );
                    None
                }
            }
        }
    }
}

fn subscription(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    mm: Option<&String>,
    c: &RawSubscription,
    env: &Env<'_>,
    start: SimTime,
) -> Option<ContractTerms> {
    let g = group(ctx, path, mm, env);
    let own = g.is_some_and(|g| g.trades_for.is_none());
    let payer = match g {
        Some(g) if g.crowd => {
            ctx.report(
                &join(path, "mm"),
                format!(
                    "group {:?} is a crowd of member accounts; a subscription's MM must be a market maker group",
                    g.name
                ),
            );
            None
        }
        // Quoting from its own accounts (e.g. the tokens of a loan): the payer only pays the fee.
        Some(_) if own => account(ctx, path, "payer", c.payer.as_ref(), env).map(|a| a.0),
        Some(g) => match (&c.payer, &g.trades_for) {
            (Some(p), Some(t)) if p != t => {
                ctx.report(
                    &join(path, "payer"),
                    format!(
                        "group {:?} trades {t:?}'s account (trades_for), so {t:?} pays the fee and bears the trading; \
                         remove payer, or remove trades_for so the MM quotes from its own accounts",
                        g.name
                    ),
                );
                None
            }
            _ => g.trades_for.clone(),
        },
        None => None,
    };
    let fee_account = if own && c.fee_account.is_none() {
        Some(None)
    } else {
        required_account(
            ctx,
            path,
            "fee_account",
            c.fee_account.as_ref(),
            env,
            "name the account that receives the fee (the MM firm's), e.g. add [[accounts]] name = \"mm_firm\" and fee_account = \"mm_firm\"",
        )
        .map(Some)
    };
    if let (Some(p), Some(Some(f))) = (&payer, &fee_account) {
        if p == f {
            ctx.report(
                &join(path, "fee_account"),
                format!("{f:?} is the account that pays the fee; the fee must go to another account"),
            );
        }
    }
    let fee = required(ctx, path, "fee_per_period", c.fee_per_period, "10000")
        .and_then(|v| env.units.cash(ctx, &join(path, "fee_per_period"), v.0));
    let period = positive_dur(ctx, path, "period", c.period.unwrap_or(Dur(30 * 86_400_000_000_000)));
    let periods = match c.periods {
        None => Some(None),
        Some(n) if n >= 1 && n <= u32::MAX as i64 => Some(Some(n as u32)),
        Some(n) => {
            ctx.report(&join(path, "periods"), format!("must be an integer ≥ 1, got {n}"));
            None
        }
    };
    let on_miss = c.on_miss.unwrap_or(OnMiss::Withhold);
    let terminate = match c.terminate_after_misses.unwrap_or(0) {
        n if (0..=u32::MAX as i64).contains(&n) => Some(n as u32),
        n => {
            ctx.report(&join(path, "terminate_after_misses"), format!("must be an integer ≥ 0 (0 = never), got {n}"));
            None
        }
    };
    let penalty = match c.penalty_per_miss {
        None => Some(Cash::ZERO),
        Some(v) => env.units.cash(ctx, &join(path, "penalty_per_miss"), v.0),
    };
    let kpis = kpis(ctx, &join(path, "kpis"), c.kpis.clone().unwrap_or_default(), env, period);
    Some(ContractTerms::Subscription(crate::contracts::spec::SubscriptionTerms {
        mm: g?.name.clone(),
        payer: payer?,
        fee_account: fee_account?,
        own_accounts: own,
        penalty_per_miss: penalty?,
        fee_per_period: fee?,
        period: period?,
        start,
        periods: periods?,
        on_miss,
        terminate_after_misses: terminate?,
        kpis: kpis?,
    }))
}

fn kpis(ctx: &mut Ctx<'_>, path: &[Seg], k: RawKpis, env: &Env<'_>, period: Option<Dur>) -> Option<KpiTerms> {
    let mut ok = true;
    let rule = k.rule.unwrap_or(KpiRule::Uptime);
    let max_spread_bps = match k.max_spread_bps {
        Some(v) if v.0 <= Decimal::ZERO => {
            ctx.report(&join(path, "max_spread_bps"), format!("must be > 0, got {v}"));
            ok = false;
            None
        }
        v => v.and_then(|v| v.0.to_f64()),
    };
    let money = |ctx: &mut Ctx<'_>, key: &str, v: Option<Dec>, ok: &mut bool| match v {
        None => None,
        Some(v) => {
            let c = env.units.cash(ctx, &join(path, key), v.0);
            *ok &= c.is_some();
            c
        }
    };
    let min_depth_quote = money(ctx, "min_depth_quote", k.min_depth_quote, &mut ok);
    let min_daily_volume_quote = money(ctx, "min_daily_volume_quote", k.min_daily_volume_quote, &mut ok);
    let min_uptime = match k.min_uptime {
        Some(_) if rule == KpiRule::Exchange75 => {
            ctx.report(
                &join(path, "min_uptime"),
                "does not apply with rule = \"exchange_75\", which fixes 75% of snapshots a day and 75% of days",
            );
            ok = false;
            None
        }
        Some(r) => {
            let v = ratio(ctx, &join(path, "min_uptime"), r, Decimal::ZERO, Decimal::ONE, false);
            ok &= v.is_some();
            v
        }
        None => None,
    };
    let band = ratio(
        ctx,
        &join(path, "depth_band"),
        k.depth_band.unwrap_or(RawRatio(Decimal::new(2, 2))),
        Decimal::ZERO,
        Decimal::ONE,
        true,
    );
    let every = positive_dur(ctx, path, "snapshot_every", k.snapshot_every.unwrap_or(Dur(10_000_000_000)));
    if let (Some(e), Some(p)) = (every, period) {
        if e > p {
            ctx.report(&join(path, "snapshot_every"), format!("{e} is longer than the period ({p})"));
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(KpiTerms {
        max_spread_bps,
        min_depth_quote,
        min_uptime,
        min_daily_volume_quote,
        depth_band: band?,
        snapshot_every: every?,
        rule,
    })
}
