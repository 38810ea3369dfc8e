//! [`Phase`]: every manipulation phase an agent can report, for charts and `timeseries.csv` (ground
//! truth of what the manipulator was doing).
//!
//! Each phased agent runs its own state machine (`pump_dump::Phase`, `lend_and_dump::Phase`,
//! `collateral_loop::Phase`) and reports it through [`Agent::phase`](super::Agent::phase) as one of
//! these, converted by `From`. The names are printed as is (`timeseries.csv`'s `phase` column, chart
//! legends), so they are part of the output format.

use std::fmt;

macro_rules! phases {
    ($($(#[$doc:meta])* $phase:ident => $name:literal,)*) => {
        /// A manipulation phase, as the recorder samples it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Phase {
            $(
                $(#[$doc])*
                $phase,
            )*
        }

        impl Phase {
            /// Every phase, grouped by agent kind and in each kind's order.
            pub const ALL: [Phase; [$($name),*].len()] = [$(Phase::$phase),*];

            /// The phase's name, as output files and charts print it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Phase::$phase => $name,)*
                }
            }
        }
    };
}

phases! {
    /// `pump_dump`: buying slowly below a cap.
    Accumulate => "accumulate",
    /// `pump_dump`: wash volume and oscillation within a band.
    Consensus => "consensus",
    /// `pump_dump`: pushing the price up while distributing holdings.
    RugPull => "rug_pull",
    /// `pump_dump`: orders withdrawn; the agent no longer trades.
    Withdrawn => "withdrawn",
    /// `lend_and_dump`: aggressive buying with a support bid.
    Pump => "pump",
    /// `lend_and_dump`: selling the holdings into strength.
    Distribute => "distribute",
    /// `lend_and_dump`: dumping the reserve into the bids to knock the price down.
    Raid => "raid",
    /// `lend_and_dump`: no orders, waiting for the crash.
    Wait => "wait",
    /// `lend_and_dump`: buying back what is owed.
    Buyback => "buyback",
    /// `lend_and_dump`: holds what it owes; stopped.
    Done => "done",
    /// `collateral_loop`: borrowing and buying while the ratio allows.
    Leveraging => "leveraging",
    /// `collateral_loop`: past `lever_until`, no new borrowing.
    Holding => "holding",
    /// `collateral_loop`: the lender is selling collateral.
    Liquidating => "liquidating",
    /// `collateral_loop`: the ratio was restored after a liquidation.
    Deleveraged => "deleveraged",
    /// `collateral_loop`: no collateral left, debt outstanding.
    WipedOut => "wiped_out",
    /// `spoofer`: spoofing the bid side (selling into the buyers it attracts).
    SpoofBid => "spoof_bid",
    /// `spoofer`: spoofing the ask side (buying from the sellers it scares).
    SpoofAsk => "spoof_ask",
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_snake_case() {
        let names = Phase::ALL.map(Phase::name);
        for (i, n) in names.iter().enumerate() {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{n}");
            assert!(!names[..i].contains(n), "{n} twice");
        }
    }
}
