//! Validation of `kind = "guarantee"` contracts (see [`contracts`](super::contracts) for the rest).
//!
//! The depositor (the project by default) must start with at least the deposit; at least one band
//! bound is needed, and when both are given the upper one must not be below the lower one (premiums
//! are compared on a common reference); checks must fit the period.

use super::contracts::{account, group, positive_dur, price_rule, required, Env};
use super::raw::contracts::RawGuarantee;
use super::source::Seg;
use super::validate::{join, Ctx};
use crate::contracts::spec::{ContractTerms, GuaranteeTerms, PriceRule, ReleaseRule};
use crate::types::{Cash, Price, SimTime};
use crate::units::Dur;

/// Checks a guarantee starting at `start`.
pub(crate) fn guarantee(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    mm: Option<&String>,
    c: &RawGuarantee,
    env: &Env<'_>,
    start: SimTime,
) -> Option<ContractTerms> {
    let mm = match mm {
        Some(_) => Some(group(ctx, path, mm, env).map(|g| g.name.clone())),
        None => Some(None),
    };
    let depositor = account(ctx, path, "depositor", c.depositor.as_ref(), env);
    let deposit = required(ctx, path, "deposit", c.deposit, "1500000").and_then(|d| {
        let cash = env.units.cash(ctx, &join(path, "deposit"), d.0)?;
        if cash == Cash::ZERO {
            ctx.report(&join(path, "deposit"), "must be > 0");
            return None;
        }
        if let Some((name, Some((start_cash, _)))) = &depositor {
            if cash > *start_cash {
                ctx.report(
                    &join(path, "deposit"),
                    format!("{d} is more than {name:?} starts with; give it more cash or deposit less"),
                );
                return None;
            }
        }
        Some(cash)
    });
    let period = required(ctx, path, "period", c.period, "\"180d\"").and_then(|p| positive_dur(ctx, path, "period", p));
    let low = c.band_low.map(|v| price_rule(ctx, &join(path, "band_low"), v, env));
    let high = c.band_high.map(|v| price_rule(ctx, &join(path, "band_high"), v, env));
    if low.is_none() && high.is_none() {
        ctx.report(&join(path, "band_low"), "missing: give band_low and/or band_high, e.g. band_low = \"-50%\"");
    }
    if let (Some(Some(lo)), Some(Some(hi))) = (low, high) {
        let r = Price(1_000_000);
        if lo.resolve(r) > hi.resolve(r)
            || matches!((lo, hi), (PriceRule::Absolute(a), PriceRule::Absolute(b)) if a > b)
        {
            ctx.report(&join(path, "band_high"), "must not be below band_low");
        }
    }
    let every = positive_dur(ctx, path, "check_every", c.check_every.unwrap_or(Dur(3_600_000_000_000)));
    if let (Some(e), Some(p)) = (every, period) {
        if e > p {
            ctx.report(&join(path, "check_every"), format!("{e} is longer than the period ({p})"));
        }
    }
    let band_low = match low {
        Some(v) => Some(v?),
        None => None,
    };
    let band_high = match high {
        Some(v) => Some(v?),
        None => None,
    };
    if band_low.is_none() && band_high.is_none() {
        return None;
    }
    Some(ContractTerms::Guarantee(GuaranteeTerms {
        depositor: depositor?.0,
        mm: mm?,
        deposit: deposit?,
        start,
        period: period?,
        band_low,
        band_high,
        check_every: every?,
        release: c.release.unwrap_or(ReleaseRule::Proportional),
    }))
}
