//! `[[contracts]]` as written: one flat table per contract whose `kind` decides which keys apply
//! (validation reports a key of another kind at its place).
//!
//! # Schema
//! ```toml
//! [[contracts]]                  # repeatable; any number of contracts of any kinds at once
//! name = "loan"                  # required; [A-Za-z0-9_-]+, unique among contracts
//! kind = "token_loan"            # required: token_loan, subscription, guarantee
//! mm = "jump"                    # the agent group (token_loan, subscription: required;
//!                                #   guarantee: optional, for reports)
//!
//! # kind = "token_loan": tokens lent to `mm`, which holds call options on them
//! lender = "project"             # default "project"; the project or an [[accounts]] name
//! tokens = 1000000               # required, > 0, whole lots; at most the lender's starting tokens
//! start = "0s"                   # default "0s"; before the run's end
//! tenor = "730d"                 # required, > 0 (may end after the run: reported marked to market)
//! volatility = "100%"            # default 100%: annual σ for Black–Scholes ("80%" or 0.8), in (0, 1000%]
//! rate = 0                       # default 0: annual risk-free rate, continuous ("5%" or 0.05)
//! strike_reference = "open"      # default "open"; "vwap_7d" or "avg_7d": an index over
//! reference_window = "7d"        #   reference_window (default "7d", shorter than the tenor)
//! settle = "tokens"              # default "tokens" (exercise physically, return the rest); "cash"
//! expiry_average = "1h"          # optional: spot at expiry = mean 1-minute close over ≤ 1d; default last trade
//! early_return = false           # default false; true: the borrower may end the loan before expiry
//!                                #   (lend_and_dump does once it holds what it owes); it settles when
//!                                #   every agent of the group has
//! [[contracts.options]]          # repeatable call options
//! strike = "+50%"                # required: premium over the reference ("+50%", "-10%"), or an
//!                                #   absolute price (0.075 or "0.075") on the tick grid
//! qty = 333333                   # tokens, whole lots; give it on every option or on none
//!                                #   (none: the loan is split evenly, remainder to the last)
//!
//! # kind = "subscription": `mm` (a group with trades_for) quotes that account for a fee
//! fee_account = "mm_firm"        # required: the project or an [[accounts]] name other than the payer
//! fee_per_period = 10000         # required, quote units ≥ 0, whole cash atoms
//! period = "30d"                 # default "30d"
//! start = "0s"                   # default "0s"
//! periods = 6                    # optional, ≥ 1: default until the run ends
//! on_miss = "withhold"           # default "withhold"; or "cut:50%" (cut in (0%, 100%])
//! terminate_after_misses = 2     # default 0 = never
//! [contracts.kpis]               # optional; a threshold left out is not checked
//! max_spread_bps = 100           # > 0: the MM's own spread, bps of its mid
//! min_depth_quote = 5000         # ≥ 0: quote value per side within depth_band of the book's mid
//! depth_band = "2%"              # default 2%, in (0, 100%)
//! min_uptime = "95%"             # in [0, 1]: share of qualifying snapshots (rule "uptime" only)
//! min_daily_volume_quote = 10000 # ≥ 0: the MM's traded value per day
//! snapshot_every = "10s"         # default "10s", ≤ period
//! rule = "uptime"                # default "uptime"; "exchange_75" (75% of snapshots a day, 75% of days)
//!
//! # kind = "guarantee": cash deposited with the exchange, released by a price band
//! depositor = "project"          # default "project"
//! deposit = 1500000              # required, > 0 quote units, at most the depositor's starting cash
//! start = "0s"                   # default "0s"
//! period = "180d"                # required, > 0
//! band_low = "-50%"              # at least one bound: absolute price, or relative to the spot at start
//! band_high = "+300%"
//! check_every = "1h"             # default "1h", ≤ period
//! release = "proportional"       # default; or "all_or_nothing"
//!
//! # kind = "proceeds_split": a share of what `mm` makes selling is paid to another account
//! beneficiary = "intermediary"   # required: the project or an [[accounts]] name
//! share = "50%"                  # required, in (0%, 100%]: the beneficiary's share of the proceeds
//! start = "0s"                   # default "0s": proceeds count from here
//! every = "1h"                   # default "1h": interval between settlements (and one at the end)
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::units::{Dec, Dur};

/// One `[[contracts]]` entry; which keys are allowed depends on `kind`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    /// Contract name.
    pub name: String,
    /// `token_loan`, `subscription` or `guarantee`.
    pub kind: String,
    /// The agent group.
    pub mm: Option<String>,
    /// Loan: the lending account.
    pub lender: Option<String>,
    /// Loan: tokens lent.
    pub tokens: Option<Dec>,
    /// All kinds: when it starts.
    pub start: Option<Dur>,
    /// Loan: length.
    pub tenor: Option<Dur>,
    /// Loan: annual volatility.
    pub volatility: Option<RawRatio>,
    /// Loan: annual rate.
    pub rate: Option<RawRatio>,
    /// Loan: `open`, `vwap_7d` or `avg_7d`.
    pub strike_reference: Option<String>,
    /// Loan: index window.
    pub reference_window: Option<Dur>,
    /// Loan: `tokens` or `cash`.
    pub settle: Option<String>,
    /// Loan: averaging window of the expiry spot.
    pub expiry_average: Option<Dur>,
    /// Loan: the borrower may end it before expiry.
    pub early_return: Option<bool>,
    /// Loan: the calls.
    pub options: Option<Vec<RawOption>>,
    /// Subscription: the fee's recipient.
    pub fee_account: Option<String>,
    /// Subscription: fee per period, quote units.
    pub fee_per_period: Option<Dec>,
    /// Subscription, guarantee: period length.
    pub period: Option<Dur>,
    /// Subscription: number of periods.
    pub periods: Option<i64>,
    /// Subscription: `withhold` or `cut:P%`.
    pub on_miss: Option<String>,
    /// Subscription: misses in a row that end it.
    pub terminate_after_misses: Option<i64>,
    /// Subscription: KPI thresholds.
    pub kpis: Option<RawKpis>,
    /// Guarantee: the depositing account.
    pub depositor: Option<String>,
    /// Guarantee: the deposit, quote units.
    pub deposit: Option<Dec>,
    /// Guarantee: lower bound of the band.
    pub band_low: Option<RawPrice>,
    /// Guarantee: upper bound of the band.
    pub band_high: Option<RawPrice>,
    /// Guarantee: interval between checks.
    pub check_every: Option<Dur>,
    /// Guarantee: `proportional` or `all_or_nothing`.
    pub release: Option<String>,
    /// Proceeds split: the account paid the share.
    pub beneficiary: Option<String>,
    /// Proceeds split: the beneficiary's share.
    pub share: Option<RawRatio>,
    /// Proceeds split: interval between settlements.
    pub every: Option<Dur>,
}

/// Keys of each kind (besides `name`, `kind`, `mm`), for "does not apply" messages.
pub const KIND_KEYS: [(&str, &[&str]); 4] = [
    (
        "token_loan",
        &[
            "lender",
            "tokens",
            "start",
            "tenor",
            "volatility",
            "rate",
            "strike_reference",
            "reference_window",
            "settle",
            "expiry_average",
            "early_return",
            "options",
        ],
    ),
    (
        "subscription",
        &["fee_account", "fee_per_period", "period", "start", "periods", "on_miss", "terminate_after_misses", "kpis"],
    ),
    ("guarantee", &["depositor", "deposit", "start", "period", "band_low", "band_high", "check_every", "release"]),
    ("proceeds_split", &["beneficiary", "share", "start", "every"]),
];

impl RawContract {
    /// The kind-specific keys present in this entry, in schema order.
    pub fn present_keys(&self) -> Vec<&'static str> {
        let present = [
            ("lender", self.lender.is_some()),
            ("tokens", self.tokens.is_some()),
            ("start", self.start.is_some()),
            ("tenor", self.tenor.is_some()),
            ("volatility", self.volatility.is_some()),
            ("rate", self.rate.is_some()),
            ("strike_reference", self.strike_reference.is_some()),
            ("reference_window", self.reference_window.is_some()),
            ("settle", self.settle.is_some()),
            ("expiry_average", self.expiry_average.is_some()),
            ("early_return", self.early_return.is_some()),
            ("options", self.options.is_some()),
            ("fee_account", self.fee_account.is_some()),
            ("fee_per_period", self.fee_per_period.is_some()),
            ("period", self.period.is_some()),
            ("periods", self.periods.is_some()),
            ("on_miss", self.on_miss.is_some()),
            ("terminate_after_misses", self.terminate_after_misses.is_some()),
            ("kpis", self.kpis.is_some()),
            ("depositor", self.depositor.is_some()),
            ("deposit", self.deposit.is_some()),
            ("band_low", self.band_low.is_some()),
            ("band_high", self.band_high.is_some()),
            ("check_every", self.check_every.is_some()),
            ("release", self.release.is_some()),
            ("beneficiary", self.beneficiary.is_some()),
            ("share", self.share.is_some()),
            ("every", self.every.is_some()),
        ];
        present.iter().filter(|(_, p)| *p).map(|(k, _)| *k).collect()
    }
}

/// One `[[contracts.options]]` call.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    /// Tokens covered.
    pub qty: Option<Dec>,
    /// Strike: absolute or a premium.
    pub strike: RawPrice,
}

/// `[contracts.kpis]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKpis {
    /// Largest spread, bps.
    pub max_spread_bps: Option<Dec>,
    /// Smallest depth per side, quote units.
    pub min_depth_quote: Option<Dec>,
    /// Band for depth.
    pub depth_band: Option<RawRatio>,
    /// Smallest uptime.
    pub min_uptime: Option<RawRatio>,
    /// Smallest daily traded value, quote units.
    pub min_daily_volume_quote: Option<Dec>,
    /// Snapshot interval.
    pub snapshot_every: Option<Dur>,
    /// `uptime` or `exchange_75`.
    pub rule: Option<String>,
}

/// A price written absolutely (`0.075`, `"0.075"`) or relative to a reference (`"+50%"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawPrice {
    /// Quote units.
    Absolute(Decimal),
    /// Premium as a fraction (`"+50%"` → 0.5).
    Relative(Decimal),
}

/// A ratio written as a fraction (`0.8`) or a percentage (`"80%"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawRatio(pub Decimal);

/// Parses `"+50%"`, `"-10%"`, `"50%"` into a fraction.
fn percent(s: &str) -> Option<Decimal> {
    let body = s.trim().strip_suffix('%')?.trim();
    let body = body.strip_prefix('+').unwrap_or(body);
    Decimal::from_str(body).ok().map(|d| d / Decimal::ONE_HUNDRED)
}

impl FromStr for RawPrice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().ends_with('%') {
            return percent(s)
                .map(RawPrice::Relative)
                .ok_or_else(|| format!("invalid premium {s:?}: write e.g. \"+50%\""));
        }
        Decimal::from_str(s.trim())
            .map(RawPrice::Absolute)
            .map_err(|_| format!("invalid price {s:?}: write a price like 0.075 or a premium like \"+50%\""))
    }
}

impl FromStr for RawRatio {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        percent(s)
            .or_else(|| Decimal::from_str(s.trim()).ok())
            .map(RawRatio)
            .ok_or_else(|| format!("invalid ratio {s:?}: write a fraction like 0.8 or a percentage like \"80%\""))
    }
}

/// A visitor for values written as a number or a string parsed by `FromStr`.
struct NumOrText<T>(std::marker::PhantomData<T>, &'static str);

impl<T: FromStr<Err = String>> Visitor<'_> for NumOrText<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.1)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if !v.is_finite() {
            return Err(E::custom("the number must be finite"));
        }
        self.visit_str(&format!("{v}"))
    }
}

impl<'de> Deserialize<'de> for RawPrice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumOrText(std::marker::PhantomData, "a price such as 0.075, or a premium such as \"+50%\""))
    }
}

impl<'de> Deserialize<'de> for RawRatio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumOrText(
            std::marker::PhantomData,
            "a fraction such as 0.8, or a percentage such as \"80%\"",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn prices_and_ratios_in_both_forms() {
        assert_eq!("+50%".parse::<RawPrice>().unwrap(), RawPrice::Relative(dec!(0.5)));
        assert_eq!("-12.5%".parse::<RawPrice>().unwrap(), RawPrice::Relative(dec!(-0.125)));
        assert_eq!("0.075".parse::<RawPrice>().unwrap(), RawPrice::Absolute(dec!(0.075)));
        assert!("cheap".parse::<RawPrice>().is_err());
        assert_eq!("80%".parse::<RawRatio>().unwrap(), RawRatio(dec!(0.8)));
        assert_eq!("0.8".parse::<RawRatio>().unwrap(), RawRatio(dec!(0.8)));
        let o: RawOption = toml::from_str("strike = 0.075\nqty = 10").unwrap();
        assert_eq!(o.strike, RawPrice::Absolute(dec!(0.075)));
        let k: RawKpis = toml::from_str("min_uptime = 0.95\ndepth_band = \"2%\"").unwrap();
        assert_eq!(k.min_uptime, Some(RawRatio(dec!(0.95))));
        assert_eq!(k.depth_band, Some(RawRatio(dec!(0.02))));
        assert!(toml::from_str::<RawKpis>("max_spread = 3").unwrap_err().to_string().contains("max_spread_bps"));
    }
}
