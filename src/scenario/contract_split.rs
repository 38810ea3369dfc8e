//! Validation of `kind = "proceeds_split"` contracts (see [`contracts`](super::contracts) for the
//! rest): `mm` names a group trading its own accounts (not a crowd), `beneficiary` an account, the
//! share lies in (0%, 100%], settlements come at least once per run.

use rust_decimal::Decimal;

use super::contracts::{group, positive_dur, required, required_account, Env};
use super::raw::contracts::RawSplit;
use super::source::Seg;
use super::validate::{join, Ctx};
use crate::contracts::spec::{ContractTerms, SplitTerms};
use crate::types::SimTime;
use crate::units::Dur;

/// Checks a proceeds split starting at `start`.
pub(crate) fn split(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    mm: Option<&String>,
    c: &RawSplit,
    env: &Env<'_>,
    start: SimTime,
) -> Option<ContractTerms> {
    let g = group(ctx, path, mm, env);
    let mm = match g {
        Some(g) if g.trades_for.is_some() || g.crowd => {
            ctx.report(
                &join(path, "mm"),
                format!("group {:?} does not trade its own accounts as one market maker; name the MM's group", g.name),
            );
            None
        }
        Some(g) => Some(g.name.clone()),
        None => None,
    };
    let beneficiary = required_account(
        ctx,
        path,
        "beneficiary",
        c.beneficiary.as_ref(),
        env,
        "name the account paid the share, e.g. add [[accounts]] name = \"intermediary\" and beneficiary = \"intermediary\"",
    );
    let share = required(ctx, path, "share", c.share, "\"50%\"").and_then(|r| {
        if r.0 > Decimal::ZERO && r.0 <= Decimal::ONE {
            Some(r.0)
        } else {
            ctx.report(
                &join(path, "share"),
                format!("{}% is outside (0%, 100%]", (r.0 * Decimal::ONE_HUNDRED).normalize()),
            );
            None
        }
    });
    let every = positive_dur(ctx, path, "every", c.every.unwrap_or(Dur(3_600_000_000_000)));
    Some(ContractTerms::ProceedsSplit(SplitTerms {
        mm: mm?,
        beneficiary: beneficiary?,
        share: share?,
        start,
        every: every?,
    }))
}

#[cfg(test)]
mod tests {
    use crate::contracts::spec::ContractTerms;
    use crate::scenario::load_str;

    const BASE: &str = "[market]\nname = \"t\"\nseed = 1\ntick = \"0.0001\"\nlot = \"1\"\nopen_price = 0.05\n\
        duration = \"1h\"\n[project]\ntokens = 1000\n[[accounts]]\nname = \"intermediary\"\n\
        [[agents]]\nname = \"mm\"\nkind = \"lend_and_dump\"\n[[agents]]\nname = \"retail\"\nkind = \"retail\"\n";

    #[test]
    fn a_split_reads_its_terms_and_names_every_problem() {
        let ok = format!(
            "{BASE}[[contracts]]\nname = \"split\"\nkind = \"proceeds_split\"\nmm = \"mm\"\n\
             beneficiary = \"intermediary\"\nshare = \"50%\"\nevery = \"10m\"\n"
        );
        let s = load_str(&ok, "t.toml", &[]).expect("valid");
        let ContractTerms::ProceedsSplit(t) = &s.contracts[0].terms else { panic!("not a split") };
        assert_eq!((t.mm.as_str(), t.beneficiary.as_str()), ("mm", "intermediary"));
        assert_eq!(t.share, rust_decimal::dec!(0.5));
        assert_eq!(t.every.nanos(), 600_000_000_000);

        let bad = format!(
            "{BASE}[[contracts]]\nname = \"split\"\nkind = \"proceeds_split\"\nmm = \"retail\"\n\
             share = \"150%\"\ntenor = \"1d\"\n"
        );
        let err = load_str(&bad, "t.toml", &[]).expect_err("invalid").to_string();
        for needle in
            ["contracts.split.mm", "contracts.split.beneficiary", "contracts.split.share", "`tenor` does not apply"]
        {
            assert!(err.contains(needle), "{needle:?} not in:\n{err}");
        }
    }
}
