//! Turning validated [`ContractSpec`]s into running contracts: account and group names become
//! [`AccountId`]s and [`AgentId`]s.

use super::spec::{ContractSpec, ContractTerms};
use super::{AnyContract, Guarantee, ProceedsSplit, Subscription, TokenLoan};
use crate::ledger::AccountId;
use crate::types::AgentId;

/// An agent group as contracts see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRef {
    /// Group name.
    pub name: String,
    /// Its agents, in order.
    pub agents: Vec<AgentId>,
    /// The accounts its agents trade (their own, or the `trades_for` account).
    pub accounts: Vec<AccountId>,
    /// True when it trades another party's account (`trades_for`).
    pub trades_for_other: bool,
}

/// Names the contracts may refer to.
#[derive(Clone, Copy, Debug)]
pub struct World<'a> {
    /// The project and named accounts, by name.
    pub accounts: &'a [(String, AccountId)],
    /// The agent groups.
    pub groups: &'a [GroupRef],
    /// The run's seed (contracts that draw, e.g. a loan's breach detection, derive a stream).
    pub seed: u64,
}

impl World<'_> {
    fn account(&self, name: &str) -> AccountId {
        self.accounts.iter().find(|(n, _)| n == name).map(|(_, id)| *id).unwrap_or_else(|| {
            panic!("contract account {name:?} not found: contracts must come from a validated scenario")
        })
    }

    fn group(&self, name: &str) -> &GroupRef {
        self.groups.iter().find(|g| g.name == name).unwrap_or_else(|| {
            panic!("contract group {name:?} not found: contracts must come from a validated scenario")
        })
    }
}

/// Builds the contracts of `specs`; `venue` is the exchange's account (deposits are held there).
///
/// # Panics
/// If a name does not resolve: specs must come from a validated scenario.
pub fn build(specs: &[ContractSpec], world: &World<'_>, venue: AccountId) -> Vec<AnyContract> {
    specs
        .iter()
        .map(|spec| match &spec.terms {
            ContractTerms::TokenLoan(t) => {
                let g = world.group(&t.mm);
                let lender = world.account(&t.lender);
                let holder = match &t.protections.holder {
                    Some(crate::contracts::Holder::Escrow(name)) => world.account(name),
                    _ => lender,
                };
                AnyContract::TokenLoan(TokenLoan::new(
                    &spec.name,
                    t.clone(),
                    lender,
                    g.agents.clone(),
                    g.accounts.clone(),
                    holder,
                    world.seed,
                ))
            }
            ContractTerms::Subscription(t) => {
                let g = world.group(&t.mm);
                let payer = world.account(&t.payer);
                let fee_account = match &t.fee_account {
                    Some(name) => world.account(name),
                    None => *g.accounts.first().expect("a validated MM group has an account"),
                };
                let penalty_from = if t.own_accounts { g.accounts.clone() } else { vec![fee_account] };
                AnyContract::Subscription(Subscription::new(
                    &spec.name,
                    t.clone(),
                    payer,
                    fee_account,
                    penalty_from,
                    g.agents.clone(),
                ))
            }
            ContractTerms::Guarantee(t) => {
                let depositor = world.account(&t.depositor);
                AnyContract::Guarantee(Guarantee::new(&spec.name, t.clone(), depositor, venue))
            }
            ContractTerms::ProceedsSplit(t) => {
                let g = world.group(&t.mm);
                let beneficiary = world.account(&t.beneficiary);
                AnyContract::ProceedsSplit(ProceedsSplit::new(&spec.name, t.clone(), g.accounts.clone(), beneficiary))
            }
        })
        .collect()
}
