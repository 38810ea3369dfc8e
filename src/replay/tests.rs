//! Unit tests of the replay core on in-memory streams: header and line handling, precedence
//! corners and the overflow guard. The CLI-level behaviour is tested in `tests/integration/cli_match.rs`.

use std::path::Path;

use rust_decimal::dec;

use super::*;

#[derive(Debug)]
struct Out {
    trades: String,
    book: String,
    rejects: String,
}

fn run(tick: Decimal, lot: Decimal, input: &str) -> Result<(MatchSummary, Out), MatchError> {
    let config = MatchConfig::try_new(tick, lot).unwrap();
    let (mut trades, mut rejects, mut book) = (Vec::new(), Vec::new(), Vec::new());
    let outputs = Outputs { trades: &mut trades, rejects: &mut rejects, book: &mut book };
    let summary = replay(&config, input.as_bytes(), Path::new("in.csv"), outputs)?;
    let text = |v: Vec<u8>| String::from_utf8(v).unwrap();
    Ok((summary, Out { trades: text(trades), book: text(book), rejects: text(rejects) }))
}

const H: &str = "ts,trader,action,order_id,side,type,price,qty\n";

fn body(out: &str) -> Vec<&str> {
    out.lines().skip(1).collect()
}

#[test]
fn header_may_have_spaces_and_a_bom() {
    let input = "\u{feff} ts , trader,action,order_id,side,type,price, qty \n1,a,new,1,buy,limit,1,1\n";
    let (summary, out) = run(dec!(1), dec!(1), input).unwrap();
    assert_eq!(summary, MatchSummary { rows: 1, trades: 0, rejects: 0, resting: 1 });
    assert_eq!(body(&out.book), ["buy,1,1,1,a"]);
}

#[test]
fn header_with_a_wrong_name_order_or_count_is_refused() {
    for header in [
        "ts,trader,action,order_id,side,type,qty,price",
        "ts,trader,action,order_id,side,type,price",
        "TS,trader,action,order_id,side,type,price,qty",
    ] {
        let err = run(dec!(1), dec!(1), &format!("{header}\n")).unwrap_err();
        assert!(
            matches!(err, MatchError::Input { line: 1, problem: Problem::BadHeader { .. }, .. }),
            "{header}: {err}"
        );
    }
}

#[test]
fn line_numbers_are_file_lines() {
    // A quoted ts spanning two lines and a blank line shift the following rows' line numbers.
    let input = format!("{H}\"1\n\",t,new,1,buy,limit,1,0\n\n1,t,cancel,9,,,,\n");
    let (_, out) = run(dec!(1), dec!(1), &input).unwrap();
    assert_eq!(body(&out.rejects), ["2,1,bad_qty", "5,9,unknown_order"]);
    // CRLF line ends, blank lines included.
    let input = format!("{}\r\n1,t,new,1,buy,limit,1,0\r\n\r\n1,t,cancel,9,,,,\r\n\r\n", H.trim_end());
    let (_, out) = run(dec!(1), dec!(1), &input).unwrap();
    assert_eq!(body(&out.rejects), ["2,1,bad_qty", "4,9,unknown_order"]);
    let err = run(dec!(1), dec!(1), &format!("\r\n\r\n{}\r\n1,t\r\n", H.trim_end())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "in.csv: line 4: 2 field(s); every row needs 8: `ts,trader,action,order_id,side,type,price,qty`"
    );
}

#[test]
fn rejected_new_rows_use_up_their_id() {
    let input = format!("{H}1,t,new,7,up,limit,1,1\n2,t,new,7,buy,limit,1,1\n3,t,cancel,7,,,,\n");
    let (_, out) = run(dec!(1), dec!(1), &input).unwrap();
    assert_eq!(body(&out.rejects), ["2,7,bad_side", "3,7,duplicate_order_id", "4,7,unknown_order"]);
}

#[test]
fn new_row_checks_run_in_the_stated_order() {
    let rows = [
        "1,t,new,1,buy,limit,1,1",       // rests
        "2,t,new,1,xx,xx,xx,xx",         // duplicate before everything
        "3,t,new,2,xx,xx,xx,xx",         // bad_side before bad_type
        "4,t,new,3,sell,xx,xx,xx",       // bad_type before bad_price
        "5,t,new,4,sell,limit,xx,xx",    // bad_price before bad_qty
        "6,t,new,5,sell,fok,5,xx",       // bad_qty before unfillable
        "7,t,new,6,sell,post_only,1,xx", // bad_qty before would_cross
        "8,t,new,7,sell,market,xx,xx",   // a market order's price is not checked
    ];
    let (_, out) = run(dec!(1), dec!(1), &format!("{H}{}\n", rows.join("\n"))).unwrap();
    assert_eq!(
        body(&out.rejects),
        [
            "3,1,duplicate_order_id",
            "4,2,bad_side",
            "5,3,bad_type",
            "6,4,bad_price",
            "7,5,bad_qty",
            "8,6,bad_qty",
            "9,7,bad_qty"
        ]
    );
}

#[test]
fn cancel_ignores_the_other_fields_and_modify_keeps_owner_and_side() {
    let input = format!("{H}1,alice,new,1,buy,limit,5,3\n2,bob,modify,1,sell,market,6,4\n3,bob,new,2,sell,limit,6,1\n4,x,cancel,1,bad,bad,bad,bad\n");
    let (summary, out) = run(dec!(1), dec!(1), &input).unwrap();
    assert_eq!(body(&out.trades), ["1,3,6,1,sell,1,2,alice,bob"]);
    assert_eq!(summary.resting, 0);
    assert_eq!(out.rejects, "line,order_id,reason\n");
}

#[test]
fn quantities_that_could_overflow_the_book_are_bad_qty() {
    let max = i64::MAX;
    let rows = [
        format!("1,t,new,1,buy,limit,1,{max}"),    // the book holds i64::MAX lots
        "2,t,new,2,buy,limit,1,1".to_string(),     // one more lot could overflow → bad_qty
        "3,t,new,3,buy,post_only,1,1".to_string(), // same
        "4,t,new,4,sell,ioc,2,1".to_string(),      // cannot rest: accepted (and drops)
        "5,t,modify,9,,,1,1".to_string(),          // unknown order, but the quantity is checked first
        format!("6,t,modify,1,,,1,{max}"),         // replaces its own quantity: fits, in place
        format!("7,t,new,5,sell,ioc,1,{max}"),     // takes everything
        format!("8,t,new,6,buy,limit,1,{}", max - 1),
        format!("9,t,modify,6,,,2,{max}"), // replaces its own quantity: fits, re-enters
    ];
    let (summary, out) = run(dec!(1), dec!(1), &format!("{H}{}\n", rows.join("\n"))).unwrap();
    assert_eq!(body(&out.rejects), ["3,2,bad_qty", "4,3,bad_qty", "6,9,bad_qty"]);
    assert_eq!(body(&out.trades), [format!("1,7,1,{max},sell,1,5,t,t")]);
    assert_eq!(body(&out.book), [format!("buy,2,{max},6,t")]);
    assert_eq!(summary.resting, 1);
}

#[test]
fn prices_and_quantities_print_in_quote_units() {
    let input = format!("{H}1,t,new,1,sell,limit,0.00015,2.50\n2,u,new,2,buy,market,,1.25\n");
    let (_, out) = run(dec!(0.00005), dec!(0.25), &input).unwrap();
    assert_eq!(body(&out.trades), ["1,2,0.00015,1.25,buy,1,2,t,u"]);
    assert_eq!(body(&out.book), ["sell,0.00015,1.25,1,t"]);
}

#[test]
fn steps_must_be_positive() {
    let err = MatchConfig::try_new(dec!(0.01), dec!(0)).unwrap_err();
    assert_eq!(err.to_string(), "--lot 0: must be > 0");
}

#[test]
fn errors_name_file_and_line() {
    let err = run(dec!(1), dec!(1), &format!("{H}1,t,new,1,buy,limit,1,1\n2,t,amend,1,,,,\n")).unwrap_err();
    assert_eq!(err.to_string(), "in.csv: line 3: unknown action `amend`; expected `new`, `cancel` or `modify`");
    let err = run(dec!(1), dec!(1), &format!("{H}1,t,new,,buy,limit,1,1\n")).unwrap_err();
    assert_eq!(err.to_string(), "in.csv: line 2: empty order_id; every new row needs one");
}
