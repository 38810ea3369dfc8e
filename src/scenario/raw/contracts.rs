//! `[[contracts]]` as written: one table per contract whose `kind` decides which keys apply.
//!
//! `name`, `kind` and `mm` are read with the file. The rest of the table is kept as written and read
//! into the kind's own struct ([`RawTerms`]: [`RawLoan`], [`RawSubscription`], [`RawGuarantee`],
//! [`RawSplit`], each denying unknown keys) during validation, so a key that is not the kind's, or a
//! value of the wrong form, is reported at its line and column (or at the `--set` that wrote it)
//! together with every other problem, naming the kind's keys.
//!
//! # Schema
//! ```toml
//! [[contracts]]                  # repeatable; any number of contracts of any kinds at once
//! name = "loan"                  # required; [A-Za-z0-9_-]+, unique among contracts
//! kind = "token_loan"            # required: token_loan, subscription, guarantee, proceeds_split
//! mm = "jump"                    # the agent group (token_loan, subscription, proceeds_split:
//!                                #   required; guarantee: optional, for reports)
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
//! # protections (all optional; none by default): what a breach costs the MM
//! collateral_cash = 500000       # quote units ≥ 0 the MM posts at signing from its own cash
//! collateral_tokens = 0          # tokens ≥ 0 of its own (not lent) it posts at signing
//! collateral_holder = "escrow"   # default the lender; or an [[accounts]] escrow (a forfeit moves it
//!                                #   to the lender); an MM that cannot post leaves the loan failed
//! penalty_per_breach = 50000     # quote units ≥ 0 paid to the lender per detected breach (what its
//!                                #   cash cannot pay comes out of the collateral's cash)
//! sell_cap_daily = "10%"         # largest net sale of lent tokens per day (days from signing), share
//!                                #   of the loan in [0, 100%]; a breach is monitored, never blocked
//! sell_cap_total = "30%"         # largest net sale of lent tokens since signing, share of the loan
//! lockup = "7d"                  # no net sale of lent tokens before start + lockup (≤ the tenor)
//! forfeit_sell_cap = "50%"       # share of the posted collateral forfeited per detected sell-cap
//! forfeit_lockup = "100%"        #   / lock-up breach / default, in [0, 100%] (need collateral;
//! forfeit_default = "100%"       #   default_forfeit defaults to 100% with collateral, others to 0)
//! recall_below = "50%"           # the lender recalls the loan once the spot < this share of the spot
//!                                #   at signing, in (0, 100%) ...
//! recall_grace = "1d"            # ... and it settles this long after (default 1d); missing tokens
//!                                #   are then a default
//! detection = "100%"             # chance in [0, 100%] that a sell-cap or lock-up breach is detected
//!                                #   (drawn from the run's seed); a default is always detected
//! monitor_every = "1m"           # default "1m": how often net sales and the recall price are read
//! [[contracts.options]]          # repeatable call options
//! strike = "+50%"                # required: premium over the reference ("+50%", "-10%"), or an
//!                                #   absolute price (0.075 or "0.075") on the tick grid
//! qty = 333333                   # tokens, whole lots; give it on every option or on none
//!                                #   (none: the loan is split evenly, remainder to the last)
//!
//! # kind = "subscription": `mm` quotes for a fee. With trades_for it quotes that account, which
//! # pays the fee and bears the trading; without, it quotes from its own accounts (e.g. the tokens
//! # of a loan it also holds: one group may hold a loan and a retainer) and `payer` pays the fee
//! payer = "project"              # own-account groups only: default the project, or an [[accounts]] name
//! fee_account = "mm_firm"        # the project or an [[accounts]] name other than the payer; required
//!                                #   with trades_for, else default the MM group's own (first) account
//! penalty_per_miss = 0           # quote units ≥ 0 the MM pays the payer per missed period (from the
//!                                #   fee account with trades_for, else from its own accounts)
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
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::contracts::spec::{ContractKind, KpiRule, OnMiss, ReleaseRule, Settlement, StrikeReference};
use crate::scenario::source::{starts_with, Seg};
use crate::units::{Dec, Dur};

mod path_de;

pub(crate) use path_de::PathError;

/// One `[[contracts]]` entry: the keys every kind has, and the kind's own keys as written.
#[derive(Clone, Debug)]
pub struct RawContract {
    /// Contract name.
    pub name: String,
    /// Which kind of contract it is.
    pub kind: ContractKind,
    /// The agent group (required by every kind but a guarantee, where it is for reports).
    pub mm: Option<String>,
    /// The other keys, as written; [`RawContract::terms`] reads them.
    pub keys: toml::Table,
}

/// The keys every kind has, in schema order.
const COMMON_KEYS: [&str; 3] = ["name", "kind", "mm"];

impl<'de> Deserialize<'de> for RawContract {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> Visitor<'de> for Entry {
            type Value = RawContract;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a [[contracts]] table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawContract, A::Error> {
                let (mut name, mut kind, mut mm, mut keys) = (None, None, None, toml::Table::new());
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = Some(map.next_value()?),
                        "kind" => kind = Some(map.next_value()?),
                        "mm" => mm = Some(map.next_value()?),
                        _ => {
                            let value = map.next_value()?;
                            keys.insert(key, value);
                        }
                    }
                }
                Ok(RawContract {
                    name: name.ok_or_else(|| de::Error::missing_field("name"))?,
                    kind: kind.ok_or_else(|| de::Error::missing_field("kind"))?,
                    mm,
                    keys,
                })
            }
        }
        d.deserialize_map(Entry)
    }
}

/// The kind's own keys, read.
#[derive(Clone, Debug, PartialEq)]
pub enum RawTerms {
    /// `kind = "token_loan"`.
    TokenLoan(RawLoan),
    /// `kind = "subscription"`.
    Subscription(RawSubscription),
    /// `kind = "guarantee"`.
    Guarantee(RawGuarantee),
    /// `kind = "proceeds_split"`.
    ProceedsSplit(RawSplit),
}

impl RawTerms {
    /// When the contract starts (every kind has `start`).
    pub fn start(&self) -> Option<Dur> {
        match self {
            RawTerms::TokenLoan(t) => t.start,
            RawTerms::Subscription(t) => t.start,
            RawTerms::Guarantee(t) => t.start,
            RawTerms::ProceedsSplit(t) => t.start,
        }
    }
}

/// The keys of `kind` besides `name`, `kind` and `mm`, in schema order.
pub fn kind_keys(kind: ContractKind) -> &'static [&'static str] {
    match kind {
        ContractKind::TokenLoan => path_de::fields_of::<RawLoan>(),
        ContractKind::Subscription => path_de::fields_of::<RawSubscription>(),
        ContractKind::Guarantee => path_de::fields_of::<RawGuarantee>(),
        ContractKind::ProceedsSplit => path_de::fields_of::<RawSplit>(),
    }
}

impl RawContract {
    /// Reads the kind's keys. A key that is not the kind's, or whose value cannot be read, is a
    /// problem and is left out, so the rest is still read and checked; the terms are `None` only
    /// when leaving a value out breaks its table (a required key of an option). Problem paths are
    /// relative to this entry.
    pub(crate) fn terms(&self) -> (Option<RawTerms>, Vec<PathError>) {
        let mut keys = toml::Value::Table(self.keys.clone());
        let mut problems: Vec<PathError> = Vec::new();
        loop {
            let read = match self.kind {
                ContractKind::TokenLoan => path_de::from_value(keys.clone()).map(RawTerms::TokenLoan),
                ContractKind::Subscription => path_de::from_value(keys.clone()).map(RawTerms::Subscription),
                ContractKind::Guarantee => path_de::from_value(keys.clone()).map(RawTerms::Guarantee),
                ContractKind::ProceedsSplit => path_de::from_value(keys.clone()).map(RawTerms::ProceedsSplit),
            };
            let mut e = match read {
                Ok(terms) => return (Some(terms), problems),
                Err(e) => e,
            };
            let follows = problems.iter().any(|p| starts_with(&p.path, &e.path));
            if follows || !remove(&mut keys, &e.path) {
                if !follows {
                    problems.push(e);
                }
                return (None, problems);
            }
            if let (true, [Seg::Key(key)]) = (e.at_key, e.path.as_slice()) {
                e.message = self.stray_key(key);
            }
            problems.push(e);
        }
    }

    /// Why `key` is not one of this kind's: it belongs to other kinds, or to none.
    fn stray_key(&self, key: &str) -> String {
        let owners: Vec<&str> =
            ContractKind::ALL.into_iter().filter(|k| kind_keys(*k).contains(&key)).map(ContractKind::name).collect();
        let valid: Vec<String> = COMMON_KEYS.iter().chain(kind_keys(self.kind)).map(|k| format!("`{k}`")).collect();
        let valid = valid.join(", ");
        if owners.is_empty() {
            format!("unknown field `{key}` for kind `{}`, expected one of {valid}", self.kind)
        } else {
            format!(
                "`{key}` does not apply to kind `{}` (it belongs to {}); the keys of `{}` are {valid}",
                self.kind,
                owners.join(", "),
                self.kind
            )
        }
    }
}

/// Removes the key at `path` from `value`; false when there is none (or `path` ends at an element).
fn remove(value: &mut toml::Value, path: &[Seg]) -> bool {
    match (path, value) {
        ([Seg::Key(k)], toml::Value::Table(t)) => t.remove(k).is_some(),
        ([Seg::Key(k), rest @ ..], toml::Value::Table(t)) => t.get_mut(k).is_some_and(|v| remove(v, rest)),
        ([Seg::Elem { index, .. }, rest @ ..], toml::Value::Array(a)) if !rest.is_empty() => {
            a.get_mut(*index).is_some_and(|v| remove(v, rest))
        }
        _ => false,
    }
}

/// `kind = "token_loan"`: tokens lent to `mm`, with call options on them.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoan {
    /// The lending account.
    pub lender: Option<String>,
    /// Tokens lent.
    pub tokens: Option<Dec>,
    /// When it starts.
    pub start: Option<Dur>,
    /// Length.
    pub tenor: Option<Dur>,
    /// Annual volatility.
    pub volatility: Option<RawRatio>,
    /// Annual rate.
    pub rate: Option<RawRatio>,
    /// The index premium strikes are measured from.
    pub strike_reference: Option<StrikeReference>,
    /// Index window.
    pub reference_window: Option<Dur>,
    /// Settlement rule.
    pub settle: Option<Settlement>,
    /// Averaging window of the expiry spot.
    pub expiry_average: Option<Dur>,
    /// The borrower may end it before expiry.
    pub early_return: Option<bool>,
    /// Collateral cash the borrower posts, quote units.
    pub collateral_cash: Option<Dec>,
    /// Collateral tokens the borrower posts.
    pub collateral_tokens: Option<Dec>,
    /// Who holds the collateral: the lender or an escrow account.
    pub collateral_holder: Option<String>,
    /// Penalty per detected breach, quote units.
    pub penalty_per_breach: Option<Dec>,
    /// Forfeited share of the collateral on a sell-cap breach.
    pub forfeit_sell_cap: Option<RawRatio>,
    /// Forfeited share on a lock-up breach.
    pub forfeit_lockup: Option<RawRatio>,
    /// Forfeited share on a default.
    pub forfeit_default: Option<RawRatio>,
    /// Largest net sale of lent tokens per day, share of the loan.
    pub sell_cap_daily: Option<RawRatio>,
    /// Largest net sale of lent tokens since signing, share of the loan.
    pub sell_cap_total: Option<RawRatio>,
    /// No net sale before signing + this.
    pub lockup: Option<Dur>,
    /// Recall once the spot is below this share of the spot at signing.
    pub recall_below: Option<RawRatio>,
    /// Time to return after a recall.
    pub recall_grace: Option<Dur>,
    /// Probability a breach of a partly observed clause is detected.
    pub detection: Option<RawRatio>,
    /// Interval of the monitoring readings.
    pub monitor_every: Option<Dur>,
    /// The calls.
    pub options: Option<Vec<RawOption>>,
}

/// `kind = "subscription"`: `mm` quotes an account for a fee per period.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubscription {
    /// The fee's payer (groups with their own accounts only).
    pub payer: Option<String>,
    /// The fee's recipient.
    pub fee_account: Option<String>,
    /// Fee per period, quote units.
    pub fee_per_period: Option<Dec>,
    /// Period length.
    pub period: Option<Dur>,
    /// When the first period starts.
    pub start: Option<Dur>,
    /// Number of periods.
    pub periods: Option<i64>,
    /// What a missed period does to the fee.
    pub on_miss: Option<OnMiss>,
    /// Misses in a row that end it.
    pub terminate_after_misses: Option<i64>,
    /// Penalty the MM pays per missed period, quote units.
    pub penalty_per_miss: Option<Dec>,
    /// KPI thresholds.
    pub kpis: Option<RawKpis>,
}

/// `kind = "guarantee"`: cash deposited with the exchange, released by a price band.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuarantee {
    /// The depositing account.
    pub depositor: Option<String>,
    /// The deposit, quote units.
    pub deposit: Option<Dec>,
    /// When it is deposited.
    pub start: Option<Dur>,
    /// How long it is held.
    pub period: Option<Dur>,
    /// Lower bound of the band.
    pub band_low: Option<RawPrice>,
    /// Upper bound of the band.
    pub band_high: Option<RawPrice>,
    /// Interval between checks.
    pub check_every: Option<Dur>,
    /// What is released at the end.
    pub release: Option<ReleaseRule>,
}

/// `kind = "proceeds_split"`: a share of what `mm` makes selling goes to another account.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplit {
    /// The account paid the share.
    pub beneficiary: Option<String>,
    /// The beneficiary's share.
    pub share: Option<RawRatio>,
    /// When proceeds start counting.
    pub start: Option<Dur>,
    /// Interval between settlements.
    pub every: Option<Dur>,
}

/// One `[[contracts.options]]` call.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    /// Tokens covered.
    pub qty: Option<Dec>,
    /// Strike: absolute or a premium.
    pub strike: RawPrice,
}

/// `[contracts.kpis]`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
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
    /// How uptime is judged.
    pub rule: Option<KpiRule>,
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

    fn entry(src: &str) -> RawContract {
        toml::from_str(src).unwrap()
    }

    #[test]
    fn each_kind_reads_its_own_keys() {
        let c = entry("name = \"l\"\nkind = \"token_loan\"\nmm = \"mm\"\ntokens = 10\nsettle = \"cash\"\n");
        assert_eq!((c.name.as_str(), c.kind, c.mm.as_deref()), ("l", ContractKind::TokenLoan, Some("mm")));
        let (terms, problems) = c.terms();
        let Some(RawTerms::TokenLoan(t)) = terms else { panic!("a loan: {problems:?}") };
        assert_eq!((t.tokens, t.settle, t.strike_reference), (Some(Dec(Decimal::TEN)), Some(Settlement::Cash), None));
        assert!(problems.is_empty());
        let c = entry("name = \"s\"\nkind = \"subscription\"\non_miss = \"cut:25%\"\n[kpis]\nrule = \"exchange_75\"\n");
        let (Some(RawTerms::Subscription(t)), _) = c.terms() else { panic!("a subscription") };
        assert_eq!(t.on_miss, Some(OnMiss::Cut(Decimal::new(25, 2))));
        assert_eq!(t.kpis.and_then(|k| k.rule), Some(KpiRule::Exchange75));
    }

    #[test]
    fn stray_keys_and_unreadable_values_are_left_out_and_reported() {
        let c =
            entry("name = \"g\"\nkind = \"guarantee\"\ndeposit = 5\ntenor = \"1d\"\nrelease = \"some\"\nbogus = 1\n");
        let (terms, problems) = c.terms();
        let Some(RawTerms::Guarantee(t)) = terms else { panic!("read without them: {problems:?}") };
        assert_eq!((t.deposit, t.release), (Some(Dec(Decimal::new(5, 0))), None));
        let mut found: Vec<(String, bool, String)> = problems
            .iter()
            .map(|p| (crate::scenario::source::display_path(&p.path), p.at_key, p.message.clone()))
            .collect();
        found.sort(); // the loader sorts problems by position; here, by key
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("bogus", true));
        assert!(found[0].2.starts_with("unknown field `bogus` for kind `guarantee`, expected one of `name`, `kind`"));
        assert_eq!((found[1].0.as_str(), found[1].1), ("release", false));
        assert_eq!(found[1].2, "unknown value \"some\"; use \"proportional\" or \"all_or_nothing\"");
        assert_eq!((found[2].0.as_str(), found[2].1), ("tenor", true));
        assert!(found[2].2.starts_with("`tenor` does not apply to kind `guarantee` (it belongs to token_loan)"));
        // A required key of an option left out breaks the option: the terms cannot be read.
        let c = entry("name = \"l\"\nkind = \"token_loan\"\n[[options]]\nstrike = \"cheap\"\n");
        let (terms, problems) = c.terms();
        assert!(terms.is_none());
        assert_eq!(problems.len(), 1, "only the strike itself: {problems:?}");
    }

    #[test]
    fn every_kind_lists_its_keys() {
        assert_eq!(kind_keys(ContractKind::ProceedsSplit), ["beneficiary", "share", "start", "every"]);
        assert!(kind_keys(ContractKind::TokenLoan).contains(&"options"));
        for kind in ContractKind::ALL {
            assert!(kind_keys(kind).contains(&"start"), "{kind}");
        }
    }
}
