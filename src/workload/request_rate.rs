//! Request-rate series for long-running services: the offered load over time, read from a
//! trace file or given as inline points, streamed as piecewise-constant [`RateStep`]s.
//!
//! This module owns the three rate-trace formats, the mapping from a trace's own clock to
//! simulated time (window, shift, repeat) and the scaling of rates.
//! It does not know what a request costs a task: that is [`super::service_load`].
//!
//! # Steps
//!
//! A [`RateStep`] says "from `at` on, requests arrive at `requests_per_second`"; the rate
//! holds until the next step. Steps come in strictly increasing `at` order. Consecutive steps
//! with the same rate are merged into one (except at the start of each repetition of a
//! looped window), and a step that would last less than a millisecond is dropped in favour
//! of the one after it.
//! A stream that does not repeat ends with a step of rate 0 at the end of its window (or of
//! the trace): after the trace there is no load. The one exception is a [`RateFormat::Csv`]
//! file read without `window_end`, whose last rate holds for ever.
//!
//! # Formats
//!
//! [`RateFormat::Csv`], ecsim's own:
//!
//! ```text
//! # Lunch peak, hand-written for the tutorial.
//! time_s,requests_per_second
//! 0,20
//! 1800,150.5
//! 3600,20
//! ```
//!
//! - The header is `time_s,requests_per_second` or `time_s,requests_per_minute`; the second
//!   name says the unit of the rate column.
//! - `time_s`: seconds on the series' own clock, a decimal ≥ 0 with at most 3 decimal places,
//!   converted exactly. Rows must be in non-decreasing time order; of two rows with the same
//!   time the later wins.
//! - The rate is a decimal ≥ 0 (no sign, no exponent). It holds from the row's time until the
//!   next row; the last row's rate holds for ever unless a `window_end` is given.
//! - Blank lines and lines starting with `#` are ignored anywhere; CRLF is accepted.
//!
//! [`RateFormat::WorldCup98`], the 1998 World Cup web site requests per minute
//! (`scenarios/traces/worldcup98/`): header `period,count`, then one row per minute,
//! `YYYY-MM-DD HH:MM:00,count`, in strictly increasing time order. A row's rate is
//! `count / 60` requests per second for that minute. **A minute without a row had no
//! requests**: it becomes a step of rate 0. The trace ends one minute after its last row.
//!
//! [`RateFormat::AzureLlm`], the Azure LLM inference trace 2023 (`scenarios/traces/azure-llm-code/`):
//! one request per row; the first column, `TIMESTAMP`, is `YYYY-MM-DD HH:MM:SS` with up to 7
//! digits of fractional seconds (cut to the millisecond); the other columns are ignored but
//! every row must have as many fields as the header. Arrivals are counted in bins
//! [`RateOptions::bucket`] long, laid from the window start (by default the first timestamp,
//! rounded down to the millisecond); a bin's rate is its count divided by its length in
//! seconds, and an empty bin is a step of rate 0. A bin cut short by `window_end` is divided
//! by its shorter length, so the requests in any window are exactly the rate integrated over
//! it. The trace ends at the end of the bin holding its last arrival.
//!
//! # From the trace's clock to simulated time
//!
//! The window runs from `window_start` (by default the trace's first timestamp) to
//! `window_end` (exclusive; by default the trace's end). Its start is replayed at simulated
//! time [`RateOptions::shift`]: a trace time `t` becomes `shift + (t − window_start)`.
//! The first step is at `shift`, with the rate in effect at `window_start` (0 in a WorldCup
//! gap). Rates are multiplied by [`RateOptions::scale`].
//! With [`RateOptions::repeat`] the window is replayed again and again, each time shifted by
//! its length, so the stream never ends; the file is read again for every repetition.
//! A window that starts before the trace, or starts or ends after the trace's end, is an
//! error. A bound may be an offset from the trace's first timestamp or, for the dated
//! formats, a date and time on the trace's own clock ([`WindowBound`]).
//!
//! # Streaming and errors
//!
//! The reader holds one row at a time and at most a few pending steps. Problems are
//! [`TraceError`]s naming the file and line; some can only be seen at the end of the file
//! (a `window_end` after the trace's end), so they come after the steps before them.
//! After an error the stream yields `None`.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::calendar;
use super::parse::{parse_decimal, parse_u64, split_fields, Lines};
use super::TraceError;
use crate::engine::time::{SimDuration, SimTime};

/// From `at` on, requests arrive at `requests_per_second` (until the next step).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateStep {
    /// When the rate starts to hold.
    pub at: SimTime,
    /// Offered load, requests per second; finite and ≥ 0.
    pub requests_per_second: f64,
}

/// The layout of a rate trace file. See the module documentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RateFormat {
    /// ecsim's own CSV: `time_s` and `requests_per_second` or `requests_per_minute`.
    #[default]
    Csv,
    /// The WorldCup98 requests-per-minute table (`period,count`).
    WorldCup98,
    /// The Azure LLM inference trace: one request per row, bucketed into a rate.
    AzureLlm,
}

/// One end of the replayed window.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WindowBound {
    /// This long after the trace's first timestamp.
    Offset(SimDuration),
    /// A date and time `YYYY-MM-DD HH:MM:SS` on the trace's own clock (UTC for WorldCup98).
    /// Only for the dated formats; checked when the trace is opened.
    At(String),
}

impl WindowBound {
    /// True if the bound can be used with a trace of `format`: an `At` bound must be a valid
    /// date and time (e.g. not `1998-02-30 00:00:00`) and `format` must be a dated one.
    /// Lets a scenario check its options before any file is opened.
    pub fn is_valid_for(&self, format: RateFormat) -> bool {
        match self {
            WindowBound::Offset(_) => true,
            WindowBound::At(text) => {
                format != RateFormat::Csv && calendar::parse_timestamp(text, 0).is_some()
            }
        }
    }
}

/// How a rate trace is read and replayed.
#[derive(Clone, Debug, PartialEq)]
pub struct RateOptions {
    /// The file's layout.
    pub format: RateFormat,
    /// Every rate is multiplied by this; finite and > 0. Default 1.
    pub scale: f64,
    /// Simulated time at which the window's start is replayed. Default 0.
    pub shift: SimDuration,
    /// Where the window starts; `None` is the trace's first timestamp.
    pub window_start: Option<WindowBound>,
    /// Where the window ends (exclusive); `None` is the trace's end.
    pub window_end: Option<WindowBound>,
    /// Replay the window for ever, each repetition shifted by the window's length.
    /// A `Csv` trace needs a `window_end` to repeat, since its last rate has no end.
    pub repeat: bool,
    /// Bin length for [`RateFormat::AzureLlm`]; at least 1 s. Default 60 s. Ignored by the
    /// other formats.
    pub bucket: SimDuration,
}

impl RateOptions {
    /// The defaults for `format`: scale 1, no shift, the whole trace once, 60 s bins.
    pub fn new(format: RateFormat) -> Self {
        RateOptions {
            format,
            scale: 1.0,
            shift: SimDuration::ZERO,
            window_start: None,
            window_end: None,
            repeat: false,
            bucket: SimDuration::from_secs(60),
        }
    }
}

impl Default for RateOptions {
    fn default() -> Self {
        RateOptions::new(RateFormat::Csv)
    }
}

/// Why a list of inline rate points was refused by [`RateReader::from_points`].
/// `index` is the 0-based position in the list.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PointsError {
    /// A rate is negative, infinite or NaN.
    #[error("point {index}: expected requests per second ≥ 0, found {found}")]
    Rate {
        /// The point.
        index: usize,
        /// Its rate.
        found: f64,
    },
    /// A point is not later than the one before it.
    #[error("point {index}: expected a time after the previous point's {previous}, found {found}")]
    Order {
        /// The point.
        index: usize,
        /// Its time.
        found: SimTime,
        /// The previous point's time.
        previous: SimTime,
    },
    /// The repeat period does not exceed the time from the first point to the last.
    #[error("repeat period: expected more than {span} (first to last point), found {found}")]
    Period {
        /// The period given.
        found: SimDuration,
        /// Last point's time minus the first's.
        span: SimDuration,
    },
}

/// A stream of [`RateStep`]s from a rate trace or from inline points.
///
/// It yields steps in strictly increasing time order and stops at the first error.
/// A repeating stream never ends: pull only as far as the simulation needs.
#[derive(Debug)]
pub struct RateReader {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Trace(Box<TraceRates>),
    Points(PointRates),
}

impl RateReader {
    /// Opens the trace at `path`, checks `options` and reads the header and the first row
    /// (to resolve offsets from the first timestamp).
    pub fn open(path: &Path, options: &RateOptions) -> Result<RateReader, TraceError> {
        let trace = TraceRates::open(path, options)?;
        Ok(RateReader {
            inner: Inner::Trace(Box::new(trace)),
        })
    }

    /// A stream of the given steps, in simulated time as given (no shift or scale).
    /// The rate before the first point is 0 and the last point's rate holds for ever, unless
    /// `repeat_period` is given: then the points are replayed again and again, each time
    /// `repeat_period` later, which must exceed the time from the first point to the last.
    /// Points must have strictly increasing times and finite rates ≥ 0. An empty list yields
    /// nothing.
    pub fn from_points(
        points: Vec<RateStep>,
        repeat_period: Option<SimDuration>,
    ) -> Result<RateReader, PointsError> {
        for (index, p) in points.iter().enumerate() {
            if !(p.requests_per_second.is_finite() && p.requests_per_second >= 0.0) {
                return Err(PointsError::Rate {
                    index,
                    found: p.requests_per_second,
                });
            }
            if index > 0 && p.at <= points[index - 1].at {
                return Err(PointsError::Order {
                    index,
                    found: p.at,
                    previous: points[index - 1].at,
                });
            }
        }
        if let (Some(period), Some(first), Some(last)) =
            (repeat_period, points.first(), points.last())
        {
            let span = last.at - first.at;
            if period <= span {
                return Err(PointsError::Period {
                    found: period,
                    span,
                });
            }
        }
        Ok(RateReader {
            inner: Inner::Points(PointRates {
                points,
                period: repeat_period,
                index: 0,
                offset: 0,
            }),
        })
    }
}

impl Iterator for RateReader {
    type Item = Result<RateStep, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Trace(t) => t.next(),
            Inner::Points(p) => p.next().map(Ok),
        }
    }
}

/// Inline points, possibly looped.
#[derive(Debug)]
struct PointRates {
    points: Vec<RateStep>,
    period: Option<SimDuration>,
    /// The next point to yield.
    index: usize,
    /// Milliseconds added to every point in the current repetition.
    offset: u64,
}

impl Iterator for PointRates {
    type Item = RateStep;

    fn next(&mut self) -> Option<RateStep> {
        if self.index == self.points.len() {
            let period = self.period?;
            if self.points.is_empty() {
                return None;
            }
            self.index = 0;
            self.offset = self.offset.saturating_add(period.as_millis());
        }
        let p = self.points[self.index];
        self.index += 1;
        Some(RateStep {
            at: p.at + SimDuration(self.offset),
            requests_per_second: p.requests_per_second,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Rows: one format's lines, parsed and order-checked.

/// Milliseconds on the trace's own clock: since 1970-01-01 00:00:00 for the dated formats,
/// since `time_s` 0 for Csv.
type TraceMs = i64;

/// One data row.
#[derive(Clone, Copy, Debug)]
struct Row {
    at: TraceMs,
    /// Requests per second (Csv), requests in the minute (WorldCup98), or 1 (Azure).
    value: f64,
    line: u64,
}

#[derive(Clone, Copy, Debug)]
enum Layout {
    Csv { per_minute: bool },
    WorldCup,
    Azure { fields: usize },
}

/// Accepted Csv headers.
const CSV_PER_SECOND: &str = "time_s,requests_per_second";
const CSV_PER_MINUTE: &str = "time_s,requests_per_minute";
/// The two, as quoted in a header error.
const CSV_HEADERS: &str = "time_s,requests_per_second` or `time_s,requests_per_minute";
const WORLDCUP_HEADER: &str = "period,count";
/// The published Azure header; only its first field, `TIMESTAMP`, is required.
const AZURE_HEADER: &str = "TIMESTAMP,ContextTokens,GeneratedTokens";

#[derive(Debug)]
struct Rows {
    lines: Lines<BufReader<File>>,
    layout: Layout,
    format: RateFormat,
    /// Time and line of the previous row, for the order check.
    previous: Option<(TraceMs, u64)>,
    /// A row read ahead by [`Rows::first`].
    peeked: Option<Row>,
}

impl Rows {
    fn open(path: &Path, format: RateFormat) -> Result<Rows, TraceError> {
        let file = File::open(path).map_err(|error| TraceError::Open {
            file: path.to_path_buf(),
            error,
        })?;
        let mut lines = Lines::new(BufReader::new(file), path.to_path_buf());
        let header_error = |lines: &Lines<_>, expected, found: &str| TraceError::Header {
            file: lines.file().to_path_buf(),
            line: lines.number(),
            expected,
            found: found.to_string(),
        };
        let layout = match format {
            RateFormat::Csv => {
                let mut found = false;
                while lines.advance()? {
                    if !is_skippable(lines.text()) {
                        found = true;
                        break;
                    }
                }
                match lines.text() {
                    _ if !found => return Err(header_error(&lines, CSV_HEADERS, "")),
                    CSV_PER_SECOND => Layout::Csv { per_minute: false },
                    CSV_PER_MINUTE => Layout::Csv { per_minute: true },
                    other => return Err(header_error(&lines, CSV_HEADERS, other)),
                }
            }
            RateFormat::WorldCup98 => {
                let found = lines.advance()?;
                if !found || lines.text() != WORLDCUP_HEADER {
                    let text = if found { lines.text() } else { "" };
                    return Err(header_error(&lines, WORLDCUP_HEADER, text));
                }
                Layout::WorldCup
            }
            RateFormat::AzureLlm => {
                let found = lines.advance()?;
                let mut f = [""; 1];
                let fields = split_fields(lines.text(), ',', &mut f);
                if !found || f[0] != "TIMESTAMP" {
                    let text = if found { lines.text() } else { "" };
                    return Err(header_error(&lines, AZURE_HEADER, text));
                }
                Layout::Azure { fields }
            }
        };
        Ok(Rows {
            lines,
            layout,
            format,
            previous: None,
            peeked: None,
        })
    }

    /// Reads the first row ahead, so offsets can be resolved; [`Rows::next`] yields it again.
    fn first(&mut self) -> Result<Row, TraceError> {
        match self.next()? {
            Some(row) => {
                self.peeked = Some(row);
                Ok(row)
            }
            None => Err(TraceError::Empty {
                file: self.lines.file().to_path_buf(),
                line: self.lines.number(),
            }),
        }
    }

    /// The line of the last row read (or the header's, before any row).
    fn last_line(&self) -> u64 {
        self.previous.map_or(1, |(_, line)| line)
    }

    fn next(&mut self) -> Result<Option<Row>, TraceError> {
        if let Some(row) = self.peeked.take() {
            return Ok(Some(row));
        }
        let lines = &mut self.lines;
        loop {
            if !lines.advance()? {
                return Ok(None);
            }
            if !matches!(self.layout, Layout::Csv { .. }) || !is_skippable(lines.text()) {
                break;
            }
        }
        let lines = &self.lines;
        let (at, value, strict) = match self.layout {
            Layout::Csv { per_minute } => {
                let mut f = [""; 2];
                let n = split_fields(lines.text(), ',', &mut f);
                if n != 2 {
                    return Err(lines.field_count_error(2, n, "comma", ""));
                }
                let at = parse_decimal(f[0], 3)
                    .and_then(|d| d.shifted_u64(3))
                    .and_then(|ms| i64::try_from(ms).ok())
                    .ok_or_else(|| lines.field_error("time_s", SECONDS, f[0]))?;
                let (column, expected) = if per_minute {
                    ("requests_per_minute", "requests per minute ≥ 0")
                } else {
                    ("requests_per_second", "requests per second ≥ 0")
                };
                let rate =
                    parse_rate(f[1]).ok_or_else(|| lines.field_error(column, expected, f[1]))?;
                let rate = if per_minute { rate / 60.0 } else { rate };
                (at, rate, false)
            }
            Layout::WorldCup => {
                let mut f = [""; 2];
                let n = split_fields(lines.text(), ',', &mut f);
                if n != 2 {
                    return Err(lines.field_count_error(2, n, "comma", "WorldCup98 "));
                }
                let at = calendar::parse_timestamp(f[0], 0)
                    .filter(|ms| ms.rem_euclid(60_000) == 0)
                    .ok_or_else(|| lines.field_error("period", MINUTE, f[0]))?;
                let count = parse_u64(f[1]).ok_or_else(|| {
                    lines.field_error("count", "a whole number of requests ≥ 0", f[1])
                })?;
                (at, count as f64, true)
            }
            Layout::Azure { fields } => {
                let mut f = [""; 1];
                let n = split_fields(lines.text(), ',', &mut f);
                if n != fields {
                    return Err(lines.field_count_error(fields, n, "comma", "Azure "));
                }
                let at = calendar::parse_timestamp(f[0], 7)
                    .ok_or_else(|| lines.field_error("TIMESTAMP", AZURE_TIME, f[0]))?;
                (at, 1.0, false)
            }
        };
        let line = lines.number();
        if let Some((previous, previous_line)) = self.previous {
            if at < previous || (strict && at == previous) {
                return Err(TraceError::NotIncreasing {
                    file: lines.file().to_path_buf(),
                    line,
                    order: if strict {
                        "increasing"
                    } else {
                        "non-decreasing"
                    },
                    found: format_trace_time(self.format, at),
                    previous: format_trace_time(self.format, previous),
                    previous_line,
                });
            }
        }
        self.previous = Some((at, line));
        Ok(Some(Row { at, value, line }))
    }
}

const SECONDS: &str = "seconds ≥ 0 with at most 3 decimal places";
const MINUTE: &str = "the start of a minute, `YYYY-MM-DD HH:MM:00`";
const AZURE_TIME: &str = "a date and time `YYYY-MM-DD HH:MM:SS` with up to 7 decimal places";

/// Blank and comment lines carry no row (Csv only).
fn is_skippable(text: &str) -> bool {
    let t = text.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// A plain decimal ≥ 0 (digits, optionally a point and more digits) as an `f64`.
fn parse_rate(s: &str) -> Option<f64> {
    parse_decimal(s, 18)?;
    s.parse().ok()
}

/// A trace time as the user would write it: a date for the dated formats, seconds for Csv.
fn format_trace_time(format: RateFormat, ms: TraceMs) -> String {
    match format {
        RateFormat::Csv if ms % 1000 == 0 => format!("{} s", ms / 1000),
        RateFormat::Csv => format!("{}.{:03} s", ms / 1000, ms % 1000),
        RateFormat::WorldCup98 | RateFormat::AzureLlm => calendar::format_timestamp(ms),
    }
}

// ---------------------------------------------------------------------------------------
// Shapers: rows to rate changes on the trace's clock.

/// A change of rate, or the end of the trace's data, on the trace's clock.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    Rate { at: TraceMs, rps: f64 },
    End { at: TraceMs },
}

#[derive(Debug)]
enum Shaper {
    /// Each row is a change; the file ends without an end.
    Csv,
    /// Each row is a one-minute change, preceded by a 0 change if minutes are missing.
    WorldCup {
        /// End of the last row's minute.
        covered_until: Option<TraceMs>,
        queued: Option<Change>,
        ended: bool,
    },
    Azure(Bucketer),
}

impl Shaper {
    fn new(format: RateFormat, start: TraceMs, end: Option<TraceMs>, bucket: i64) -> Shaper {
        match format {
            RateFormat::Csv => Shaper::Csv,
            RateFormat::WorldCup98 => Shaper::WorldCup {
                covered_until: None,
                queued: None,
                ended: false,
            },
            RateFormat::AzureLlm => Shaper::Azure(Bucketer {
                start,
                end,
                width: bucket,
                bin: start,
                count: 0,
                seen: false,
                last_arrival: None,
                queue: VecDeque::with_capacity(3),
                finished: false,
            }),
        }
    }

    fn next(&mut self, rows: &mut Rows) -> Result<Option<Change>, TraceError> {
        match self {
            Shaper::Csv => Ok(rows.next()?.map(|row| Change::Rate {
                at: row.at,
                rps: row.value,
            })),
            Shaper::WorldCup {
                covered_until,
                queued,
                ended,
            } => {
                if let Some(change) = queued.take() {
                    return Ok(Some(change));
                }
                if *ended {
                    return Ok(None);
                }
                let Some(row) = rows.next()? else {
                    *ended = true;
                    return Ok(covered_until.map(|at| Change::End { at }));
                };
                let change = Change::Rate {
                    at: row.at,
                    rps: row.value / 60.0,
                };
                let gap_from = covered_until.filter(|&until| until < row.at);
                *covered_until = Some(row.at + 60_000);
                match gap_from {
                    Some(at) => {
                        *queued = Some(change);
                        Ok(Some(Change::Rate { at, rps: 0.0 }))
                    }
                    None => Ok(Some(change)),
                }
            }
            Shaper::Azure(b) => b.next(rows),
        }
    }
}

/// Counts Azure arrivals in bins laid from the window start.
#[derive(Debug)]
struct Bucketer {
    /// Where the first bin starts.
    start: TraceMs,
    /// Where the last bin is cut, if the window has an end.
    end: Option<TraceMs>,
    /// Bin length, ms.
    width: i64,
    /// Start of the bin being counted.
    bin: TraceMs,
    /// Arrivals in it so far.
    count: u64,
    /// True once an arrival at or after `start` was read.
    seen: bool,
    last_arrival: Option<TraceMs>,
    queue: VecDeque<Change>,
    finished: bool,
}

impl Bucketer {
    fn next(&mut self, rows: &mut Rows) -> Result<Option<Change>, TraceError> {
        loop {
            if let Some(change) = self.queue.pop_front() {
                return Ok(Some(change));
            }
            if self.finished {
                return Ok(None);
            }
            let Some(row) = rows.next()? else {
                self.finished = true;
                if !self.seen {
                    // Every arrival is before the window: report where the data stopped.
                    let at = self.last_arrival.unwrap_or(self.start);
                    self.queue.push_back(Change::End { at });
                    continue;
                }
                let mut end = self.bin + self.width;
                if let Some(cut) = self.end {
                    end = end.min(cut);
                }
                self.close_bin(end);
                self.queue.push_back(Change::End { at: end });
                continue;
            };
            let at = row.at;
            self.last_arrival = Some(at);
            if at < self.start {
                continue;
            }
            self.seen = true;
            if let Some(cut) = self.end.filter(|&cut| at >= cut) {
                // The window is over: close the open bin at the cut, with a 0 step for the
                // empty bins between it and the cut.
                self.finished = true;
                let bin_end = self.bin + self.width;
                self.close_bin(bin_end.min(cut));
                if bin_end < cut {
                    self.queue.push_back(Change::Rate {
                        at: bin_end,
                        rps: 0.0,
                    });
                }
                self.queue.push_back(Change::End { at: cut });
                continue;
            }
            let bin = self.start + (at - self.start) / self.width * self.width;
            if bin == self.bin {
                self.count += 1;
                continue;
            }
            let previous_end = self.bin + self.width;
            self.close_bin(previous_end);
            if bin > previous_end {
                self.queue.push_back(Change::Rate {
                    at: previous_end,
                    rps: 0.0,
                });
            }
            self.bin = bin;
            self.count = 1;
        }
    }

    /// Queues the open bin's rate, the bin ending at `end`.
    fn close_bin(&mut self, end: TraceMs) {
        let seconds = (end - self.bin) as f64 / 1000.0;
        self.queue.push_back(Change::Rate {
            at: self.bin,
            rps: self.count as f64 / seconds,
        });
    }
}

// ---------------------------------------------------------------------------------------
// The window: changes on the trace's clock to steps in simulated time.

#[derive(Debug)]
struct TraceRates {
    path: PathBuf,
    format: RateFormat,
    scale: f64,
    shift: SimDuration,
    repeat: bool,
    bucket: i64,
    /// Window start on the trace's clock.
    start: TraceMs,
    /// Window end, if given (set to the first pass's end when repeating).
    end: Option<TraceMs>,
    /// How the bounds are quoted in errors.
    start_label: String,
    end_label: String,
    rows: Rows,
    shaper: Shaper,
    /// True once the step at the window start has been produced in this repetition.
    inside: bool,
    /// While before the window: the rate in effect.
    current: f64,
    /// Milliseconds added to every step of this repetition.
    offset: u64,
    /// True until the first step of this repetition is produced.
    fresh: bool,
    /// Steps produced but not yet merged; at most two.
    out: VecDeque<(RateStep, bool)>,
    /// No step will be produced after those in `out`.
    finished: bool,
    /// The step held back to be merged with the next ones, and whether it starts a repetition.
    pending: Option<(RateStep, bool)>,
    /// The rate of the last step yielded.
    last_rate: Option<f64>,
    /// An error was yielded.
    failed: bool,
}

impl TraceRates {
    fn open(path: &Path, options: &RateOptions) -> Result<TraceRates, TraceError> {
        let option_error = |option, expected, found: String| TraceError::Option {
            file: path.to_path_buf(),
            option,
            expected,
            found,
        };
        if !(options.scale.is_finite() && options.scale > 0.0) {
            return Err(option_error(
                "scale",
                "a finite number > 0",
                options.scale.to_string(),
            ));
        }
        if options.format == RateFormat::AzureLlm && options.bucket < SimDuration::from_secs(1) {
            return Err(option_error(
                "bucket",
                "at least 1 s",
                options.bucket.to_string(),
            ));
        }
        let parse_at = |option, bound: &Option<WindowBound>| match bound {
            Some(WindowBound::At(text)) if options.format == RateFormat::Csv => Err(option_error(
                option,
                "an offset (a Csv rate trace has no dates)",
                format!("{text:?}"),
            )),
            Some(WindowBound::At(text)) => {
                calendar::parse_timestamp(text, 0).map(Some).ok_or_else(|| {
                    option_error(
                        option,
                        "a valid date and time `YYYY-MM-DD HH:MM:SS`",
                        format!("{text:?}"),
                    )
                })
            }
            _ => Ok(None),
        };
        let start_at = parse_at("window_start", &options.window_start)?;
        let end_at = parse_at("window_end", &options.window_end)?;
        if options.repeat && options.format == RateFormat::Csv && options.window_end.is_none() {
            return Err(option_error(
                "repeat",
                "a window_end as well (a Csv rate trace's last rate has no end)",
                "true".to_string(),
            ));
        }

        let mut rows = Rows::open(path, options.format)?;
        let first = rows.first()?;
        let resolve = |option, bound: &Option<WindowBound>, at: Option<TraceMs>| match bound {
            None => Ok(None),
            Some(WindowBound::At(text)) => Ok(at.map(|ms| (ms, text.clone()))),
            Some(WindowBound::Offset(d)) => i64::try_from(d.as_millis())
                .ok()
                .and_then(|ms| first.at.checked_add(ms))
                .map(|ms| {
                    let label = format!("offset {d} ({})", format_trace_time(options.format, ms));
                    Some((ms, label))
                })
                .ok_or_else(|| option_error(option, "a shorter offset", d.to_string())),
        };
        let (start, start_label) = resolve("window_start", &options.window_start, start_at)?
            .unwrap_or_else(|| (first.at, "the first timestamp".to_string()));
        let end = resolve("window_end", &options.window_end, end_at)?;
        if start < first.at {
            return Err(TraceError::Window {
                file: path.to_path_buf(),
                line: first.line,
                option: "window_start",
                found: start_label,
                problem: format!(
                    "before the trace's first timestamp, {}",
                    format_trace_time(options.format, first.at)
                ),
            });
        }
        if let Some((end, end_label)) = &end {
            if *end <= start {
                return Err(option_error(
                    "window_end",
                    "a time after window_start",
                    format!("{end_label}, with windowStart {start_label}"),
                ));
            }
        }
        let (end, end_label) = match end {
            Some((ms, label)) => (Some(ms), label),
            None => (None, String::new()),
        };
        let bucket = options.bucket.as_millis() as i64;
        Ok(TraceRates {
            path: path.to_path_buf(),
            format: options.format,
            scale: options.scale,
            shift: options.shift,
            repeat: options.repeat,
            bucket,
            start,
            end,
            start_label,
            end_label,
            rows,
            shaper: Shaper::new(options.format, start, end, bucket),
            inside: false,
            current: 0.0,
            offset: 0,
            fresh: true,
            out: VecDeque::with_capacity(2),
            finished: false,
            pending: None,
            last_rate: None,
            failed: false,
        })
    }

    /// Produces the steps of one more change into `out`, or ends the stream.
    fn fill(&mut self) -> Result<(), TraceError> {
        let change = self.shaper.next(&mut self.rows)?;
        if !self.inside {
            match change {
                Some(Change::Rate { at, rps }) if at <= self.start => {
                    self.current = rps;
                    return Ok(());
                }
                Some(Change::End { at }) if at <= self.start => {
                    return Err(self.window_error(
                        "window_start",
                        self.start_label.clone(),
                        "at or after the end of the trace",
                        at,
                    ));
                }
                _ => {
                    self.inside = true;
                    self.emit(self.start, self.current);
                }
            }
        }
        match (change, self.end) {
            (Some(Change::Rate { at, .. }), Some(end)) if at >= end => self.end_window(end),
            (Some(Change::Rate { at, rps }), _) => {
                self.emit(at, rps);
                Ok(())
            }
            (Some(Change::End { at }), Some(end)) if at < end => Err(self.window_error(
                "window_end",
                self.end_label.clone(),
                "after the end of the trace",
                at,
            )),
            (Some(Change::End { .. }), Some(end)) | (None, Some(end)) => self.end_window(end),
            (Some(Change::End { at }), None) => self.end_window(at),
            (None, None) => {
                // A Csv trace without window_end: its last rate holds for ever.
                self.finished = true;
                Ok(())
            }
        }
    }

    /// The window ends at `end` (trace clock): loop, or close with a 0 step.
    fn end_window(&mut self, end: TraceMs) -> Result<(), TraceError> {
        if !self.repeat {
            self.emit(end, 0.0);
            self.finished = true;
            return Ok(());
        }
        // The window is at least 1 ms long (end > start, both whole ms), so every repetition
        // moves time forward.
        let period = (end - self.start) as u64;
        self.offset = self.offset.saturating_add(period);
        self.end = Some(end);
        self.rows = Rows::open(&self.path, self.format)?;
        self.shaper = Shaper::new(self.format, self.start, self.end, self.bucket);
        self.inside = false;
        self.current = 0.0;
        self.fresh = true;
        Ok(())
    }

    fn emit(&mut self, at: TraceMs, rps: f64) {
        debug_assert!(at >= self.start);
        let since_start = at.saturating_sub(self.start) as u64;
        let at = SimTime(
            self.shift
                .as_millis()
                .saturating_add(self.offset)
                .saturating_add(since_start),
        );
        let step = RateStep {
            at,
            requests_per_second: rps * self.scale,
        };
        self.out.push_back((step, self.fresh));
        self.fresh = false;
    }

    fn window_error(
        &self,
        option: &'static str,
        found: String,
        problem: &str,
        trace_end: TraceMs,
    ) -> TraceError {
        TraceError::Window {
            file: self.path.clone(),
            line: self.rows.last_line(),
            option,
            found,
            problem: format!("{problem}, {}", format_trace_time(self.format, trace_end)),
        }
    }

    /// Releases a step that no later step replaces, unless it repeats the last rate.
    fn release(&mut self, (step, fresh): (RateStep, bool)) -> Option<RateStep> {
        if !fresh && self.last_rate == Some(step.requests_per_second) {
            return None;
        }
        self.last_rate = Some(step.requests_per_second);
        Some(step)
    }

    fn next(&mut self) -> Option<Result<RateStep, TraceError>> {
        loop {
            if self.failed {
                return None;
            }
            let Some((step, fresh)) = self.out.pop_front() else {
                if self.finished {
                    let pending = self.pending.take()?;
                    return self.release(pending).map(Ok);
                }
                if let Err(e) = self.fill() {
                    self.failed = true;
                    self.pending = None;
                    return Some(Err(e));
                }
                continue;
            };
            match self.pending {
                // A step of no length: the later one wins.
                Some((held, held_fresh)) if held.at == step.at => {
                    self.pending = Some((step, held_fresh || fresh));
                }
                Some(_) => {
                    let held = self.pending.replace((step, fresh));
                    if let Some(released) = held.and_then(|h| self.release(h)) {
                        return Some(Ok(released));
                    }
                }
                None => self.pending = Some((step, fresh)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A trace written to its own temporary directory as `rates.csv`.
    struct Trace {
        dir: tempfile::TempDir,
        path: PathBuf,
    }

    fn trace(text: &str) -> Trace {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.csv");
        fs::write(&path, text).unwrap();
        Trace { dir, path }
    }

    impl Trace {
        /// An error message with the directory cut off, so it starts with `rates.csv:`.
        fn short(&self, e: TraceError) -> String {
            let prefix = format!("{}/", self.dir.path().display());
            e.to_string().replace(&prefix, "")
        }

        /// The whole stream as (ms, requests per second), or its first error.
        fn read(&self, options: &RateOptions) -> Result<Vec<(u64, f64)>, String> {
            let reader = RateReader::open(&self.path, options).map_err(|e| self.short(e))?;
            reader
                .map(|s| s.map(|s| (s.at.as_millis(), s.requests_per_second)))
                .collect::<Result<_, _>>()
                .map_err(|e| self.short(e))
        }

        /// The first `n` steps of a stream that may not end.
        fn take(&self, options: &RateOptions, n: usize) -> Vec<(u64, f64)> {
            RateReader::open(&self.path, options)
                .unwrap()
                .take(n)
                .map(|s| {
                    let s = s.unwrap();
                    (s.at.as_millis(), s.requests_per_second)
                })
                .collect()
        }

        fn err(&self, options: &RateOptions) -> String {
            match self.read(options) {
                Ok(steps) => panic!("expected an error, got {steps:?}"),
                Err(e) => e,
            }
        }
    }

    fn worldcup() -> RateOptions {
        RateOptions::new(RateFormat::WorldCup98)
    }

    fn azure(bucket_s: u64) -> RateOptions {
        RateOptions {
            bucket: SimDuration::from_secs(bucket_s),
            ..RateOptions::new(RateFormat::AzureLlm)
        }
    }

    /// ∑ rate × step length, in requests, for a stream that ends with a 0 step.
    fn requests(steps: &[(u64, f64)]) -> f64 {
        assert_eq!(steps.last().map(|s| s.1), Some(0.0), "stream must end at 0");
        steps
            .windows(2)
            .map(|w| w[0].1 * (w[1].0 - w[0].0) as f64 / 1000.0)
            .sum()
    }

    /// Five minutes with a two-minute gap (00:02 and 00:03 have no row).
    const WC: &str = "period,count\n\
                      1998-06-10 00:00:00,60\n\
                      1998-06-10 00:01:00,120\n\
                      1998-06-10 00:04:00,60\n";

    #[test]
    fn csv_rates_per_second_and_per_minute() {
        let t = trace(
            "# a lunch peak\n\
             time_s,requests_per_second\r\n\
             0,20\n\
             \n\
             1.5,30\n\
             1.5,40\n\
             10,40\n\
             60,0.25\n",
        );
        // Equal times: the later row wins; equal rates merge (10 s adds nothing); the last
        // rate holds for ever, so there is no closing 0 step.
        assert_eq!(
            t.read(&RateOptions::default()).unwrap(),
            vec![(0, 20.0), (1500, 40.0), (60_000, 0.25)]
        );
        let t = trace("time_s,requests_per_minute\n0,600\n30,90\n");
        assert_eq!(
            t.read(&RateOptions::default()).unwrap(),
            vec![(0, 10.0), (30_000, 1.5)]
        );
    }

    #[test]
    fn csv_header_names_the_two_accepted_columns() {
        let t = trace("time_s,rps\n0,1\n");
        assert_eq!(
            t.err(&RateOptions::default()),
            "rates.csv:1: expected the header `time_s,requests_per_second` or \
             `time_s,requests_per_minute`, found \"time_s,rps\""
        );
        let t = trace("# nothing\n");
        assert_eq!(
            t.err(&RateOptions::default()),
            "rates.csv:2: expected the header `time_s,requests_per_second` or \
             `time_s,requests_per_minute`, found \"\""
        );
        let t = trace("time_s,requests_per_second\n# no rows\n");
        assert_eq!(
            t.err(&RateOptions::default()),
            "rates.csv:3: expected at least one row after the header, found the end of the file"
        );
    }

    #[test]
    fn csv_bad_rows_name_file_and_line() {
        let h = "time_s,requests_per_second\n";
        let cases = [
            (
                "0,-1\n",
                "rates.csv:2: column `requests_per_second`: expected requests per second ≥ 0, found \"-1\"",
            ),
            (
                "0,1e3\n",
                "rates.csv:2: column `requests_per_second`: expected requests per second ≥ 0, found \"1e3\"",
            ),
            (
                "0,1\n0.0001,2\n",
                "rates.csv:3: column `time_s`: expected seconds ≥ 0 with at most 3 decimal places, found \"0.0001\"",
            ),
            (
                "10,1\n5,2\n",
                "rates.csv:3: expected rows in non-decreasing time order, found 5 s after 10 s on line 2",
            ),
            ("0,1,2\n", "rates.csv:2: expected 2 comma-separated fields, found 3"),
        ];
        for (rows, expected) in cases {
            assert_eq!(
                trace(&format!("{h}{rows}")).err(&RateOptions::default()),
                expected
            );
        }
        let t = trace("time_s,requests_per_minute\n0,x\n");
        assert_eq!(
            t.err(&RateOptions::default()),
            "rates.csv:2: column `requests_per_minute`: expected requests per minute ≥ 0, found \"x\""
        );
    }

    #[test]
    fn csv_window_and_repeat() {
        let t = trace("time_s,requests_per_second\n0,1\n10,2\n20,3\n");
        let options = RateOptions {
            window_start: Some(WindowBound::Offset(SimDuration::from_secs(5))),
            window_end: Some(WindowBound::Offset(SimDuration::from_secs(25))),
            ..RateOptions::default()
        };
        // Window [5 s, 25 s): the rate at 5 s is 1; it closes with a 0 at 20 s.
        assert_eq!(
            t.read(&options).unwrap(),
            vec![(0, 1.0), (5000, 2.0), (15_000, 3.0), (20_000, 0.0)]
        );
        // Repeating it: period 20 s, each repetition starts with the window-start rate.
        let repeat = RateOptions {
            repeat: true,
            ..options
        };
        assert_eq!(
            t.take(&repeat, 7),
            vec![
                (0, 1.0),
                (5000, 2.0),
                (15_000, 3.0),
                (20_000, 1.0),
                (25_000, 2.0),
                (35_000, 3.0),
                (40_000, 1.0)
            ]
        );
        // A Csv trace has no end of its own to loop at, nor dates.
        let no_end = RateOptions {
            repeat: true,
            ..RateOptions::default()
        };
        assert!(t
            .err(&no_end)
            .starts_with("rates.csv: option `repeat`: expected a windowEnd as well"));
        let dated = RateOptions {
            window_start: Some(WindowBound::At("1998-06-10 00:00:00".into())),
            ..RateOptions::default()
        };
        assert_eq!(
            t.err(&dated),
            "rates.csv: option `windowStart`: expected an offset (a Csv rate trace has no dates), \
             found \"1998-06-10 00:00:00\""
        );
        assert!(!WindowBound::At("1998-06-10 00:00:00".into()).is_valid_for(RateFormat::Csv));
    }

    #[test]
    fn worldcup_missing_minutes_are_zero() {
        // 60 requests in a minute = 1 request/s. The two missing minutes are a 0 step at
        // 2 min; the trace ends one minute after its last row, at 5 min.
        assert_eq!(
            trace(WC).read(&worldcup()).unwrap(),
            vec![
                (0, 1.0),
                (60_000, 2.0),
                (120_000, 0.0),
                (240_000, 1.0),
                (300_000, 0.0)
            ]
        );
    }

    #[test]
    fn worldcup_window_by_offset_with_scale_and_shift() {
        let options = RateOptions {
            scale: 0.5,
            shift: SimDuration::from_secs(1000),
            window_start: Some(WindowBound::Offset(SimDuration::from_secs(90))),
            window_end: Some(WindowBound::Offset(SimDuration::from_secs(270))),
            ..worldcup()
        };
        // Window [1:30, 4:30) replayed from 1000 s, rates halved: 1:30 is in the 2 req/s
        // minute (→ 1 at 1000 s), the gap starts at 2:00 (→ 0 at 1030 s), the 00:04 minute
        // at 4:00 (→ 0.5 at 1150 s), and the window closes at 4:30 (→ 0 at 1180 s).
        assert_eq!(
            trace(WC).read(&options).unwrap(),
            vec![
                (1_000_000, 1.0),
                (1_030_000, 0.0),
                (1_150_000, 0.5),
                (1_180_000, 0.0)
            ]
        );
    }

    #[test]
    fn worldcup_window_by_absolute_time() {
        let options = RateOptions {
            window_start: Some(WindowBound::At("1998-06-10 00:02:30".into())),
            window_end: Some(WindowBound::At("1998-06-10 00:05:00".into())),
            ..worldcup()
        };
        // Starts inside the gap, so at 0; the 00:04 minute is 90 s later.
        assert_eq!(
            trace(WC).read(&options).unwrap(),
            vec![(0, 0.0), (90_000, 1.0), (150_000, 0.0)]
        );
        assert!(WindowBound::At("1998-06-10 00:02:30".into()).is_valid_for(RateFormat::WorldCup98));
    }

    #[test]
    fn worldcup_repeat_loops_with_the_trace_length() {
        let options = RateOptions {
            repeat: true,
            shift: SimDuration::from_secs(10),
            ..worldcup()
        };
        // No window_end: the period is the last row + 1 minute − the first row = 5 min.
        let p = 300_000;
        assert_eq!(
            trace(WC).take(&options, 9),
            vec![
                (10_000, 1.0),
                (70_000, 2.0),
                (130_000, 0.0),
                (250_000, 1.0),
                (10_000 + p, 1.0),
                (70_000 + p, 2.0),
                (130_000 + p, 0.0),
                (250_000 + p, 1.0),
                (10_000 + 2 * p, 1.0),
            ]
        );
        // A window of [0:30, 1:30): period 60 s, half a minute of each rate.
        let options = RateOptions {
            repeat: true,
            window_start: Some(WindowBound::Offset(SimDuration::from_secs(30))),
            window_end: Some(WindowBound::Offset(SimDuration::from_secs(90))),
            ..worldcup()
        };
        assert_eq!(
            trace(WC).take(&options, 5),
            vec![
                (0, 1.0),
                (30_000, 2.0),
                (60_000, 1.0),
                (90_000, 2.0),
                (120_000, 1.0)
            ]
        );
    }

    #[test]
    fn window_problems_are_clear_errors() {
        let t = trace(WC);
        let with = |start: Option<WindowBound>, end: Option<WindowBound>| RateOptions {
            window_start: start,
            window_end: end,
            ..worldcup()
        };
        let at = |s: &str| Some(WindowBound::At(s.into()));
        let offset = |s| Some(WindowBound::Offset(SimDuration::from_secs(s)));
        assert_eq!(
            t.err(&with(at("1998-06-09 23:59:59"), None)),
            "rates.csv:2: option `windowStart`: 1998-06-09 23:59:59 is before the trace's first \
             timestamp, 1998-06-10 00:00:00"
        );
        assert_eq!(
            t.err(&with(offset(300), None)),
            "rates.csv:4: option `windowStart`: offset 300s (1998-06-10 00:05:00) is at or \
             after the end of the trace, 1998-06-10 00:05:00"
        );
        assert_eq!(
            t.err(&with(None, at("1998-06-10 00:05:01"))),
            "rates.csv:4: option `windowEnd`: 1998-06-10 00:05:01 is after the end of the \
             trace, 1998-06-10 00:05:00"
        );
        assert_eq!(
            t.err(&with(offset(120), offset(60))),
            "rates.csv: option `windowEnd`: expected a time after windowStart, found offset \
             60s (1998-06-10 00:01:00), with windowStart offset 120s (1998-06-10 00:02:00)"
        );
        assert_eq!(
            t.err(&with(at("1998-02-30 00:00:00"), None)),
            "rates.csv: option `windowStart`: expected a valid date and time \
             `YYYY-MM-DD HH:MM:SS`, found \"1998-02-30 00:00:00\""
        );
        assert!(!WindowBound::At("1998-02-30 00:00:00".into()).is_valid_for(RateFormat::WorldCup98));
        // A window that ends exactly at the trace's end is fine.
        assert_eq!(
            t.read(&with(offset(240), at("1998-06-10 00:05:00")))
                .unwrap(),
            vec![(0, 1.0), (60_000, 0.0)]
        );
    }

    #[test]
    fn bad_options_are_refused_before_reading() {
        let t = trace(WC);
        let scale = RateOptions {
            scale: -1.0,
            ..worldcup()
        };
        assert_eq!(
            t.err(&scale),
            "rates.csv: option `scale`: expected a finite number > 0, found -1"
        );
        let bucket = RateOptions {
            bucket: SimDuration::from_millis(999),
            ..RateOptions::new(RateFormat::AzureLlm)
        };
        assert_eq!(
            t.err(&bucket),
            "rates.csv: option `bucket`: expected at least 1 s, found 999ms"
        );
        let missing = t.dir.path().join("missing.csv");
        let e = RateReader::open(&missing, &worldcup())
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.csv: cannot open: "), "{e}");
    }

    #[test]
    fn worldcup_bad_rows_name_file_and_line() {
        let h = "period,count\n1998-06-10 00:00:00,5\n";
        let cases = [
            (
                "1998-06-10 00:01:00,-3\n",
                "rates.csv:3: column `count`: expected a whole number of requests ≥ 0, found \"-3\"",
            ),
            (
                "1998-06-10 00:01:30,3\n",
                "rates.csv:3: column `period`: expected the start of a minute, `YYYY-MM-DD HH:MM:00`, \
                 found \"1998-06-10 00:01:30\"",
            ),
            (
                "1998-02-30 00:01:00,3\n",
                "rates.csv:3: column `period`: expected the start of a minute, `YYYY-MM-DD HH:MM:00`, \
                 found \"1998-02-30 00:01:00\"",
            ),
            (
                "1998-06-10 00:00:00,3\n",
                "rates.csv:3: expected rows in increasing time order, found 1998-06-10 00:00:00 \
                 after 1998-06-10 00:00:00 on line 2",
            ),
            (
                "1998-06-09 23:59:00,3\n",
                "rates.csv:3: expected rows in increasing time order, found 1998-06-09 23:59:00 \
                 after 1998-06-10 00:00:00 on line 2",
            ),
            ("\n", "rates.csv:3: expected 2 comma-separated WorldCup98 fields, found 1"),
            (
                "1998-06-10 00:01:00",
                "rates.csv:3: truncated last line: expected 2 fields, found 1 and no line ending \
                 (was the file cut off while being written?)",
            ),
        ];
        for (rows, expected) in cases {
            assert_eq!(
                trace(&format!("{h}{rows}")).err(&worldcup()),
                expected,
                "{rows:?}"
            );
        }
        assert_eq!(
            trace("period;count\n").err(&worldcup()),
            "rates.csv:1: expected the header `period,count`, found \"period;count\""
        );
    }

    #[test]
    fn a_stream_stops_after_its_first_error() {
        let t = trace("period,count\n1998-06-10 00:00:00,5\n1998-06-10 00:01:00,x\n");
        let mut reader = RateReader::open(&t.path, &worldcup()).unwrap();
        // The first minute is held back until the next change is known, so the error
        // comes first.
        assert!(matches!(
            reader.next(),
            Some(Err(TraceError::Field { line: 3, .. }))
        ));
        assert!(reader.next().is_none());
    }

    /// Arrivals 0.0, 0.5, 1.2 and 3.9 s after the first, which has 7 fractional digits.
    const AZ: &str = "TIMESTAMP,ContextTokens,GeneratedTokens\n\
                      2023-11-16 18:17:03.9799600,4808,10\n\
                      2023-11-16 18:17:04.4799600,3180,8\n\
                      2023-11-16 18:17:05.1799600,10,8\n\
                      2023-11-16 18:17:07.8799600,10,8";

    #[test]
    fn azure_arrivals_are_counted_in_bins() {
        // 1 s bins from 03.979: [0, 1) holds 2, [1, 2) holds 1, [2, 3) none, [3, 4) holds 1,
        // and the trace ends at the end of that bin, 4 s.
        let steps = trace(AZ).read(&azure(1)).unwrap();
        assert_eq!(
            steps,
            vec![(0, 2.0), (1000, 1.0), (2000, 0.0), (3000, 1.0), (4000, 0.0)]
        );
        assert_eq!(requests(&steps), 4.0);
        // 2 s bins: 3 requests then 1, i.e. 1.5/s and 0.5/s.
        assert_eq!(
            trace(AZ).read(&azure(2)).unwrap(),
            vec![(0, 1.5), (2000, 0.5), (4000, 0.0)]
        );
    }

    #[test]
    fn azure_window_starts_the_bins_and_cuts_the_last_one() {
        let options = RateOptions {
            window_start: Some(WindowBound::Offset(SimDuration::from_millis(500))),
            window_end: Some(WindowBound::At("2023-11-16 18:17:06".into())),
            ..azure(1)
        };
        // Bins from 04.479: [04.479, 05.479) holds 2 (04.479 and 05.179); [05.479, 06.000)
        // is cut by window_end after 521 ms and holds none.
        assert_eq!(
            trace(AZ).read(&options).unwrap(),
            vec![(0, 2.0), (1000, 0.0)]
        );
        // A cut inside a bin that holds a request: bins from the first arrival are [0, 1 s)
        // and [1 s, 2 s); a cut at 1.5 s leaves [1 s, 1.5 s) with the arrival at 1.2 s,
        // 1 request in 0.5 s = 2/s, the same rate as the first bin, so the two merge.
        let options = RateOptions {
            window_end: Some(WindowBound::Offset(SimDuration::from_millis(1500))),
            ..azure(1)
        };
        let steps = trace(AZ).read(&options).unwrap();
        assert_eq!(steps, vec![(0, 2.0), (1500, 0.0)]);
        assert_eq!(requests(&steps), 3.0);
        // Looping that window: period 1.5 s.
        let options = RateOptions {
            repeat: true,
            ..options
        };
        assert_eq!(
            trace(AZ).take(&options, 3),
            vec![(0, 2.0), (1500, 2.0), (3000, 2.0)]
        );
        // A window after the last arrival.
        let late = RateOptions {
            window_start: Some(WindowBound::At("2023-11-16 18:18:00".into())),
            ..azure(60)
        };
        assert_eq!(
            trace(AZ).err(&late),
            "rates.csv:5: option `windowStart`: 2023-11-16 18:18:00 is at or after the end of \
             the trace, 2023-11-16 18:17:07.879"
        );
    }

    #[test]
    fn azure_bad_rows_name_file_and_line() {
        let h = "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,1,1\n";
        let cases = [
            (
                "2023-11-16 18:17:03.97996001,1,1\n",
                "rates.csv:3: column `TIMESTAMP`: expected a date and time `YYYY-MM-DD HH:MM:SS` \
                 with up to 7 decimal places, found \"2023-11-16 18:17:03.97996001\"",
            ),
            (
                "2023-11-16 18:17:03.9,1,1\n",
                "rates.csv:3: expected rows in non-decreasing time order, found \
                 2023-11-16 18:17:03.900 after 2023-11-16 18:17:03.979 on line 2",
            ),
            (
                "2023-11-16 18:17:04,1\n",
                "rates.csv:3: expected 3 comma-separated Azure fields, found 2",
            ),
        ];
        for (rows, expected) in cases {
            assert_eq!(
                trace(&format!("{h}{rows}")).err(&azure(60)),
                expected,
                "{rows:?}"
            );
        }
        assert_eq!(
            trace("time,tokens\n").err(&azure(60)),
            "rates.csv:1: expected the header `TIMESTAMP,ContextTokens,GeneratedTokens`, found \
             \"time,tokens\""
        );
        // Other columns do not matter, but every row must have as many as the header.
        let t = trace("TIMESTAMP\n2023-11-16 18:17:03\n2023-11-16 18:17:03.5\n");
        assert_eq!(t.read(&azure(1)).unwrap(), vec![(0, 2.0), (1000, 0.0)]);
    }

    fn committed(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/traces")
            .join(path)
    }

    #[test]
    fn the_whole_worldcup98_trace_adds_up_to_the_documented_total() {
        let path = committed("worldcup98/worldcup98_requests_per_minute.csv");
        let steps: Vec<(u64, f64)> = RateReader::open(&path, &worldcup())
            .unwrap()
            .map(|s| {
                let s = s.unwrap();
                (s.at.as_millis(), s.requests_per_second)
            })
            .collect();
        // The ITA documentation's total for the whole dataset.
        let total = requests(&steps);
        assert!((total - 1_352_804_107.0).abs() < 1.0, "{total}");
        // 1998-04-30 21:30 to 1998-07-26 22:00 is 125,310 minutes.
        assert_eq!(steps.last().unwrap().0, 125_310 * 60_000);
        // The busiest minute, 229,426 requests.
        let peak = steps.iter().map(|s| s.1).fold(0.0, f64::max);
        assert_eq!(peak, 229_426.0 / 60.0);
        // The 7 gaps (10 missing minutes) are 0 steps; no row has count 0.
        assert_eq!(steps.iter().filter(|s| s.1 == 0.0).count(), 7 + 1);
    }

    #[test]
    fn the_whole_azure_trace_counts_every_request() {
        let path = committed("azure-llm-code/AzureLLMInferenceTrace_code.csv");
        let steps: Vec<(u64, f64)> = RateReader::open(&path, &azure(60))
            .unwrap()
            .map(|s| {
                let s = s.unwrap();
                (s.at.as_millis(), s.requests_per_second)
            })
            .collect();
        // 8,820 lines: the header and 8,819 requests (the last line has no line ending).
        let total = requests(&steps);
        assert!((total - 8_819.0).abs() < 1e-6, "{total}");
        // 18:17:03.979 to 19:14:19.928 falls in 58 one-minute bins from the first arrival.
        assert_eq!(steps.last().unwrap().0, 58 * 60_000);
        // The fullest bin holds 632 requests.
        let peak = steps.iter().map(|s| s.1).fold(0.0, f64::max);
        assert_eq!(peak, 632.0 / 60.0);
    }

    #[test]
    fn inline_points_as_given_or_looped() {
        let p = |s, r| RateStep {
            at: SimTime::ZERO + SimDuration::from_secs(s),
            requests_per_second: r,
        };
        let collect = |r: RateReader, n: usize| -> Vec<(u64, f64)> {
            r.take(n)
                .map(|s| {
                    let s = s.unwrap();
                    (s.at.as_millis(), s.requests_per_second)
                })
                .collect()
        };
        let once = RateReader::from_points(vec![p(10, 5.0), p(20, 0.0)], None).unwrap();
        assert_eq!(collect(once, 10), vec![(10_000, 5.0), (20_000, 0.0)]);
        let looped = RateReader::from_points(
            vec![p(10, 5.0), p(20, 0.0)],
            Some(SimDuration::from_secs(60)),
        )
        .unwrap();
        assert_eq!(
            collect(looped, 5),
            vec![
                (10_000, 5.0),
                (20_000, 0.0),
                (70_000, 5.0),
                (80_000, 0.0),
                (130_000, 5.0)
            ]
        );
        let empty = RateReader::from_points(Vec::new(), Some(SimDuration::from_secs(1)));
        assert_eq!(collect(empty.unwrap(), 3), vec![]);

        let err = |points, period| {
            RateReader::from_points(points, period)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(vec![p(0, 1.0), p(0, 2.0)], None),
            "point 1: expected a time after the previous point's 0+00:00:00.000, found 0+00:00:00.000"
        );
        assert_eq!(
            err(vec![p(0, f64::NAN)], None),
            "point 0: expected requests per second ≥ 0, found NaN"
        );
        assert_eq!(
            err(
                vec![p(0, 1.0), p(60, 2.0)],
                Some(SimDuration::from_secs(60))
            ),
            "repeat period: expected more than 60s (first to last point), found 60s"
        );
    }

    /// Issue 10 point 6: every rate format accepts a leading UTF-8 byte order mark.
    #[test]
    fn a_leading_byte_order_mark_is_ignored_in_every_format() {
        let csv = "time_s,requests_per_second\n0,20\n60,0.25\n";
        let cases = [
            (csv, RateOptions::default()),
            (WC, worldcup()),
            (AZ, azure(1)),
        ];
        for (text, options) in cases {
            let with = trace(&format!("\u{FEFF}{text}")).read(&options);
            let without = trace(text).read(&options);
            assert!(without.is_ok(), "{without:?}");
            assert_eq!(with, without, "{text}");
        }
    }
}
