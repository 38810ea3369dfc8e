//! Tests of scenario loading: the example loads, and every kind of bad input gets a message naming
//! the file, the line and column (or the `--set` behind it) and the key path.

use std::path::Path;

use rust_decimal::dec;

use super::source::{Seg, SourceMap};
use super::validate::Ctx;
use super::*;
use crate::agents::behaviour::ParamIssue;
use crate::agents::idle::IdleConfig;
use crate::agents::AgentKind;
use crate::types::{Price, SimTime};

const FILE: &str = "scenarios/t.toml";
const MINIMAL: &str = include_str!("../../scenarios/example_minimal.toml");

/// The market maker's parameter table in `MINIMAL`, whole.
const MM_TABLE: &str = "[agents.passive_mm]     # parameters of the kind (defaults when left out)\n\
                        level_size = 1000       # tokens per quote level\n\
                        max_inventory = 50000   # at most 50,000 tokens long or short of where it started\n";

/// `MINIMAL` with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from:?} is not in the example");
    MINIMAL.replacen(from, to, 1)
}

fn sets(args: &[&str]) -> Vec<Override> {
    args.iter().map(|a| a.parse().unwrap()).collect()
}

/// The error message for `src` with `overrides`.
fn error(src: &str, overrides: &[&str]) -> String {
    match load_str(src, FILE, &sets(overrides)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// `line:col` of the first occurrence of `needle` in `src`.
fn pos(src: &str, needle: &str) -> String {
    let offset = src.find(needle).unwrap_or_else(|| panic!("{needle:?} not found"));
    let p = SourceMap::new(src).position(offset);
    format!("{}:{}", p.line, p.column)
}

/// Asserts `msg` has a line starting `{FILE}:{line:col}: {key}: ` that contains every `parts`.
fn assert_problem(msg: &str, at: &str, key: &str, parts: &[&str]) {
    let prefix = format!("{FILE}:{at}: {key}: ");
    let line = msg.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {prefix:?} in:\n{msg}"));
    for part in parts {
        assert!(line.contains(part), "{part:?} missing from {line:?}\nin:\n{msg}");
    }
}

#[test]
fn the_example_loads() {
    let s = load(Path::new("scenarios/example_minimal.toml"), &[]).unwrap();
    assert_eq!(s.name, "example_minimal");
    assert_eq!(s.seed, 42);
    assert_eq!(s.market.tick, dec!(0.0001));
    assert_eq!(s.market.open_price, Price(500));
    assert_eq!(s.market.duration, SimTime(3_600_000_000_000));
    assert_eq!(s.fees, FeeSchedule { maker_cbps: 0, taker_cbps: 1000 });
    assert_eq!(s.sample_every, Dur(60_000_000_000));
    let project = s.project.unwrap();
    assert_eq!((project.name.as_str(), project.cash, project.tokens), ("project", Cash(1_000_000_000), Qty(2_000_000)));
    let [mm, retail] = &s.groups[..] else { panic!("two groups expected") };
    assert_eq!((mm.name.as_str(), mm.count, mm.behaviour.kind()), ("mm", 1, AgentKind::PassiveMm));
    assert_eq!(mm.trades_for.as_deref(), Some("project"));
    assert_eq!(mm.latency, Latency::new(10_000_000, 0));
    assert_eq!(mm.cash, Amount::Fixed(dec!(0)));
    assert_eq!((retail.count, retail.behaviour.kind()), (100, AgentKind::Retail));
    assert_eq!(retail.cash, Amount::LogNormal { median: 500.0, sigma: 1.0 });
    assert_eq!(retail.latency, Latency::new(50_000_000, 5_000_000));
}

#[test]
fn a_missing_file_is_named() {
    let err = load(Path::new("scenarios/no_such_file.toml"), &[]).unwrap_err().to_string();
    assert!(err.contains("scenarios/no_such_file.toml"), "{err}");
}

#[test]
fn a_misspelt_key_lists_the_valid_keys() {
    let src = edit("tick = ", "tikc = ");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "tikc"), "market.tikc", &["unknown key `tikc`", "`tick`", "`open_price`"]);
    assert!(msg.contains("^^^^"), "caret under the key:\n{msg}");
    assert!(msg.ends_with("1 problem in scenarios/t.toml"), "{msg}");

    let src = edit("sigma = 1.0", "sigmaa = 1.0");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "sigmaa"), "agents.retail.cash.sigmaa", &["unknown key `sigmaa`", "`sigma`"]);

    let src = edit("[agents.passive_mm]", "[agents.passive_mm]\nno_such_param = 3");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "no_such_param"), "agents.mm.passive_mm.no_such_param", &["unknown key"]);
}

#[test]
fn an_unknown_kind_lists_the_kinds() {
    let src = edit("kind = \"retail\"", "kind = \"retial\"");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "\"retial\""), "agents.retail.kind", &["unknown kind \"retial\""]);
    for kind in AgentKind::ALL {
        assert!(msg.contains(kind.name()), "{kind} missing from {msg}");
    }
}

#[test]
fn a_negative_count_is_refused() {
    let src = edit("count = 100", "count = -5");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "-5"), "agents.retail.count", &["must be an integer ≥ 1, got -5"]);
}

#[test]
fn a_zero_tick_is_refused() {
    let src = edit("tick = \"0.0001\"", "tick = 0");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "0    "), "market.tick", &["must be > 0"]);
}

#[test]
fn a_price_off_the_tick_grid_is_refused() {
    let src = edit("open_price = 0.05", "open_price = 0.05005");
    let msg = error(&src, &[]);
    let expected = ["0.05005 is not on the tick grid (tick 0.0001)", "0.05 or 0.0501"];
    assert_problem(&msg, &pos(&src, "0.05005"), "market.open_price", &expected);
}

#[test]
fn amounts_and_fees_must_fit_their_grids() {
    let src = edit("cash = 100000", "cash = 100000.00005")
        .replacen("taker_fee_bps = 10", "taker_fee_bps = 2.505", 1)
        .replacen("median = 500", "median = -1", 1);
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "100000.00005"), "project.cash", &["not a whole number of cash atoms", "0.0001"]);
    assert_problem(&msg, &pos(&src, "2.505"), "market.taker_fee_bps", &["more than 2 decimals"]);
    assert_problem(&msg, &pos(&src, "-1"), "agents.retail.cash.median", &["must be > 0, got -1"]);

    let src = edit("maker_fee_bps = 0", "maker_fee_bps = -20");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "-20"), "market.maker_fee_bps", &["rebate of 20 bps", "taker fee of 10 bps"]);
}

#[test]
fn a_probability_out_of_range_is_placed_at_its_parameter() {
    let src = format!("{MINIMAL}[agents.retail]\nmarket_order_share = 1.5\n");
    let msg = error(&src, &[]);
    let key = "agents.retail.retail.market_order_share";
    assert_problem(&msg, &pos(&src, "1.5"), key, &["1.5 is outside [0, 1]"]);
}

#[test]
fn param_issues_are_placed_under_the_kind_table() {
    // The agent configurations have no parameters yet, so feed the mapping an issue directly.
    let map = SourceMap::new(MINIMAL);
    let mut ctx = Ctx::new(FILE, &map, &[]);
    let group = [Seg::key("agents"), Seg::Elem { index: 0, name: Some("mm".into()) }];
    let issue = ParamIssue::new("fill_prob", "1.5 is outside [0, 1]");
    super::groups::report_params(&mut ctx, &group, AgentKind::PassiveMm, vec![issue]);
    let msg = ctx.problems[0].to_string();
    let at = pos(MINIMAL, "passive_mm]");
    assert_eq!(msg, format!("{FILE}:{at}: agents.mm.passive_mm.fill_prob: 1.5 is outside [0, 1]"));
}

#[test]
fn a_parameter_table_must_match_the_kind() {
    let src = edit(MM_TABLE, "[agents.retail]\n");
    let msg = error(&src, &[]);
    assert_problem(
        &msg,
        &pos(&src, "retail]"),
        "agents.mm.retail",
        &["table `retail` does not match kind `passive_mm`"],
    );
}

#[test]
fn duplicate_names_are_refused() {
    let src = edit("name = \"retail\"", "name = \"mm\"");
    let msg = error(&src, &[]);
    let at = pos(&src, "\"mm\"\nkind = \"retail\"");
    assert_problem(&msg, &at, "agents.mm.name", &["\"mm\" is already the name of agents.mm (line 21)", "unique"]);

    let src = edit("name = \"mm\"", "name = \"project\"");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "\"project\""), "agents.project.name", &["already the name of project"]);
}

#[test]
fn a_bad_duration_says_how_to_write_one() {
    let src = edit("duration = \"1h\"", "duration = \"1 fortnight\"");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "\"1 fortnight\""), "market.duration", &["invalid duration", "\"30d\""]);

    let src = edit("sample_every = \"1m\"", "sample_every = \"2h\"");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "\"2h\""), "market.sample_every", &["must be ≤ duration (1h), got 2h"]);
}

#[test]
fn trades_for_must_name_an_account() {
    let src = edit("trades_for = \"project\"", "trades_for = \"treasury\"");
    let msg = error(&src, &[]);
    let at = pos(&src, "\"treasury\"");
    assert_problem(&msg, &at, "agents.mm.trades_for", &["no account named \"treasury\"", "the accounts are: project"]);

    let src = edit("trades_for = \"project\"", "trades_for = \"project\"\ntokens = 5");
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "5  #"), "agents.mm.tokens", &["must be 0", "trades_for \"project\""]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let src = edit("tick = \"0.0001\"", "tick = \"-1\"").replacen("count = 100", "count = 0", 1).replacen(
        "trades_for = \"project\"",
        "trades_for = \"nobody\"",
        1,
    );
    let msg = error(&src, &[]);
    assert_problem(&msg, &pos(&src, "\"-1\""), "market.tick", &["must be > 0, got -1"]);
    assert_problem(&msg, &pos(&src, "0\ncash"), "agents.retail.count", &["got 0"]);
    assert_problem(&msg, &pos(&src, "\"nobody\""), "agents.mm.trades_for", &["no account named"]);
    assert_eq!(msg.lines().count(), 4, "{msg}");
    assert!(msg.ends_with("3 problems in scenarios/t.toml"), "{msg}");
}

#[test]
fn a_syntax_error_has_a_place() {
    let src = edit("seed = 42", "seed = ");
    let msg = error(&src, &[]);
    assert_eq!(pos(&src, "seed = "), "7:1");
    assert_problem(&msg, "7:8", "market.seed", &["must be quoted"]);
    assert!(msg.contains("7 | seed = \n  |        ^"), "caret after `seed = `:\n{msg}");
}

#[test]
fn overrides_change_values() {
    let ovs = sets(&["agents.retail.count=7", "market.seed=9", "market.duration=2h", "agents.1.latency=1s"]);
    let s = load_str(MINIMAL, FILE, &ovs).unwrap();
    assert_eq!((s.groups[1].count, s.seed), (7, 9));
    assert_eq!(s.market.duration, SimTime(7_200_000_000_000));
    assert_eq!(s.groups[1].latency.fixed_ns, 1_000_000_000);
    let s = load_str(MINIMAL, FILE, &sets(&["accounts.0.name=x"])).unwrap_err().to_string();
    assert!(s.contains("the file has no [[accounts]] entries"), "{s}");
    let s = load_str(MINIMAL, FILE, &sets(&["project.tokens=5", "market.description=a b"])).unwrap();
    assert_eq!((s.project.unwrap().tokens, s.description.as_str()), (Qty(5), "a b"));
}

#[test]
fn an_override_sets_a_kind_parameter() {
    let s = load_str(MINIMAL, FILE, &sets(&["agents.retail.retail.market_order_share=0.25"])).unwrap();
    let config = format!("{:?}", s.groups[1].behaviour);
    assert!(config.contains("market_order_share: 0.25"), "{config}");
    let msg = error(MINIMAL, &["agents.retail.retail.market_order_share=1.5"]);
    let expected = "agents.retail.retail.market_order_share: 1.5 is outside [0, 1] (set by --set agents.retail.retail.market_order_share=1.5)";
    assert!(msg.contains(&format!("{FILE}: {expected}")), "{msg}");
}

#[test]
fn an_override_reaches_the_kind_table() {
    // An unknown parameter is a deserialization error: it names the override.
    let msg = error(MINIMAL, &["agents.retail.retail.no_such_param=30"]);
    assert!(msg.contains("agents.retail.retail.no_such_param: unknown key `no_such_param`"), "{msg}");
    assert!(msg.contains("(set by --set agents.retail.retail.no_such_param=30)"), "{msg}");
}

#[test]
fn an_override_of_an_unknown_group_lists_the_groups() {
    let msg = error(MINIMAL, &["agents.retial.count=5"]);
    assert!(msg.contains(&format!("{FILE}: agents.retial.count: no group named `retial`")), "{msg}");
    assert!(msg.contains("the names are: mm, retail"), "{msg}");
}

#[test]
fn an_override_type_error_names_the_key() {
    let msg = error(MINIMAL, &["agents.retail.count=many", "market.seed=1"]);
    assert!(
        msg.contains(&format!("{FILE}: agents.retail.count: must be a whole number, got the text \"many\"")),
        "{msg}"
    );
    assert!(msg.contains("(set by --set agents.retail.count=many)"), "{msg}");
    assert!(msg.ends_with("1 problem in scenarios/t.toml"), "{msg}");
}

#[test]
fn an_override_that_breaks_a_rule_is_named_instead_of_a_line() {
    let src = edit("count = 100", "count = 0");
    let msg = error(&src, &["agents.retail.count=-5", "market.open_price=0.05005"]);
    assert!(
        msg.contains(&format!(
            "{FILE}: agents.retail.count: must be an integer ≥ 1, got -5 (set by --set agents.retail.count=-5)"
        )),
        "{msg}"
    );
    assert!(msg.contains("market.open_price: 0.05005 is not on the tick grid"), "{msg}");
    assert!(msg.contains("(set by --set market.open_price=0.05005)"), "{msg}");
}

#[test]
fn an_override_needs_an_equals_sign() {
    let err = "agents.retail.count".parse::<Override>().unwrap_err().to_string();
    assert!(err.contains("agents.retail.count") && err.contains("KEY=VALUE"), "{err}");
    assert!("=5".parse::<Override>().is_err());
    assert_eq!("a.b = c=d".parse::<Override>().unwrap(), Override { key: "a.b".into(), value: "c=d".into() });
}

#[test]
fn alternatives_carry_their_own_checked_tables() {
    let src = edit(
        MM_TABLE,
        "alternatives = [\"wash\", \"spoofer\"]\n[agents.passive_mm]\n[agents.wash]\ntarget_wash_share = 0.5\n",
    );
    let s = load_str(&src, FILE, &[]).unwrap();
    let mm = &s.groups[0];
    assert_eq!(mm.behaviour.kind(), AgentKind::PassiveMm);
    let kinds: Vec<_> = mm.alternatives.iter().map(Behaviour::kind).collect();
    assert_eq!(kinds, [AgentKind::Wash, AgentKind::Spoofer], "a listed kind without a table takes its defaults");
    let Behaviour::Wash(w) = &mm.alternatives[0] else { panic!("wash first") };
    assert_eq!(w.target_wash_share, 0.5);
    // A crowd may have `idle` as its alternative (not another individual kind).
    let crowd = src.replacen("kind = \"retail\"", "kind = \"retail\"\nalternatives = [\"idle\"]", 1);
    assert_eq!(load_str(&crowd, FILE, &[]).unwrap().groups[1].alternatives, [Behaviour::Idle(IdleConfig {})]);
    let bad = crowd.replacen("alternatives = [\"idle\"]", "alternatives = [\"wash\"]", 1);
    assert!(error(&bad, &[]).contains("a crowd (retail) can only be replaced by a crowd"));
    // --set reaches an alternative's table, and its values are checked like the kind's.
    let msg = error(&src, &["agents.mm.wash.target_wash_share=1.5"]);
    assert!(msg.contains("agents.mm.wash.target_wash_share"), "{msg}");
}

#[test]
fn bad_alternatives_are_named() {
    let src = edit(
        MM_TABLE,
        "alternatives = [\"nope\", \"passive_mm\", \"retail\", \"wash\", \"wash\"]\n[agents.passive_mm]\n[agents.spoofer]\n",
    );
    let msg = error(&src, &[]);
    let at = |needle: &str| pos(&src, needle);
    assert_problem(&msg, &at("\"nope"), "agents.mm.alternatives.0", &["unknown kind \"nope\""]);
    assert_problem(&msg, &at("\"passive_mm\","), "agents.mm.alternatives.1", &["the group's own kind"]);
    assert_problem(&msg, &at("\"retail\","), "agents.mm.alternatives.2", &["a crowd (retail) can only be"]);
    assert_problem(&msg, &at("\"wash\"]"), "agents.mm.alternatives.4", &["listed twice"]);
    assert_problem(&msg, &pos(&src, "spoofer]"), "agents.mm.spoofer", &["does not match kind", "alternatives"]);
}

#[test]
fn an_idle_group_needs_no_table_and_never_trades() {
    let src = edit(MM_TABLE, "").replacen("kind = \"passive_mm\"", "kind = \"idle\"", 1);
    let s = load_str(&src, FILE, &[]).unwrap();
    assert_eq!(s.groups[0].behaviour, Behaviour::Idle(IdleConfig {}));
    let out = crate::run::run(&s, &crate::run::RunOptions::default()).unwrap();
    let project = out.summary.group("project").unwrap();
    assert_eq!((project.cash_end, project.tokens_end), (project.cash_start, project.tokens_start), "untouched");
    assert_eq!(out.built.sim.exchange().agent_volume(crate::types::AgentId(0)), crate::types::Cash::ZERO);
}
