//! Parser and deserializer messages in plain words.
//!
//! serde describes a mismatch in Rust's terms (`invalid type: floating point `1.5`, expected i64`).
//! A scenario's author writes TOML, so [`plain`] rewrites those messages: Rust type names become
//! what to write (`a whole number ≥ 0`), serde's value kinds become the value as written, and a
//! number too large to be a decimal says so with the limit. Messages it does not recognise pass
//! through unchanged. [`cap`] keeps any text that quotes the file to a readable length.

/// Longest message or snippet line kept, in characters.
pub(crate) const MAX_TEXT: usize = 1_000;

/// What to write instead of a Rust type name.
fn expected(rust: &str) -> Option<&'static str> {
    Some(match rust {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" | "usize" => "a whole number from 0 to 18446744073709551615",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" | "bool" => "true or false",
        "a string" | "a borrowed string" | "char" => "text in quotes",
        "a sequence" => "a list such as [1, 2]",
        "a map" => "a table",
        _ if rust.starts_with("struct ") => "a table",
        _ => return None,
    })
}

/// A serde value description (`floating point `1.5``, `integer `-1``, `string "x"`) as written.
fn value(serde: &str) -> String {
    for prefix in ["floating point ", "integer ", "boolean "] {
        if let Some(v) = serde.strip_prefix(prefix) {
            return v.trim_matches('`').to_string();
        }
    }
    if let Some(v) = serde.strip_prefix("string ") {
        return format!("the text {v}");
    }
    match serde {
        "map" => "a table".to_string(),
        "sequence" => "a list".to_string(),
        other => other.to_string(),
    }
}

/// `message` in plain words (see the module doc).
pub(crate) fn plain(message: &str) -> String {
    let message = message.trim_end();
    if let Some(rest) = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: ")) {
        if let Some((got, want)) = rest.rsplit_once(", expected ") {
            let want = expected(want).map_or_else(|| want.to_string(), str::to_string);
            let range = if message.starts_with("invalid value") { " (out of range)" } else { "" };
            return cap(&format!("must be {want}, got {}{range}", value(got)));
        }
    }
    if message == "recursion limit" {
        return "tables, arrays or dotted keys are nested too deeply for the parser (its recursion limit); use \
                fewer levels"
            .to_string();
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return cap(&match rest.split_once(", expected one of ") {
            Some((got, keys)) => format!("unknown key {got}; the keys here are: {keys}"),
            None => match rest.split_once(", expected ") {
                Some((got, key)) => format!("unknown key {got}; the only key here is {key}"),
                None => format!("unknown key {}", rest.split(", there are no fields").next().unwrap_or(rest)),
            },
        });
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("missing key {field}");
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        if let Some((got, want)) = rest.split_once(", expected ") {
            return cap(&format!("unknown value {got}; use {want}"));
        }
    }
    if let Some(text) = message.strip_suffix(" is not a decimal number") {
        let number = text.trim_matches('"').replace('_', "");
        if number.parse::<f64>().is_ok_and(|v| v.is_finite() && v.abs() >= 7.9e28) {
            return cap(&format!(
                "{text} is too large: numbers here are at most 79228162514264337593543950335 (7.9e28), and an \
                 amount must also fit the market's limits"
            ));
        }
    }
    cap(message)
}

/// `text` cut to [`MAX_TEXT`] characters (marked with `…`).
pub(crate) fn cap(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_TEXT).collect();
    out.push('…');
    out
}

/// The line and column (1-based, in characters) of the first byte that is not UTF-8.
pub(crate) fn utf8_position(bytes: &[u8], valid_up_to: usize) -> (usize, usize) {
    let before = String::from_utf8_lossy(&bytes[..valid_up_to.min(bytes.len())]);
    let line = before.chars().filter(|&c| c == '\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The byte offset where nesting is deepest (brackets, braces and dots in keys), for parser errors
/// such as "recursion limit" that come without a place.
pub(crate) fn deepest_offset(src: &str) -> usize {
    let (mut best, mut best_depth) = (0, 0usize);
    let mut line_start = 0;
    for line in src.split_inclusive(['\n', '\r']) {
        let depth = line.bytes().filter(|b| matches!(b, b'[' | b'{' | b'.')).count();
        if depth > best_depth {
            (best, best_depth) = (line_start, depth);
        }
        line_start += line.len();
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_jargon_becomes_plain_words() {
        assert_eq!(plain("invalid type: floating point `1.5`, expected i64"), "must be a whole number, got 1.5");
        assert_eq!(
            plain("invalid value: integer `-1`, expected u64"),
            "must be a whole number from 0 to 18446744073709551615, got -1 (out of range)"
        );
        assert_eq!(plain("invalid type: string \"a\", expected f64"), "must be a number, got the text \"a\"");
        assert_eq!(plain("missing field `seed`"), "missing key `seed`");
        assert_eq!(
            plain("unknown field `cash`, expected one of `name`, `seed`"),
            "unknown key `cash`; the keys here are: `name`, `seed`"
        );
        assert!(plain("\"1e30\" is not a decimal number").contains("too large"));
        assert_eq!(plain("\"abc\" is not a decimal number"), "\"abc\" is not a decimal number");
        assert!(cap(&"x".repeat(10_000)).chars().count() <= MAX_TEXT + 1);
    }

    #[test]
    fn places_without_spans_are_found() {
        assert_eq!(utf8_position(b"ab\ncd\xff", 5), (2, 3));
        let src = "[market]\nname = 1\n[a.b.c.d]\n";
        assert_eq!(&src[deepest_offset(src)..], "[a.b.c.d]\n");
    }
}
