//! [`Scenario::validate`]: the checks a typed scenario must pass before it runs, whether it was
//! loaded from TOML (which checked the same rules with file positions, and more) or built in code.
//!
//! Every problem is reported with its key path (`agents.mm.passive_mm.spread_bps`), all at once,
//! as a [`ScenarioError::Invalid`] whose file is `<scenario NAME built in code>`.

use super::{Scenario, ScenarioError};
use crate::contracts::ContractTerms;
use crate::scenario::Problem;

impl Scenario {
    /// Checks the scenario: the market's grids and times, unique and well-formed names, group
    /// sizes, `trades_for` accounts, every agent kind's parameters (its own and its alternatives'),
    /// and the names contracts refer to.
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] listing every problem with its key path.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let mut problems = Vec::new();
        let mut report = |key: String, message: String| problems.push((key, message));
        let m = &self.market;
        if m.tick <= rust_decimal::Decimal::ZERO {
            report("market.tick".into(), format!("must be > 0, got {}", m.tick));
        }
        if m.lot <= rust_decimal::Decimal::ZERO {
            report("market.lot".into(), format!("must be > 0, got {}", m.lot));
        }
        if m.open_price.0 <= 0 {
            report("market.open_price".into(), format!("must be at least one tick, got {} ticks", m.open_price.0));
        }
        if m.duration.nanos() == 0 {
            report("market.duration".into(), "must be > 0".into());
        }
        if self.sample_every.nanos() == 0 || self.sample_every.nanos() > m.duration.nanos() {
            report("market.sample_every".into(), "must be > 0 and at most the duration".into());
        }
        let accounts: Vec<&str> = self.project.iter().chain(&self.accounts).map(|h| h.name.as_str()).collect();
        let mut names: Vec<&str> = Vec::new();
        for name in accounts.iter().copied().chain(self.groups.iter().map(|g| g.name.as_str())) {
            if !well_formed(name) {
                report(format!("name {name:?}"), "must be letters, digits, `_` or `-` only ([A-Za-z0-9_-]+)".into());
            }
            if name == "exchange" || names.contains(&name) {
                report(format!("name {name:?}"), "is used twice (or is the exchange's own name)".into());
            }
            names.push(name);
        }
        for g in &self.groups {
            let path = format!("agents.{}", g.name);
            if g.count == 0 {
                report(format!("{path}.count"), "must be an integer ≥ 1, got 0".into());
            }
            if let Some(target) = &g.trades_for {
                if !accounts.contains(&target.as_str()) {
                    report(
                        format!("{path}.trades_for"),
                        format!("no account named {target:?}; the accounts are: {}", accounts.join(", ")),
                    );
                }
            }
            for b in std::iter::once(&g.behaviour).chain(&g.alternatives) {
                for issue in b.check(m) {
                    report(format!("{path}.{}.{}", b.kind(), issue.key), issue.message);
                }
            }
        }
        let groups: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        for c in &self.contracts {
            let path = format!("contracts.{}", c.name);
            let (mms, named) = refers_to(&c.terms);
            for mm in mms {
                if !groups.contains(&mm) {
                    report(
                        format!("{path}.mm"),
                        format!("no agent group named {mm:?}; the groups are: {}", groups.join(", ")),
                    );
                }
            }
            for (key, account) in named {
                if !accounts.contains(&account) {
                    report(
                        format!("{path}.{key}"),
                        format!("no account named {account:?}; the accounts are: {}", accounts.join(", ")),
                    );
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        let file = format!("<scenario {} built in code>", self.name);
        let problems = problems.into_iter().map(|(key, message)| Problem::new(&file, Some(key), message)).collect();
        Err(ScenarioError::Invalid { file, problems })
    }
}

fn well_formed(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The groups (`mm`) and the named accounts (key, name) a contract's terms refer to.
fn refers_to(terms: &ContractTerms) -> (Vec<&str>, Vec<(&'static str, &str)>) {
    match terms {
        ContractTerms::TokenLoan(t) => {
            let escrow = match &t.protections.holder {
                Some(crate::contracts::Holder::Escrow(name)) => Some(("collateral_holder", name.as_str())),
                _ => None,
            };
            (vec![t.mm.as_str()], std::iter::once(("lender", t.lender.as_str())).chain(escrow).collect())
        }
        ContractTerms::Subscription(t) => (
            vec![t.mm.as_str()],
            std::iter::once(("payer", t.payer.as_str()))
                .chain(t.fee_account.as_deref().map(|f| ("fee_account", f)))
                .collect(),
        ),
        ContractTerms::Guarantee(t) => {
            (t.mm.iter().map(String::as_str).collect(), vec![("depositor", t.depositor.as_str())])
        }
        ContractTerms::ProceedsSplit(t) => (vec![t.mm.as_str()], vec![("beneficiary", t.beneficiary.as_str())]),
    }
}
