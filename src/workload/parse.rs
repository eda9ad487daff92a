//! Shared plumbing for the trace readers: a line reader that reuses one buffer and counts
//! lines, field splitting without allocation, and exact decimal parsing.
//!
//! It knows no trace format; each reader decides what its columns mean.
//! Decimals are parsed into an integer mantissa and a power-of-ten scale rather than an
//! `f64`, so unit conversions (seconds to milliseconds, hundredths of a core to CPU units)
//! are exact and ties in submit time stay ties.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::TraceError;

/// Reads a text file one line at a time into a reused buffer.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    reader: R,
    buf: String,
    number: u64,
    file: PathBuf,
    unterminated: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R, file: PathBuf) -> Self {
        Lines {
            reader,
            buf: String::new(),
            number: 0,
            file,
            unterminated: false,
        }
    }

    /// Reads the next line. Returns `Ok(false)` at end of file.
    pub(crate) fn advance(&mut self) -> Result<bool, TraceError> {
        self.buf.clear();
        self.number += 1;
        let n = self
            .reader
            .read_line(&mut self.buf)
            .map_err(|error| TraceError::Read {
                file: self.file.clone(),
                line: self.number,
                error,
            })?;
        if n == 0 {
            return Ok(false);
        }
        // Excel and other Windows tools start a UTF-8 file with a byte order mark; it
        // carries no data and would otherwise glue itself to the first header or field.
        if self.number == 1 && self.buf.starts_with('\u{FEFF}') {
            self.buf.drain(..'\u{FEFF}'.len_utf8());
        }
        // Accept CRLF as well as LF: traces pass through Windows tools, and the line ending
        // carries no data.
        self.unterminated = !self.buf.ends_with('\n');
        if !self.unterminated {
            self.buf.pop();
            if self.buf.ends_with('\r') {
                self.buf.pop();
            }
        }
        Ok(true)
    }

    /// The current line without its line ending.
    pub(crate) fn text(&self) -> &str {
        &self.buf
    }

    /// The current 1-based line number.
    pub(crate) fn number(&self) -> u64 {
        self.number
    }

    /// The file name used in errors.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// The error for a row with `found` fields where `expected` were required: a truncated
    /// last line if the file ends mid-row, otherwise a plain field-count error.
    pub(crate) fn field_count_error(
        &self,
        expected: usize,
        found: usize,
        separator: &'static str,
        format: &'static str,
    ) -> TraceError {
        if found < expected && self.unterminated {
            TraceError::Truncated {
                file: self.file.clone(),
                line: self.number,
                expected,
                found,
            }
        } else {
            TraceError::FieldCount {
                file: self.file.clone(),
                line: self.number,
                expected,
                found,
                separator,
                format,
            }
        }
    }

    /// The error for a bad field in the current line.
    pub(crate) fn field_error(
        &self,
        column: &'static str,
        expected: &'static str,
        found: &str,
    ) -> TraceError {
        TraceError::Field {
            file: self.file.clone(),
            line: self.number,
            column,
            expected,
            found: found.to_string(),
        }
    }

    /// The error for a value that overflows once converted.
    pub(crate) fn too_large(
        &self,
        column: &'static str,
        found: &str,
        unit: &'static str,
    ) -> TraceError {
        TraceError::TooLarge {
            file: self.file.clone(),
            line: self.number,
            column,
            found: found.to_string(),
            unit,
        }
    }
}

/// Splits `text` on `sep` into `out` and returns the number of fields, which may exceed
/// `N` (the extra fields are counted but not stored), so a wrong count can be reported.
pub(crate) fn split_fields<'a, const N: usize>(
    text: &'a str,
    sep: char,
    out: &mut [&'a str; N],
) -> usize {
    let mut n = 0;
    for field in text.split(sep) {
        if n < N {
            out[n] = field;
        }
        n += 1;
    }
    n
}

/// Splits `text` on runs of whitespace, as [`split_fields`] does on a separator.
pub(crate) fn split_whitespace<'a, const N: usize>(text: &'a str, out: &mut [&'a str; N]) -> usize {
    let mut n = 0;
    for field in text.split_ascii_whitespace() {
        if n < N {
            out[n] = field;
        }
        n += 1;
    }
    n
}

/// A non-negative decimal number `mantissa / 10^scale`, exactly as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub(crate) mantissa: u128,
    pub(crate) scale: u32,
}

/// The largest mantissa accepted. Keeping it at 10^28 lets callers multiply by any `u32`
/// (< 4.3 × 10^9) in `u128` (max 3.4 × 10^38) without overflow.
const MANTISSA_MAX: u128 = 10u128.pow(28);

/// Parses `digits[.digits]` with at most `max_scale` digits after the point.
/// Signs, exponents, spaces and a bare `.` are rejected: no trace we read writes them, and
/// accepting them would hide a corrupted field.
pub(crate) fn parse_decimal(s: &str, max_scale: u32) -> Option<Decimal> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.unwrap_or("");
    if (s.contains('.') && frac.is_empty()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let scale = u32::try_from(frac.len()).ok()?;
    if scale > max_scale {
        return None;
    }
    let mut mantissa: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(u128::from(b - b'0'))?;
        if mantissa > MANTISSA_MAX {
            return None;
        }
    }
    Some(Decimal { mantissa, scale })
}

impl Decimal {
    /// `ceil(self × numerator / denominator)`, exactly. `None` if it does not fit a `u32`.
    pub(crate) fn mul_div_ceil(self, numerator: u32, denominator: u32) -> Option<u32> {
        let den = u128::from(denominator).checked_mul(10u128.checked_pow(self.scale)?)?;
        let num = self.mantissa.checked_mul(u128::from(numerator))?;
        u32::try_from(num.div_ceil(den)).ok()
    }

    /// The value × 10^`digits`, if that is a whole number that fits a `u64`
    /// (e.g. seconds to milliseconds with `digits` = 3).
    pub(crate) fn shifted_u64(self, digits: u32) -> Option<u64> {
        let shift = digits.checked_sub(self.scale)?;
        let v = self.mantissa.checked_mul(10u128.checked_pow(shift)?)?;
        u64::try_from(v).ok()
    }

    /// True if the value is zero.
    pub(crate) fn is_zero(self) -> bool {
        self.mantissa == 0
    }
}

/// Parses a whole number made only of ASCII digits (no sign, no spaces).
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a whole number with an optional leading `-` (no `+`, no spaces).
pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(
            parse_decimal("12.50", 3),
            Some(Decimal {
                mantissa: 1250,
                scale: 2
            })
        );
        assert_eq!(
            parse_decimal("7", 0).and_then(|d| d.shifted_u64(3)),
            Some(7000)
        );
        // 0.1 s is exactly 100 ms (an f64 would give 100.00000000000001 before rounding).
        assert_eq!(
            parse_decimal("0.1", 3).and_then(|d| d.shifted_u64(3)),
            Some(100)
        );
        for bad in [
            "", ".", "5.", ".5", "-1", "+1", "1e3", " 1", "1.2.3", "0.0001",
        ] {
            assert_eq!(parse_decimal(bad, 3), None, "{bad:?}");
        }
    }

    #[test]
    fn mul_div_ceil_rounds_up() {
        // 50 hundredths of a core: 50 × 1024 / 100 = 512 exactly.
        let d = parse_decimal("50", 9).map(|d| d.mul_div_ceil(1024, 100));
        assert_eq!(d, Some(Some(512)));
        // 0.0123 × 65536 = 806.0928 → 807.
        let d = parse_decimal("0.0123", 9).map(|d| d.mul_div_ceil(65536, 1));
        assert_eq!(d, Some(Some(807)));
        // 5 000 000 000 does not fit a u32.
        let d = parse_decimal("5000000000", 0).map(|d| d.mul_div_ceil(1, 1));
        assert_eq!(d, Some(None));
    }

    #[test]
    fn split_counts_extra_fields() {
        let mut out = [""; 3];
        assert_eq!(split_fields("a,b,c,d", ',', &mut out), 4);
        assert_eq!(out, ["a", "b", "c"]);
        assert_eq!(split_whitespace("  1   2 ", &mut out), 2);
        assert_eq!(&out[..2], ["1", "2"]);
    }
}
