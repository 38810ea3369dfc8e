//! [`RowBuf`], a byte buffer that CSV rows are printed into without allocating and without a
//! library call per field: texts known in advance (labels, names) are kept [`Padded`] to whole
//! 16-byte blocks and copied block by block, and numbers are written digit by digit in place.
//!
//! Each row is printed into room made for it first ([`RowBuf::room`] with the row's upper bound),
//! so every copy is a fixed-size store into bytes that exist; the cursor then moves on by the true
//! length. Numbers are exact: [`Scaled`] prints integer units (ticks, lots, nanoseconds) times a
//! decimal unit like `Decimal::normalize` would (no trailing zeros, no point for a whole number),
//! from integers only.

/// Upper bound of what one number takes (`-`, 39 digits of an `i128`, the point).
pub const NUMBER: usize = 42;

/// A text of any length, padded to whole 16-byte blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Padded {
    bytes: Vec<u8>,
    len: usize,
}

impl Padded {
    /// Empties it.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.len = 0;
    }

    /// Appends `s`.
    pub fn push(&mut self, s: &[u8]) {
        self.bytes.truncate(self.len);
        self.bytes.extend_from_slice(s);
        self.len = self.bytes.len();
        self.bytes.resize(self.len.next_multiple_of(16), 0);
    }

    /// The length of the text.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The length with its padding: what printing it needs room for.
    pub fn padded_len(&self) -> usize {
        self.bytes.len()
    }

    /// The text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl From<&[&[u8]]> for Padded {
    fn from(parts: &[&[u8]]) -> Self {
        let mut p = Padded::default();
        for s in parts {
            p.push(s);
        }
        p
    }
}

/// Exact decimal printing of integer units times a decimal unit (`mantissa × 10^-scale`).
#[derive(Clone, Copy, Debug)]
pub struct Scaled {
    mantissa: i128,
    scale: u32,
    /// `10^scale`, when it fits a `u64` (else every number takes the slow path).
    pow: Option<u64>,
}

impl Scaled {
    /// Units of `mantissa × 10^-scale` (e.g. a tick of `0.0001` is 1 × 10^-4).
    pub fn new(mantissa: i128, scale: u32) -> Self {
        Scaled { mantissa, scale, pow: 10u64.checked_pow(scale) }
    }

    /// A unit written as a `Decimal`.
    pub fn of(unit: rust_decimal::Decimal) -> Self {
        Scaled::new(unit.mantissa(), unit.scale())
    }
}

/// Two decimal digits per index 0..100.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The number of decimal digits of `v` (1 for 0).
#[inline]
fn count(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// Writes the `n` low decimal digits of `v` (zero-padded) into `out[..n]`.
#[inline]
fn digits(out: &mut [u8], mut v: u64, n: usize) {
    let out = &mut out[..n];
    let mut i = n;
    while i >= 2 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        out[i..i + 2].copy_from_slice(&PAIRS[d..d + 2]);
    }
    if i == 1 {
        out[0] = b'0' + (v % 10) as u8;
    }
}

/// A buffer of whole rows with a cursor: rows are printed at the cursor into room made first.
#[derive(Debug)]
pub struct RowBuf {
    bytes: Vec<u8>,
    pos: usize,
}

impl RowBuf {
    /// A buffer with `capacity` bytes of room.
    pub fn new(capacity: usize) -> Self {
        RowBuf { bytes: vec![0; capacity], pos: 0 }
    }

    /// What was printed.
    pub fn filled(&self) -> &[u8] {
        &self.bytes[..self.pos]
    }

    /// Bytes printed.
    pub fn len(&self) -> usize {
        self.pos
    }

    /// Whether nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Forgets what was printed.
    pub fn clear(&mut self) {
        self.pos = 0;
    }

    /// Makes sure `n` bytes can be printed at the cursor (every print below panics otherwise).
    pub fn room(&mut self, n: usize) {
        if self.pos + n > self.bytes.len() {
            self.bytes.resize(self.pos + n, 0);
        }
    }

    /// Prints one byte.
    #[inline]
    pub fn byte(&mut self, b: u8) {
        self.bytes[self.pos] = b;
        self.pos += 1;
    }

    /// Prints a padded text (16-byte blocks: room for [`Padded::padded_len`] is needed).
    #[inline]
    pub fn padded(&mut self, p: &Padded) {
        let mut at = self.pos;
        for block in p.bytes.chunks_exact(16) {
            self.bytes[at..at + 16].copy_from_slice(block);
            at += 16;
        }
        self.pos += p.len;
    }

    /// Prints a text of any length.
    pub fn text(&mut self, s: &[u8]) {
        self.bytes[self.pos..self.pos + s.len()].copy_from_slice(s);
        self.pos += s.len();
    }

    /// Prints `v` in decimal.
    #[inline]
    pub fn u64(&mut self, v: u64) {
        let n = count(v);
        digits(&mut self.bytes[self.pos..], v, n);
        self.pos += n;
    }

    /// Prints `v / 10^SCALE` exactly, like [`RowBuf::scaled`] (e.g. nanoseconds as seconds).
    #[inline]
    pub fn fraction<const SCALE: u32>(&mut self, v: u64) {
        self.split(v / 10u64.pow(SCALE), v % 10u64.pow(SCALE), SCALE as usize);
    }

    /// Prints `units × unit` exactly.
    #[inline]
    pub fn scaled(&mut self, units: i64, unit: Scaled) {
        let v = i128::from(units) * unit.mantissa;
        if v < 0 {
            self.byte(b'-');
        }
        match (u64::try_from(v.unsigned_abs()), unit.pow) {
            (Ok(v), Some(pow)) => self.split(v / pow, v % pow, unit.scale as usize),
            _ => self.wide(v.unsigned_abs(), unit.scale),
        }
    }

    /// Prints `int`, then `.frac` (of `scale` digits, trailing zeros trimmed) unless it is 0.
    #[inline]
    fn split(&mut self, int: u64, mut frac: u64, mut scale: usize) {
        self.u64(int);
        if frac != 0 {
            while frac % 10 == 0 {
                frac /= 10;
                scale -= 1;
            }
            self.byte(b'.');
            digits(&mut self.bytes[self.pos..], frac, scale);
            self.pos += scale;
        }
    }

    /// The slow path of [`RowBuf::scaled`], for numbers past a `u64`.
    fn wide(&mut self, v: u128, scale: u32) {
        let text = v.to_string();
        let scale = scale as usize;
        let (int, frac) = text.as_bytes().split_at(text.len().saturating_sub(scale));
        if int.is_empty() {
            self.byte(b'0');
        } else {
            self.text(int);
        }
        let frac_end = frac.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
        if frac_end > 0 {
            self.byte(b'.');
            for _ in frac.len()..scale {
                self.byte(b'0');
            }
            self.text(&frac[..frac_end]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn printed(f: impl FnOnce(&mut RowBuf)) -> String {
        let mut b = RowBuf::new(0);
        b.room(200);
        f(&mut b);
        String::from_utf8(b.filled().to_vec()).unwrap()
    }

    fn decimal(units: i64, unit: Decimal) -> String {
        (Decimal::from(units) * unit).normalize().to_string()
    }

    #[test]
    fn scaled_prints_like_a_normalized_decimal() {
        for (unit, units) in [
            ("0.00001", 5034i64),
            ("0.0001", 10000),
            ("1", 1000),
            ("0.5", 3),
            ("0.50", 3),
            ("0.0001", -25),
            ("10", 7),
            ("0.001", 0),
            ("0.0001", 3),
            ("0.000000000000000001", i64::MAX),
            ("0.000000000000000000001", 12),
            ("1000000", i64::MIN),
            ("1000000", i64::MAX),
        ] {
            let unit: Decimal = unit.parse().unwrap();
            assert_eq!(printed(|b| b.scaled(units, Scaled::of(unit))), decimal(units, unit), "{unit} x {units}");
        }
    }

    #[test]
    fn fractions_of_a_second_print_exactly() {
        for (ns, text) in [
            (17_696_363_724u64, "17.696363724"),
            (7_055_914, "0.007055914"),
            (3_000_000_000, "3"),
            (0, "0"),
            (1_500_000_000, "1.5"),
            (u64::MAX, "18446744073.709551615"),
        ] {
            assert_eq!(printed(|b| b.fraction::<9>(ns)), text);
        }
    }

    #[test]
    fn texts_print_whole() {
        let mut p = Padded::default();
        p.push(b"retail/17,");
        p.push(b"a group name longer than sixteen bytes,");
        let f = Padded::from(&[&b"insufficient_funds"[..], b","][..]);
        assert_eq!((f.len(), f.padded_len(), f.as_bytes()), (19, 32, &b"insufficient_funds,"[..]));
        let s = printed(|b| {
            b.padded(&p);
            b.padded(&f);
            b.u64(0);
            b.byte(b',');
            b.u64(u64::MAX);
        });
        assert_eq!(s, "retail/17,a group name longer than sixteen bytes,insufficient_funds,0,18446744073709551615");
    }

    proptest! {
        #[test]
        fn any_units_print_like_a_decimal(units in any::<i64>(), mantissa in 1i64..1_000_000, scale in 0u32..24) {
            let unit = Decimal::new(mantissa, scale);
            prop_assert_eq!(printed(|b| b.scaled(units, Scaled::of(unit))), decimal(units, unit));
        }

        #[test]
        fn any_integer_prints_like_display(v in any::<u64>()) {
            prop_assert_eq!(printed(|b| b.u64(v)), v.to_string());
        }
    }
}
