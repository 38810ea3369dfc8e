//! Who is who in the logs: every trade and order event names the *individual* behind it, its group
//! and the account it traded.
//!
//! An individual is an agent, except in a crowd (one agent simulating many traders, each with its
//! own account), where it is the member: the member's account name, e.g. `retail/17`. Individuals are
//! the beneficial owners the wash label is about: a trade is wash when both sides are the same
//! account or the same individual ([`Names::same_owner`]), never two strangers of one crowd.

use crate::ledger::AccountId;
use crate::types::AgentId;

/// Names of agents, their groups and accounts, indexed by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    agents: Vec<String>,
    groups: Vec<String>,
    crowd: Vec<bool>,
    accounts: Vec<String>,
}

impl Names {
    /// Names from, per agent, `(name, group, is_crowd)`, and the account names by `AccountId`.
    pub fn new(agents: Vec<(String, String, bool)>, accounts: Vec<String>) -> Self {
        let mut names = Names { accounts, ..Names::default() };
        for (name, group, crowd) in agents {
            names.agents.push(name);
            names.groups.push(group);
            names.crowd.push(crowd);
        }
        names
    }

    /// The same names passed through `f` (e.g. escaped for CSV once, rather than on every row).
    pub fn map_names(&self, mut f: impl FnMut(&str) -> String) -> Names {
        let mut map = |v: &[String]| v.iter().map(|s| f(s)).collect();
        Names {
            agents: map(&self.agents),
            groups: map(&self.groups),
            crowd: self.crowd.clone(),
            accounts: map(&self.accounts),
        }
    }

    /// The individual behind an order of `agent` on `account`: the member's account for a crowd,
    /// else the agent's name.
    pub fn individual(&self, agent: AgentId, account: AccountId) -> &str {
        let a = agent.0 as usize;
        if self.crowd.get(a).copied().unwrap_or(false) {
            self.account(account)
        } else {
            self.agents.get(a).map_or("", String::as_str)
        }
    }

    /// The name of `agent` (a crowd's name for the whole crowd).
    pub fn agent_name(&self, agent: AgentId) -> &str {
        self.agents.get(agent.0 as usize).map_or("", String::as_str)
    }

    /// The group of `agent`.
    pub fn group(&self, agent: AgentId) -> &str {
        self.groups.get(agent.0 as usize).map_or("", String::as_str)
    }

    /// The name of `account`.
    pub fn account(&self, account: AccountId) -> &str {
        self.accounts.get(account.0 as usize).map_or("", String::as_str)
    }

    /// True when two orders have the same beneficial owner: the same account, or the same
    /// individual (one non-crowd agent trading several of its accounts).
    pub fn same_owner(&self, a: (AgentId, AccountId), b: (AgentId, AccountId)) -> bool {
        if a.1 == b.1 {
            return true;
        }
        let crowd = |g: AgentId| self.crowd.get(g.0 as usize).copied().unwrap_or(false);
        a.0 == b.0 && !crowd(a.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(
            vec![("retail".into(), "retail".into(), true), ("ring".into(), "ring".into(), false)],
            vec!["retail/0".into(), "retail/1".into(), "ring/a".into(), "ring/b".into()],
        )
    }

    #[test]
    fn crowd_members_are_individuals() {
        let n = names();
        assert_eq!(n.individual(AgentId(0), AccountId(1)), "retail/1");
        assert_eq!(n.individual(AgentId(1), AccountId(3)), "ring");
        assert_eq!(n.group(AgentId(0)), "retail");
    }

    #[test]
    fn strangers_of_one_crowd_are_not_one_owner() {
        let n = names();
        assert!(!n.same_owner((AgentId(0), AccountId(0)), (AgentId(0), AccountId(1))));
        assert!(n.same_owner((AgentId(0), AccountId(1)), (AgentId(0), AccountId(1))));
        assert!(n.same_owner((AgentId(1), AccountId(2)), (AgentId(1), AccountId(3))));
    }
}
