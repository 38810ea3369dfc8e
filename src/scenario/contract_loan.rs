//! Validation of `kind = "token_loan"` contracts (see [`contracts`](super::contracts) for the rest).
//!
//! The borrower is an agent group with its own accounts (not `trades_for`, not a crowd); the loan is
//! spread evenly over its agents' accounts. Option quantities are given on every option or on none
//! (none: the loan is split evenly, the remainder of lots to the last option) and add up to at most
//! the tokens lent. Index windows and expiry averages must fit the tenor and the tape's one day of
//! one-minute bars.

use rust_decimal::Decimal;

use super::contracts::{account, group, positive_dur, price_rule, ratio, required, Env};
use super::raw::contracts::{RawLoan, RawRatio};
use super::source::Seg;
use super::validate::{join, Ctx};
use crate::contracts::spec::{CallOption, LoanTerms, Settlement, StrikeReference};
use crate::types::{Qty, SimTime};
use crate::units::Dur;

/// One day in nanoseconds.
const DAY: u64 = 86_400_000_000_000;

/// Checks a token loan starting at `start`.
pub(crate) fn loan(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    mm: Option<&String>,
    c: &RawLoan,
    env: &Env<'_>,
    start: SimTime,
) -> Option<LoanTerms> {
    let g = group(ctx, path, mm, env);
    let mut ok = true;
    if let Some(g) = g {
        if let Some(acct) = &g.trades_for {
            ctx.report(
                &join(path, "mm"),
                format!(
                    "group {:?} trades {acct:?}'s account (trades_for); a borrower needs accounts of its own to hold the \
                     loan: remove trades_for from that [[agents]] entry",
                    g.name
                ),
            );
            ok = false;
        } else if g.crowd {
            ctx.report(
                &join(path, "mm"),
                format!("group {:?} is a crowd of member accounts; a borrower must be a market maker group", g.name),
            );
            ok = false;
        }
    }
    let lender = account(ctx, path, "lender", c.lender.as_ref(), env);
    let tokens = required(ctx, path, "tokens", c.tokens, "1000000").and_then(|t| {
        let q = env.units.tokens(ctx, &join(path, "tokens"), t.0)?;
        if q == Qty::ZERO {
            ctx.report(&join(path, "tokens"), "must be > 0");
            return None;
        }
        if let Some((name, Some((_, have)))) = &lender {
            if q > *have {
                ctx.report(
                    &join(path, "tokens"),
                    format!(
                        "{t} tokens is more than the lender {name:?} starts with; give it more tokens or lend less"
                    ),
                );
                return None;
            }
        }
        Some(q)
    });
    let tenor = required(ctx, path, "tenor", c.tenor, "\"730d\"").and_then(|t| positive_dur(ctx, path, "tenor", t));
    let volatility = ratio(
        ctx,
        &join(path, "volatility"),
        c.volatility.unwrap_or(RawRatio(Decimal::ONE)),
        Decimal::ZERO,
        Decimal::TEN,
        false,
    )
    .filter(|&v| {
        if v == 0.0 {
            ctx.report(&join(path, "volatility"), "must be > 0");
        }
        v > 0.0
    });
    let rate =
        ratio(ctx, &join(path, "rate"), c.rate.unwrap_or(RawRatio(Decimal::ZERO)), -Decimal::ONE, Decimal::ONE, false);
    let reference = c.strike_reference.unwrap_or(StrikeReference::Open);
    let window = c.reference_window.unwrap_or(Dur(7 * DAY));
    if c.reference_window.is_some() && reference == StrikeReference::Open {
        ctx.report(&join(path, "reference_window"), "applies only with strike_reference = \"vwap_7d\" or \"avg_7d\"");
        ok = false;
    }
    let window = positive_dur(ctx, path, "reference_window", window);
    if let (Some(w), Some(t)) = (window, tenor) {
        if reference != StrikeReference::Open && w >= t {
            ctx.report(&join(path, "reference_window"), format!("{w} must be shorter than the tenor ({t})"));
            ok = false;
        }
    }
    let expiry_average = match c.expiry_average {
        Some(d) if d.nanos() == 0 || d.nanos() > DAY => {
            ctx.report(
                &join(path, "expiry_average"),
                format!("{d} must be longer than 0 and at most 1d (the tape keeps one day)"),
            );
            ok = false;
            None
        }
        d => d,
    };
    let options = options(ctx, path, c, env, tokens);
    let lender_name = lender.as_ref().map(|l| l.0.clone());
    let protections = super::contract_protect::protections(ctx, path, c, env, lender_name.as_deref(), tokens, tenor);
    if !ok {
        return None;
    }
    Some(LoanTerms {
        lender: lender?.0,
        mm: g?.name.clone(),
        tokens: tokens?,
        start,
        tenor: tenor?,
        options: options?,
        volatility: volatility?,
        rate: rate?,
        strike_reference: reference,
        reference_window: window?,
        settle: c.settle.unwrap_or(Settlement::Tokens),
        expiry_average,
        early_return: c.early_return.unwrap_or(false),
        protections: protections?,
    })
}

fn options(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    c: &RawLoan,
    env: &Env<'_>,
    tokens: Option<Qty>,
) -> Option<Vec<CallOption>> {
    let raw = c.options.clone().unwrap_or_default();
    let opts_path = join(path, "options");
    let with_qty = raw.iter().filter(|o| o.qty.is_some()).count();
    if with_qty != 0 && with_qty != raw.len() {
        ctx.report(&opts_path, "give qty on every option or on none (none: the loan is split evenly between them)");
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (index, o) in raw.iter().enumerate() {
        let p = {
            let mut p = opts_path.clone();
            p.push(Seg::Elem { index, name: None });
            p
        };
        let strike = price_rule(ctx, &join(&p, "strike"), o.strike, env);
        let qty = match o.qty {
            Some(q) => match env.units.tokens(ctx, &join(&p, "qty"), q.0) {
                Some(Qty(0)) => {
                    ctx.report(&join(&p, "qty"), "must be > 0");
                    None
                }
                other => other,
            },
            None => tokens.map(|t| {
                let n = raw.len() as i64;
                Qty(t.0 / n + if index + 1 == raw.len() { t.0 % n } else { 0 })
            }),
        };
        match (strike, qty) {
            (Some(strike), Some(qty)) => out.push(CallOption { qty, strike }),
            _ => ok = false,
        }
    }
    if let Some(t) = tokens {
        let total = out.iter().fold(Qty::ZERO, |a, o| a + o.qty);
        if ok && total > t {
            ctx.report(&opts_path, format!("the options cover {} lots, more than the {} lots lent", total.0, t.0));
            return None;
        }
    }
    (ok && tokens.is_some()).then_some(out)
}
