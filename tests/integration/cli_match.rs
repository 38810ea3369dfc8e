//! CLI tests of `mmsim match`: a hand-written stream with every order type, both kinds of modify, a
//! self-trade and every reject reason, checked file by file; the user errors (bad header, short row,
//! unknown action, bad arguments), which exit 1 and leave no output behind; and the shipped
//! `examples/orders.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use tempfile::TempDir;

/// Every reject reason `mmsim match` writes to rejects.csv.
const REASONS: [&str; 8] = [
    "duplicate_order_id",
    "bad_side",
    "bad_type",
    "bad_price",
    "bad_qty",
    "unknown_order",
    "unfillable",
    "would_cross",
];

const HEADER: &str = "ts,trader,action,order_id,side,type,price,qty\n";

/// Tick 0.5, lot 0.1. Comments give the expected outcome of each row (line numbers on the left).
const STREAM: &str = "\
ts,trader,action,order_id,side,type,price,qty
1,mm,new,s1,sell,limit,101,1.0
2,mm,new,s2,sell,limit,101,0.5
3,mm,new,s3,sell,limit,101.5,2
4,mm,new,b1,buy,limit,100,1
5,mm,new,b2,buy,limit,99.5,1
6,mm,new,b3,buy,limit,100,0.3
7,x,new,x1,buy,limit,101,1.2
8,mm,modify,s2,,,101,0.2
9,mm,new,s4,sell,limit,101,0.4
10,mm,modify,b1,,,100,1.5
11,y,new,y1,sell,market,,1.5
12,y,new,y2,sell,ioc,99.5,2
13,z,new,z1,buy,fok,101,1
14,z,new,z2,buy,fok,101.5,1
15,z,new,z3,buy,post_only,101.5,1
16,z,new,z4,buy,post_only,101,1
17,z,new,z5,sell,limit,101,0.5
18,z,cancel,z4,,,,
19,z,cancel,z4,,,,
20,z,modify,z4,,,101,1
21,z,new,z4,buy,limit,100,1
22,z,new,q1,hold,limit,100,1
23,z,new,q2,buy,stop,100,1
24,z,new,q3,buy,limit,100.25,1
25,z,new,q4,buy,limit,,1
26,z,new,q5,buy,limit,-1,1
27,z,new,q6,buy,limit,abc,1
28,z,new,q7,buy,limit,100,0.05
29,z,new,q8,buy,limit,100,0
30,z,new,q9,buy,market,garbage,-2
31,z,new,q3,buy,limit,100,1
32,z,new,q10,sell,bad,zz,0
 33 , z ,new, q11 ,  buy , limit , 100.0 , 1 
34,mm,modify,s3,,,abc,1
35,mm,modify,s3,,,101.5,0
36,mm,modify,nope,,,1,1
37,mm,modify,nope,,,0,0
38,mm,modify,s3,,,100,1
39,w,new,w1,sell,limit,102,0.1
40,w,new,\"w,2\",sell,limit,102,0.2
41,v,new,v1,buy,limit,99,3
";
// Line by line:
//  2-7  resting book: asks 101 [s1 1.0, s2 0.5], 101.5 [s3 2]; bids 100 [b1 1, b3 0.3], 99.5 [b2 1]
//  8    x1 buys 1.2 at 101: s1 first (time priority), then 0.2 of s2
//  9    modify s2 to 0.2 at the same price: reduced in place, keeps its place ahead of s4 (line 10)
//  11   modify b1 to 1.5: a larger quantity loses priority, b1 now queues behind b3
//  12   market sell 1.5: b3 0.3 then b1 1.2, both at 100
//  13   ioc sell 2 down to 99.5: b1 0.3 at 100, b2 1 at 99.5, 0.7 dropped
//  14   fok for 1 at ≤ 101: only 0.6 there → unfillable
//  15   fok for 1 at ≤ 101.5: s2 0.2, s4 0.4 at 101, then 0.4 of s3 at 101.5
//  16   post_only buy at 101.5 would trade with s3 → would_cross; 17 rests z4 at 101
//  18   z sells to itself (wash): 0.5 at 101
//  19-22 cancel z4; cancel again, modify it → unknown_order; reuse its id → duplicate_order_id
//  23-33 bad_side, bad_type, bad_price ×4, bad_qty ×3 (the market order's price is ignored),
//       q3 already used by a rejected row → duplicate_order_id, bad_type checked before price/qty
//  34   whitespace around fields is trimmed: q11 rests at 100
//  35-38 modify: bad_price, bad_qty, unknown_order, and bad_price before unknown_order
//  39   modify s3 to 100: re-enters as a sell at 100 and trades with q11 (the modify row's ts)
//  40-42 w1 and "w,2" (a quoted id with a comma) rest at 102 in time order; v1 rests at 99

const TRADES: &str = "\
trade_id,ts,price,qty,aggressor_side,maker_order_id,taker_order_id,maker_trader,taker_trader
1,7,101,1,buy,s1,x1,mm,x
2,7,101,0.2,buy,s2,x1,mm,x
3,11,100,0.3,sell,b3,y1,mm,y
4,11,100,1.2,sell,b1,y1,mm,y
5,12,100,0.3,sell,b1,y2,mm,y
6,12,99.5,1,sell,b2,y2,mm,y
7,14,101,0.2,buy,s2,z2,mm,z
8,14,101,0.4,buy,s4,z2,mm,z
9,14,101.5,0.4,buy,s3,z2,mm,z
10,17,101,0.5,sell,z4,z5,z,z
11,38,100,1,sell,q11,s3,z,mm
";

const BOOK: &str = "\
side,price,qty,order_id,trader
buy,99,3,v1,v
sell,102,0.1,w1,w
sell,102,0.2,\"w,2\",w
";

const REJECTS: &str = "\
line,order_id,reason
14,z1,unfillable
16,z3,would_cross
20,z4,unknown_order
21,z4,unknown_order
22,z4,duplicate_order_id
23,q1,bad_side
24,q2,bad_type
25,q3,bad_price
26,q4,bad_price
27,q5,bad_price
28,q6,bad_price
29,q7,bad_qty
30,q8,bad_qty
31,q9,bad_qty
32,q3,duplicate_order_id
33,q10,bad_type
35,s3,bad_price
36,s3,bad_qty
37,nope,unknown_order
38,nope,bad_price
";

/// Writes `orders` to `orders.csv` in a fresh directory; returns the directory and the output path.
fn setup(orders: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("orders.csv");
    fs::write(&input, orders).unwrap();
    let out = dir.path().join("out");
    (dir, input, out)
}

fn mmsim_match(input: &Path, tick: &str, lot: &str, out: &Path) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("mmsim").arg("match").arg(input).args(["--tick", tick, "--lot", lot, "--out"]).arg(out).assert()
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

/// Every entry of `dir` (empty when the directory does not exist).
fn entries(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn replays_hand_written_stream_exactly() {
    let (_dir, input, out) = setup(STREAM);
    mmsim_match(&input, "0.5", "0.1", &out)
        .success()
        .stdout(predicate::str::contains("41 rows: 11 trades, 20 rejects, 3 resting orders"));
    assert_eq!(read(&out, "trades.csv"), TRADES);
    assert_eq!(read(&out, "book.csv"), BOOK);
    assert_eq!(read(&out, "rejects.csv"), REJECTS);
    let mut files = entries(&out);
    files.sort();
    assert_eq!(files, ["book.csv", "rejects.csv", "trades.csv"], "no temporary files left");
}

#[test]
fn every_reject_reason_is_covered() {
    for reason in REASONS {
        assert!(REJECTS.contains(&format!(",{reason}\n")), "{reason} not exercised");
    }
}

#[test]
fn same_stream_twice_is_byte_identical_and_replaces_outputs() {
    let (_dir, input, out) = setup(STREAM);
    mmsim_match(&input, "0.5", "0.1", &out).success();
    let first = read(&out, "trades.csv");
    mmsim_match(&input, "0.50", "0.10", &out).success();
    assert_eq!(read(&out, "trades.csv"), first);
    assert_eq!(read(&out, "book.csv"), BOOK);
}

#[test]
fn book_lists_bids_then_asks_best_first_in_time_order() {
    let orders = format!(
        "{HEADER}1,a,new,1,buy,limit,9.98,1\n2,b,new,2,buy,limit,9.99,2\n3,c,new,3,buy,limit,9.98,3\n\
         4,d,new,4,sell,limit,10.02,4\n5,e,new,5,sell,limit,10.01,5\n6,f,new,6,sell,limit,10.01,6\n"
    );
    let (_dir, input, out) = setup(&orders);
    mmsim_match(&input, "0.01", "1", &out).success();
    assert_eq!(
        read(&out, "book.csv"),
        "side,price,qty,order_id,trader\nbuy,9.99,2,2,b\nbuy,9.98,1,1,a\nbuy,9.98,3,3,c\n\
         sell,10.01,5,5,e\nsell,10.01,6,6,f\nsell,10.02,4,4,d\n"
    );
    assert_eq!(read(&out, "trades.csv").lines().count(), 1);
    assert_eq!(read(&out, "rejects.csv"), "line,order_id,reason\n");
}

#[test]
fn bad_header_is_a_user_error_naming_line_1() {
    let (_dir, input, out) = setup("ts,trader,action,id,side,type,price,qty\n1,a,new,1,buy,limit,1,1\n");
    mmsim_match(&input, "0.01", "1", &out)
        .code(1)
        .stderr(predicate::str::contains("line 1"))
        .stderr(predicate::str::contains("expected exactly `ts,trader,action,order_id,side,type,price,qty`"))
        .stderr(predicate::str::contains("backtrace").not());
    assert!(!out.exists(), "no output directory or files: {:?}", entries(&out));
}

#[test]
fn empty_file_is_a_user_error() {
    let (_dir, input, out) = setup("");
    mmsim_match(&input, "0.01", "1", &out).code(1).stderr(predicate::str::contains("line 1: the file is empty"));
    assert!(!out.exists());
}

#[test]
fn short_row_is_a_user_error_with_its_line_and_leaves_no_output() {
    // Rows before the bad one trade; their output must not survive the error.
    let orders = format!("{HEADER}1,a,new,1,sell,limit,10,1\n2,b,new,2,buy,limit,10,1\n3,b,new,3,buy,limit,10\n");
    let (_dir, input, out) = setup(&orders);
    fs::create_dir(&out).unwrap();
    mmsim_match(&input, "0.01", "1", &out)
        .code(1)
        .stderr(predicate::str::contains("orders.csv: line 4: 7 field(s); every row needs 8"));
    assert!(entries(&out).is_empty(), "left behind: {:?}", entries(&out));
    assert!(out.exists(), "a directory that existed before is kept");
}

#[test]
fn long_row_is_a_user_error() {
    let orders = format!("{HEADER}1,a,new,1,sell,limit,10,1,extra\n");
    let (_dir, input, out) = setup(&orders);
    mmsim_match(&input, "0.01", "1", &out).code(1).stderr(predicate::str::contains("line 2: 9 field(s)"));
    assert!(!out.exists());
}

#[test]
fn unknown_action_is_a_user_error_with_its_line() {
    let orders = format!("{HEADER}1,a,new,1,sell,limit,10,1\n2,a,delete,1,,,,\n");
    let (_dir, input, out) = setup(&orders);
    mmsim_match(&input, "0.01", "1", &out)
        .code(1)
        .stderr(predicate::str::contains("line 3: unknown action `delete`; expected `new`, `cancel` or `modify`"));
    assert!(!out.exists());
}

#[test]
fn empty_order_id_and_trader_are_user_errors() {
    let (_dir, input, out) = setup(&format!("{HEADER}1,a,cancel,,,,,\n"));
    mmsim_match(&input, "0.01", "1", &out).code(1).stderr(predicate::str::contains("line 2: empty order_id"));
    let (_dir, input, out) = setup(&format!("{HEADER}1, ,new,7,buy,limit,1,1\n"));
    mmsim_match(&input, "0.01", "1", &out).code(1).stderr(predicate::str::contains("line 2: empty trader"));
}

#[test]
fn previous_outputs_survive_a_failed_run() {
    let (_dir, input, out) = setup(STREAM);
    mmsim_match(&input, "0.5", "0.1", &out).success();
    fs::write(&input, format!("{HEADER}1,a,new\n")).unwrap();
    mmsim_match(&input, "0.5", "0.1", &out).code(1);
    assert_eq!(read(&out, "trades.csv"), TRADES);
    assert_eq!(entries(&out).len(), 3, "no temporary files: {:?}", entries(&out));
}

#[test]
fn bad_arguments_exit_1() {
    let (_dir, input, out) = setup(STREAM);
    mmsim_match(&input, "0", "1", &out).code(1).stderr(predicate::str::contains("--tick 0: must be > 0"));
    mmsim_match(&input, "0.01", "-1", &out).code(1).stderr(predicate::str::contains("--lot"));
    mmsim_match(&input, "abc", "1", &out).code(1).stderr(predicate::str::contains("--tick"));
    cargo_bin_cmd!("mmsim").args(["match", "x.csv", "--tick", "1"]).assert().code(1);
    mmsim_match(&input.with_file_name("missing.csv"), "0.01", "1", &out)
        .code(1)
        .stderr(predicate::str::contains("missing.csv: cannot read"));
    assert!(!out.exists());
}

#[test]
fn shipped_example_runs() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/orders.csv");
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    mmsim_match(&example, "0.01", "1", &out).success();
    let trades = read(&out, "trades.csv");
    assert!(trades.lines().count() > 1, "the example trades");
    assert!(trades.contains(",wash,wash\n"), "the example has a self-trade");
    let rejects = read(&out, "rejects.csv");
    for reason in REASONS {
        assert!(rejects.contains(reason), "the example shows {reason}");
    }
    assert!(read(&out, "book.csv").lines().count() > 1);
}
