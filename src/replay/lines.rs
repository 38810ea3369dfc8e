//! Exact 1-based file line numbers for CSV records.
//!
//! The `csv` crate's record positions count the newlines consumed *before* a record is read, but the
//! terminators in front of a record (the `\n` of a CRLF ending, blank lines) are only consumed while
//! that record is read, so its line numbers run short for CRLF files and after blank lines. So the
//! input goes through a [`LineCounter`], which keeps the bytes the CSV reader has taken but that are
//! not numbered yet; a record is numbered from the byte offset where `csv` says it starts, after
//! skipping the `\r`/`\n` bytes there. Each byte is counted once and memory stays at about the CSV
//! reader's buffer size.

use std::io::{self, Read};

/// Drop numbered bytes from the window once this many have piled up.
const RETIRE_AT: usize = 1 << 20;

/// Longest line accepted, in bytes: a longer one (say, a file with no line ends at all) stops the
/// replay before it can fill memory.
pub(super) const MAX_LINE_BYTES: usize = 1 << 20;

/// Why the input stopped being read: not text, or a line too long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unreadable {
    /// A NUL byte: a binary file, not CSV.
    Binary,
    /// A line longer than [`MAX_LINE_BYTES`].
    LineTooLong,
}

/// A reader that remembers what it read until [`LineCounter::line_at`] has numbered it.
#[derive(Debug)]
pub(super) struct LineCounter<R> {
    inner: R,
    /// Bytes read from `inner`, starting at file offset `window_start`.
    window: Vec<u8>,
    window_start: u64,
    /// The file offset of the last record numbered, and its line.
    cursor: u64,
    line: u64,
    /// Line ends read so far, and bytes read since the last one.
    newlines: u64,
    since_newline: usize,
    /// Set when reading stopped on bad input: what, and on which line.
    stopped: Option<(Unreadable, u64)>,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            let problem = match b {
                b'\n' => {
                    self.newlines += 1;
                    self.since_newline = 0;
                    continue;
                }
                0 => Unreadable::Binary,
                _ if self.since_newline >= MAX_LINE_BYTES => Unreadable::LineTooLong,
                _ => {
                    self.since_newline += 1;
                    continue;
                }
            };
            self.stopped = Some((problem, self.newlines + 1));
            return Err(io::Error::new(io::ErrorKind::InvalidData, "not a CSV text file"));
        }
        self.window.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl<R> LineCounter<R> {
    /// Wraps `inner`, whose first byte is on line 1.
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            window: Vec::new(),
            window_start: 0,
            cursor: 0,
            line: 1,
            newlines: 0,
            since_newline: 0,
            stopped: None,
        }
    }

    /// Why reading stopped, and on which line, if it stopped on bad input.
    pub fn stopped(&self) -> Option<(Unreadable, u64)> {
        self.stopped
    }

    /// The line of the record that the CSV reader says starts at byte `start`. Records must be
    /// numbered in file order.
    pub fn line_at(&mut self, start: u64) -> u64 {
        let from = (self.cursor - self.window_start) as usize;
        let mut at = (start.max(self.cursor) - self.window_start) as usize;
        while at < self.window.len() && matches!(self.window[at], b'\r' | b'\n') {
            at += 1;
        }
        let at = at.min(self.window.len());
        self.line += self.window[from..at].iter().filter(|&&b| b == b'\n').count() as u64;
        self.cursor = self.window_start + at as u64;
        if at >= RETIRE_AT {
            self.window.drain(..at);
            self.window_start = self.cursor;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line numbers of every record of `text` as the replay computes them.
    fn lines(text: &str) -> Vec<u64> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(4)
            .from_reader(LineCounter::new(text.as_bytes()));
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().unwrap().byte();
            out.push(reader.get_mut().line_at(start));
        }
        out
    }

    #[test]
    fn numbers_file_lines() {
        assert_eq!(lines("a\nb\nc\n"), [1, 2, 3]);
        assert_eq!(lines("a\nb\nc"), [1, 2, 3]);
        assert_eq!(lines("a\r\nb\r\nc\r\n"), [1, 2, 3]);
        assert_eq!(lines("a\r\n\r\nb\r\n\r\n\r\nc"), [1, 3, 6]);
        assert_eq!(lines("\n\na\n\nb\n"), [3, 5]);
        assert_eq!(lines("a\n\"x\ny\nz\",1\nb\n"), [1, 2, 5]);
        assert_eq!(lines("a\rb\rc"), [1, 1, 1], "a lone CR ends a record but not a line");
        assert_eq!(lines("\u{feff}a\nb\n"), [1, 2]);
    }

    #[test]
    fn retires_numbered_bytes() {
        let text = "0123456789\n".repeat(300_000);
        let numbered = lines(&text);
        assert_eq!(numbered.len(), 300_000);
        assert!(numbered.iter().enumerate().all(|(i, &line)| line == i as u64 + 1));
    }
}
