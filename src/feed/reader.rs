//! Reading one file: decompression, lines, format dispatch, skips and located errors.
//!
//! The file is read through a 256 KiB buffer one line at a time into one reused line buffer, and each
//! line's events go to one reused event buffer, so memory stays flat in the file's length. A file that
//! starts with the gzip magic bytes `1f 8b` is decompressed on the fly (several concatenated gzip
//! members are read as one stream); a truncated or corrupt gzip stream is a located
//! [`FeedError::Gzip`] naming the last complete line.
//!
//! Per line: the trailing `\n`/`\r\n` is dropped; a blank line, invalid UTF-8 or any parser skip is
//! counted in the reader's [`ReplayStats`] (or is [`FeedError::Rejected`] in strict mode); a value off
//! the grid is fatal; the line's local time must not be before the previous line's.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::binance_json::BinanceJson;
use super::binance_trades::BinanceTradesCsv;
use super::error::{FeedError, LineError, Location, SkipReason};
use super::event::Event;
use super::format::Format;
use super::grid::Units;
use super::stats::ReplayStats;
use super::tardis::TardisCsv;

/// The longest line accepted (a Binance REST snapshot of 5,000 levels a side is about 400 KB).
pub const MAX_LINE_BYTES: usize = 16 << 20;

const BUFFER_BYTES: usize = 256 << 10;

/// The format-specific parser.
#[derive(Debug)]
enum Parser {
    Json(BinanceJson),
    Tardis(TardisCsv),
    Trades(BinanceTradesCsv),
}

/// A reader of one market-data file, yielding its events in file order.
pub(super) struct FileReader<U> {
    path: PathBuf,
    input: Box<dyn BufRead + Send>,
    gzip: bool,
    format: Format,
    parser: Parser,
    units: U,
    strict: bool,
    line: u64,
    buf: Vec<u8>,
    /// The first line is data and sits in `buf`, not yet parsed.
    first_pending: bool,
    out: Vec<Event>,
    pos: usize,
    last_local_ns: Option<u64>,
    stats: ReplayStats,
    done: bool,
}

impl<U> std::fmt::Debug for FileReader<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileReader")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("line", &self.line)
            .finish()
    }
}

impl<U: Units> FileReader<U> {
    /// Opens `path`, detects gzip and the format from the first line.
    ///
    /// # Errors
    /// [`FeedError::Io`], [`FeedError::Gzip`], [`FeedError::UnknownFormat`], [`FeedError::LineTooLong`].
    pub(super) fn open(path: &Path, units: U, strict: bool, latency_ns: u64) -> Result<Self, FeedError> {
        let io_error = |source| FeedError::Io { path: path.display().to_string(), source };
        let mut file = BufReader::with_capacity(BUFFER_BYTES, File::open(path).map_err(io_error)?);
        let gzip = file.fill_buf().map_err(io_error)?.starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(BUFFER_BYTES, MultiGzDecoder::new(file)))
        } else {
            Box::new(file)
        };
        let mut reader = FileReader {
            path: path.to_path_buf(),
            input,
            gzip,
            format: Format::BinanceJson,
            parser: Parser::Json(BinanceJson::default()),
            units,
            strict,
            line: 0,
            buf: Vec::with_capacity(4096),
            first_pending: false,
            out: Vec::with_capacity(256),
            pos: 0,
            last_local_ns: None,
            stats: ReplayStats::default(),
            done: false,
        };
        let found = reader.read_line()?;
        let first = String::from_utf8_lossy(trim_line_end(&reader.buf)).into_owned();
        let format = found.then(|| Format::detect(&first)).flatten().ok_or_else(|| FeedError::UnknownFormat {
            location: reader.location(),
            first_line: first.chars().take(120).collect(),
        })?;
        reader.format = format;
        reader.parser = match format {
            Format::BinanceJson => Parser::Json(BinanceJson::default()),
            Format::BinanceTrades { .. } => Parser::Trades(BinanceTradesCsv::new(latency_ns)),
            tardis => Parser::Tardis(TardisCsv::new(tardis)),
        };
        reader.first_pending = !format.has_header();
        Ok(reader)
    }

    /// The file.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The detected format.
    pub(super) fn format(&self) -> Format {
        self.format
    }

    /// The number of lines read so far.
    pub(super) fn lines_read(&self) -> u64 {
        self.line
    }

    /// What was read and skipped so far.
    pub(super) fn stats(&self) -> &ReplayStats {
        &self.stats
    }

    /// The converter (the probe reads its findings back from here).
    pub(super) fn units(&self) -> &U {
        &self.units
    }

    fn location(&self) -> Location {
        Location { file: self.path.clone(), line: self.line }
    }

    /// Reads the next line into `buf`; false at the end of the file.
    fn read_line(&mut self) -> Result<bool, FeedError> {
        if self.first_pending {
            self.first_pending = false;
            return Ok(true);
        }
        self.buf.clear();
        let read = (&mut self.input).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut self.buf);
        let n = read.map_err(|source| self.read_error(source))?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        self.stats.lines += 1;
        if self.buf.len() > MAX_LINE_BYTES {
            return Err(FeedError::LineTooLong { location: self.location(), limit: MAX_LINE_BYTES });
        }
        Ok(true)
    }

    fn read_error(&self, source: io::Error) -> FeedError {
        if self.gzip {
            FeedError::Gzip { location: self.location(), source }
        } else {
            FeedError::Io { path: self.path.display().to_string(), source }
        }
    }

    /// The next event, `None` at the end of the file. After an error, always `None`.
    pub(super) fn next_event(&mut self) -> Result<Option<Event>, FeedError> {
        if let Some(&event) = self.out.get(self.pos) {
            self.pos += 1;
            return Ok(Some(event));
        }
        while !self.done {
            self.out.clear();
            self.pos = 0;
            let step =
                self.read_line().and_then(|more| if more { self.parse_line().map(|()| true) } else { Ok(false) });
            match step {
                Ok(true) if !self.out.is_empty() => {
                    self.pos = 1;
                    return Ok(Some(self.out[0]));
                }
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
        Ok(None)
    }

    /// Parses the line in `buf` into `out` (nothing when the line is skipped).
    fn parse_line(&mut self) -> Result<(), FeedError> {
        let mut bytes = trim_line_end(&self.buf);
        if self.line == 1 {
            bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        }
        let parsed = if bytes.is_empty() {
            Err(LineError::skip(SkipReason::BlankLine, None, "empty line"))
        } else {
            match std::str::from_utf8(bytes) {
                Err(_) => {
                    let reason =
                        if self.format == Format::BinanceJson { SkipReason::NotJson } else { SkipReason::BadField };
                    Err(LineError::skip(reason, None, "not UTF-8 text"))
                }
                Ok(line) => match &mut self.parser {
                    Parser::Json(p) => p.parse(line, &mut self.units, &mut self.out),
                    Parser::Tardis(p) => p.parse(line, &mut self.units, &mut self.out),
                    Parser::Trades(p) => p.parse(line, &mut self.units, &mut self.out),
                },
            }
        };
        match parsed {
            Ok(()) => {
                if let Some(first) = self.out.first() {
                    let local_ns = first.local_ns;
                    if let Some(previous_ns) = self.last_local_ns.filter(|&p| local_ns < p) {
                        return Err(FeedError::TimeWentBackwards {
                            location: self.location(),
                            previous_ns,
                            found_ns: local_ns,
                        });
                    }
                    self.last_local_ns = Some(local_ns);
                }
                for event in &self.out {
                    if let Some(kind) = event.kind.message_kind() {
                        self.stats.read(kind);
                    }
                }
                Ok(())
            }
            Err(LineError::Skip { reason, kind, detail }) => {
                if self.strict {
                    return Err(FeedError::Rejected { location: self.location(), reason, detail });
                }
                let at = self.location();
                self.stats.skip(reason, kind, true, || at.to_string());
                Ok(())
            }
            Err(LineError::Value { field, value, too_large }) => {
                let (location, step) = (self.location(), self.units.step_of(field));
                let grid = if field == "price" { "tick" } else { "lot" };
                Err(if too_large {
                    FeedError::TooLarge { location, field, value, grid, step }
                } else {
                    FeedError::OffGrid { location, field, value, grid, step }
                })
            }
        }
    }
}

impl<U: Units> Iterator for FileReader<U> {
    type Item = Result<Event, FeedError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

/// `line` without its trailing `\n` or `\r\n`.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
